"""The API's business actions: registering and suspending clients, issuing access tokens
for a signed client assertion (RFC 7523, private_key_jwt) and finding the client of a token.
"""

import datetime
import hashlib
import json
import secrets
import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from joserfc import jws, jwt
from joserfc.errors import JoseError

from samplan.accounts.models import Membership, User
from samplan.api.jwks import key_set
from samplan.api.models import ApiClient, ApiToken, UsedAssertion

TOKEN_SECONDS = 300
# An assertion may live at most this long (its exp at most this far ahead).
ASSERTION_SECONDS = 300
CLOCK_SKEW = datetime.timedelta(seconds=30)
ALGORITHMS = ["RS256", "ES256"]
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


class TokenRefused(Exception):
    """An RFC 6749 error: `error` is the code, `description` the reader's language."""

    def __init__(self, error: str, description: str, status: int = 400):
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- Clients --------------------------------------------------------------------------------


@transaction.atomic
def api_client_save(*, actor, client: ApiClient) -> ApiClient:
    """Save a client and keep its service user in step: created at the first save (unusable
    password), active while the client is, with one active caseworker membership, of the
    client's unit. A client saved as not active is suspended (api_client_suspend)."""
    client.full_clean()
    client.save()
    user = client.user
    if user is None:
        user = User(username=f"api-client-{client.pk}")
        user.set_unusable_password()
    user.first_name = client.name[:150]
    user.last_name = ""
    user.title = _("Record system (API)")[:100]
    user.is_active = client.is_active
    user.is_staff = False
    user.is_superuser = False
    user.save()
    if client.user_id != user.pk:
        client.user = user
        client.save(update_fields=["user"])
    Membership.objects.filter(user=user).exclude(unit=client.unit).update(is_active=False)
    Membership.objects.update_or_create(
        user=user,
        unit=client.unit,
        defaults={"role": Membership.Role.SYSTEM, "is_active": True},
    )
    if not client.is_active:
        api_client_suspend(actor=actor, client=client)
    return client


@transaction.atomic
def api_client_suspend(*, actor, client: ApiClient) -> int:
    """Suspend a client: no new tokens, and every token it holds is revoked at once.
    Returns the number of tokens revoked."""
    ApiClient.objects.filter(pk=client.pk).update(is_active=False)
    client.is_active = False
    if client.user_id:
        User.objects.filter(pk=client.user_id).update(is_active=False)
    return ApiToken.objects.filter(client=client, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


# --- Tokens ---------------------------------------------------------------------------------


def _unverified_claims(assertion: str) -> dict:
    try:
        payload = jws.extract_compact(assertion.encode()).payload
        claims = json.loads(payload)
    except (JoseError, ValueError, TypeError, UnicodeError):
        claims = None
    if not isinstance(claims, dict):
        raise TokenRefused(
            "invalid_client",
            _("The client assertion is not a signed JWT."),
            401,
        )
    return claims


def _client_of(claims: dict) -> ApiClient:
    unknown = TokenRefused("invalid_client", _("Unknown client, or the client is suspended."), 401)
    issuer = claims.get("iss")
    try:
        client_id = uuid.UUID(str(issuer))
    except ValueError:
        raise unknown from None
    client = (
        ApiClient.objects.filter(client_id=client_id, is_active=True)
        .select_related("unit", "user")
        .first()
    )
    if client is None or not client.unit.is_active:
        raise unknown
    return client


def _as_time(value) -> datetime.datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.datetime.fromtimestamp(value, tz=datetime.UTC)
    except (OverflowError, OSError, ValueError):
        return None


def token_issue(*, assertion: str, audience: str, scope: str | None) -> tuple[str, ApiToken]:
    """Verify a client assertion and issue an access token (the token itself, and its row).

    The assertion is a JWT signed (RS256 or ES256) with a key of the client's JWKS; iss and
    sub are the client id, aud the token endpoint's URL, exp in the future and at most five
    minutes ahead, jti used once. Raises TokenRefused.
    """
    claims = _unverified_claims(assertion)
    client = _client_of(claims)
    bad_signature = TokenRefused(
        "invalid_client", _("The client assertion's signature could not be verified."), 401
    )
    try:
        verified = jwt.decode(assertion, key_set(client.jwks), algorithms=ALGORITHMS)
    except (JoseError, ValueError, TypeError, KeyError):
        raise bad_signature from None
    claims = verified.claims
    client_id = str(client.client_id)
    if claims.get("iss") != client_id or claims.get("sub") != client_id:
        raise TokenRefused(
            "invalid_client", _("The assertion's iss and sub must both be the client id."), 401
        )
    audiences = claims.get("aud")
    audiences = audiences if isinstance(audiences, list) else [audiences]
    if audience not in audiences:
        raise TokenRefused(
            "invalid_client", _("The assertion's aud must be the token endpoint's URL."), 401
        )
    now = timezone.now()
    expires = _as_time(claims.get("exp"))
    if expires is None or expires <= now:
        raise TokenRefused("invalid_grant", _("The client assertion has expired."))
    if expires > now + datetime.timedelta(seconds=ASSERTION_SECONDS) + CLOCK_SKEW:
        raise TokenRefused(
            "invalid_grant", _("The client assertion may be valid for at most five minutes.")
        )
    not_before = _as_time(claims.get("nbf")) if "nbf" in claims else None
    if "nbf" in claims and (not_before is None or not_before > now + CLOCK_SKEW):
        raise TokenRefused("invalid_grant", _("The client assertion is not valid yet."))
    jti = claims.get("jti")
    if not isinstance(jti, str) or not jti or len(jti) > 255:
        raise TokenRefused("invalid_grant", _("The client assertion must have a jti."))

    granted = client.scopes
    if scope is None or not scope.strip():
        wanted = granted
    else:
        wanted = set(scope.split())
        if not wanted <= granted:
            raise TokenRefused("invalid_scope", _("The client may not have the scope asked for."))

    token = secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            UsedAssertion.objects.filter(client=client, expires_at__lt=now).delete()
            # Expired tokens are of no use after a day (the access log names the user).
            ApiToken.objects.filter(
                client=client, expires_at__lt=now - datetime.timedelta(days=1)
            ).delete()
            UsedAssertion.objects.create(client=client, jti=jti, expires_at=expires)
            row = ApiToken.objects.create(
                client=client,
                token_hash=token_hash(token),
                scope=" ".join(sorted(wanted)),
                expires_at=now + datetime.timedelta(seconds=TOKEN_SECONDS),
            )
    except IntegrityError:
        raise TokenRefused(
            "invalid_grant", _("The client assertion has already been used.")
        ) from None
    return token, row


def token_client(token: str) -> ApiToken | None:
    """The live token for this bearer token: not expired or revoked, its client and unit
    active. None otherwise."""
    row = (
        ApiToken.objects.filter(
            token_hash=token_hash(token),
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
            client__is_active=True,
            client__unit__is_active=True,
            client__user__is_active=True,
        )
        .select_related("client__unit__organization", "client__user")
        .first()
    )
    return row


def api_tokens_prune(now: datetime.datetime | None = None) -> int:
    """Delete every client's used assertions past their expiry and tokens expired more than a
    day ago (a token request prunes its own client's; this sweeps the clients that stopped
    asking). Returns how many rows went."""
    now = now or timezone.now()
    assertions, _kinds = UsedAssertion.objects.filter(expires_at__lt=now).delete()
    tokens, _kinds = ApiToken.objects.filter(
        expires_at__lt=now - datetime.timedelta(days=1)
    ).delete()
    return assertions + tokens
