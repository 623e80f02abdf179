"""`manage.py api_assertion`: a signed client assertion (private_key_jwt) for a client, to try
the API by hand (docs/api.md's curl walk-through). A record system signs its own."""

import time
import uuid

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, RSAKey


class Command(BaseCommand):
    help = "Print a signed client assertion (a JWT, valid two minutes) for the token endpoint."

    def add_arguments(self, parser):
        parser.add_argument("--client-id", required=True, help="The client id (a UUID).")
        parser.add_argument("--key", required=True, help="The client's private key (PEM file).")
        parser.add_argument("--kid", default="", help="The key id in the client's JWKS.")
        parser.add_argument(
            "--audience",
            default=f"{settings.SAMPLAN_BASE_URL}/api/oauth/token",
            help="The token endpoint's URL (default: SAMPLAN_BASE_URL/api/oauth/token).",
        )

    def handle(self, *args, **options):
        try:
            client_id = str(uuid.UUID(options["client_id"]))
        except ValueError:
            raise CommandError("The client id must be a UUID.") from None
        try:
            pem = open(options["key"], "rb").read()  # noqa: PTH123, SIM115
        except OSError as error:
            raise CommandError(f"Cannot read the key: {error}") from None
        key, algorithm = None, ""
        for kind, alg in ((RSAKey, "RS256"), (ECKey, "ES256")):
            try:
                key, algorithm = kind.import_key(pem), alg
                break
            except (JoseError, ValueError, TypeError):
                continue
        if key is None or not key.is_private:
            raise CommandError("The key must be an RSA or EC private key in PEM.")
        now = int(time.time())
        header = {"alg": algorithm} | ({"kid": options["kid"]} if options["kid"] else {})
        claims = {
            "iss": client_id,
            "sub": client_id,
            "aud": options["audience"],
            "iat": now,
            "exp": now + 120,
            "jti": str(uuid.uuid4()),
        }
        self.stdout.write(jwt.encode(header, claims, key))
