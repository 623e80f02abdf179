"""A registered record system for the API tests: its key pair and signed assertions."""

import time
import uuid

from joserfc import jwt
from joserfc.jwk import RSAKey

from samplan.api import services
from samplan.api.models import ApiClient

TOKEN_URL = "http://testserver/api/oauth/token"


class RecordSystem:
    def __init__(self, unit, *, may_read=True, may_write=False, name="Journalsystemet"):
        self.key = RSAKey.generate_key(2048, parameters={"kid": "k1"})
        self.client = services.api_client_save(
            actor=None,
            client=ApiClient(
                name=name,
                unit=unit,
                may_read=may_read,
                may_write=may_write,
                jwks={"keys": [self.key.as_dict(private=False)]},
            ),
        )

    def assertion(self, *, audience=TOKEN_URL, lifetime=120, jti=None, key=None, **claims):
        client_id = str(self.client.client_id)
        now = int(time.time())
        payload = {
            "iss": client_id,
            "sub": client_id,
            "aud": audience,
            "iat": now,
            "exp": now + lifetime,
            "jti": jti or str(uuid.uuid4()),
        } | claims
        header = {"alg": "RS256", "kid": "k1"}
        return jwt.encode(header, payload, key or self.key)

    def token_response(self, http, assertion=None, **fields):
        data = {
            "grant_type": "client_credentials",
            "client_assertion_type": services.ASSERTION_TYPE,
            "client_assertion": assertion or self.assertion(),
        } | fields
        return http.post("/api/oauth/token", data)

    def token(self, http, **fields) -> str:
        response = self.token_response(http, **fields)
        assert response.status_code == 200, response.content
        return response.json()["access_token"]

    def get(self, http, path, token, **headers):
        return http.get(path, HTTP_AUTHORIZATION=f"Bearer {token}", **headers)
