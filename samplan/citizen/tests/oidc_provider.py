"""A small but real OpenID provider for the tests, on 127.0.0.1 in a background thread.

It serves discovery, JWKS, an authorization endpoint that approves at once (no person, no
BankID: it redirects straight back with a code) and a token endpoint that checks the client's
secret, the redirect URI and the PKCE code verifier, and returns an ID token signed RS256.

What it says about the person, and how it misbehaves, is chosen per test through
`provider.behaviour` (a `Behaviour`), read when /authorize is called. No external network.
"""

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from authlib.oidc.core.util import create_half_hash
from joserfc import jwt
from joserfc.jwk import RSAKey

LOA2 = "http://id.elegnamnden.se/loa/1.0/loa2"
LOA3 = "http://id.elegnamnden.se/loa/1.0/loa3"
LOA4 = "http://id.elegnamnden.se/loa/1.0/loa4"
PERSONNUMMER_CLAIM = "https://id.oidc.se/claim/personalIdentityNumber"
COORDINATION_NUMBER_CLAIM = "https://id.oidc.se/claim/coordinationNumber"


@dataclass
class Behaviour:
    """What the provider asserts about the person, and which rule it breaks (if any)."""

    subject: str = "pairwise-subject-1"
    personnummer: str | None = None  # goes into PERSONNUMMER_CLAIM
    claims: dict = field(default_factory=dict)  # any further claims in the ID token
    acr: str | None = LOA3
    wrong_key: bool = False  # sign with a key that is not in the JWKS (same kid)
    audience: str | None = None  # instead of the client id
    issuer: str | None = None  # instead of the provider's own issuer
    expired: bool = False  # exp (and iat) in the past
    nonce: str | None = None  # instead of the nonce from the request
    error: str | None = None  # /authorize answers with this OAuth error instead of a code


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


class _Server(WSGIServer):
    daemon_threads = True


class Provider:
    def __init__(self, client_id: str = "samplan-test", client_secret: str | None = None):
        self.client_id = client_id
        self.client_secret = client_secret or secrets.token_urlsafe(24)
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key-1", "use": "sig"})
        self.behaviour = Behaviour()
        self.authorization_requests: list[dict] = []
        self.token_requests: list[dict] = []
        self._codes: dict[str, dict] = {}
        self._lock = threading.Lock()
        self._server = None
        self._thread = None
        self.issuer = ""

    # --- Running ---------------------------------------------------------------------------

    def start(self) -> "Provider":
        self._server = make_server(
            "127.0.0.1", 0, self.app, server_class=_Server, handler_class=_QuietHandler
        )
        self.issuer = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)

    # --- The WSGI application ----------------------------------------------------------------

    def app(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        routes = {
            "/.well-known/openid-configuration": self.discovery,
            "/jwks": self.jwks,
            "/authorize": self.authorize,
            "/token": self.token,
        }
        handler = routes.get(path)
        if handler is None:
            return self._json(start_response, {"error": "not_found"}, "404 Not Found")
        return handler(environ, start_response)

    @staticmethod
    def _json(start_response, body: dict, status: str = "200 OK", headers=()):
        data = json.dumps(body).encode()
        start_response(
            status,
            [("Content-Type", "application/json"), ("Cache-Control", "no-store"), *headers],
        )
        return [data]

    @staticmethod
    def _redirect(start_response, location: str):
        start_response("302 Found", [("Location", location)])
        return [b""]

    def discovery(self, environ, start_response):
        return self._json(
            start_response,
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public", "pairwise"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": [
                    "client_secret_basic",
                    "client_secret_post",
                ],
                "code_challenge_methods_supported": ["S256"],
                "scopes_supported": ["openid", "https://id.oidc.se/scope/naturalPersonNumber"],
                "acr_values_supported": [LOA2, LOA3, LOA4],
                "claims_supported": ["sub", PERSONNUMMER_CLAIM, COORDINATION_NUMBER_CLAIM],
            },
        )

    def jwks(self, environ, start_response):
        public = self.key.as_dict(private=False, alg="RS256")
        return self._json(start_response, {"keys": [public]})

    def authorize(self, environ, start_response):
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        self.authorization_requests.append(query)
        redirect_uri = query.get("redirect_uri", "")
        problems = [
            query.get("client_id") != self.client_id and "client_id",
            query.get("response_type") != "code" and "response_type",
            "openid" not in query.get("scope", "").split() and "scope",
            not query.get("state") and "state",
            not query.get("nonce") and "nonce",
            query.get("code_challenge_method") != "S256" and "code_challenge_method",
            not query.get("code_challenge") and "code_challenge",
            not redirect_uri.startswith("http") and "redirect_uri",
        ]
        problems = [p for p in problems if p]
        if problems:
            return self._json(
                start_response,
                {"error": "invalid_request", "problems": problems},
                "400 Bad Request",
            )
        behaviour = self.behaviour
        answer = {"state": query["state"]}
        if behaviour.error:
            answer["error"] = behaviour.error
        else:
            code = secrets.token_urlsafe(32)
            with self._lock:
                self._codes[code] = {
                    "redirect_uri": redirect_uri,
                    "nonce": query["nonce"],
                    "code_challenge": query["code_challenge"],
                    "behaviour": behaviour,
                }
            answer["code"] = code
        return self._redirect(start_response, f"{redirect_uri}?{urlencode(answer)}")

    def _client_authenticated(self, environ, form: dict) -> bool:
        header = environ.get("HTTP_AUTHORIZATION", "")
        if header.startswith("Basic "):
            try:
                decoded = base64.b64decode(header[6:]).decode()
            except ValueError:
                return False
            client_id, _, secret = decoded.partition(":")
        else:
            client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        return secrets.compare_digest(client_id, self.client_id) and secrets.compare_digest(
            secret, self.client_secret
        )

    def token(self, environ, start_response):
        if environ.get("REQUEST_METHOD") != "POST":
            return self._json(
                start_response, {"error": "invalid_request"}, "405 Method Not Allowed"
            )
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length).decode()
        form = {k: v[0] for k, v in parse_qs(body).items()}
        self.token_requests.append(form)
        if not self._client_authenticated(environ, form):
            return self._json(start_response, {"error": "invalid_client"}, "401 Unauthorized")
        if form.get("grant_type") != "authorization_code":
            return self._json(
                start_response, {"error": "unsupported_grant_type"}, "400 Bad Request"
            )
        with self._lock:
            grant = self._codes.pop(form.get("code", ""), None)  # a code works once
        if grant is None or form.get("redirect_uri") != grant["redirect_uri"]:
            return self._json(start_response, {"error": "invalid_grant"}, "400 Bad Request")
        verifier = form.get("code_verifier", "")
        challenge = (
            base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            .rstrip(b"=")
            .decode()
        )
        if not verifier or challenge != grant["code_challenge"]:
            return self._json(
                start_response,
                {"error": "invalid_grant", "error_description": "PKCE"},
                "400 Bad Request",
            )
        access_token = secrets.token_urlsafe(32)
        id_token = self.id_token(grant["behaviour"], grant["nonce"], access_token)
        return self._json(
            start_response,
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": id_token,
            },
        )

    def id_token(self, behaviour: Behaviour, nonce: str, access_token: str) -> str:
        now = int(time.time())
        if behaviour.expired:
            now -= 3600
        claims = {
            "iss": behaviour.issuer or self.issuer,
            "sub": behaviour.subject,
            "aud": behaviour.audience or self.client_id,
            "iat": now,
            "auth_time": now,
            "exp": now + 300,
            "nonce": behaviour.nonce or nonce,
            "at_hash": create_half_hash(access_token, "RS256").decode(),
        }
        if behaviour.acr:
            claims["acr"] = behaviour.acr
        if behaviour.personnummer:
            claims[PERSONNUMMER_CLAIM] = behaviour.personnummer
        claims.update(behaviour.claims)
        key = self.key
        if behaviour.wrong_key:
            key = RSAKey.generate_key(2048, parameters={"kid": self.key.kid, "use": "sig"})
        return jwt.encode({"alg": "RS256", "kid": key.kid, "typ": "JWT"}, claims, key)
