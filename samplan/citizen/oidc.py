"""OpenID Connect relying party for citizen login to Min SIP (docs/citizen-login.md).

Authorization code flow with PKCE (S256), state and nonce, against an OpenID provider that
follows the Swedish OpenID Connect profile: usually a broker in front of BankID and Freja eID.

- `authorization_url(request, next_url)` starts a login: it stores state, nonce and the PKCE
  code verifier in the session (for this one login, a few minutes) and returns the URL of the
  provider's authorization endpoint.
- `complete_login(request)` handles the callback: it takes the pending login for the returned
  state out of the session (so a callback can be used once), exchanges the code server to
  server, verifies the ID token (signature against the provider's JWKS, issuer, audience,
  expiry, issued-at, nonce) and the assurance level, and returns the verified identity number.

Every refusal raises `LoginRefused`, which carries a short code for the log, an HTTP status
and a message for the person. Identity numbers never go into the log or a URL.

ID tokens are decoded with joserfc (what authlib itself uses for ID tokens since authlib.jose
was deprecated) and their claims validated by authlib.oidc.core.CodeIDToken.
"""

import logging
import threading
import time
from dataclasses import dataclass

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from joserfc import jwt
from joserfc.errors import ExpiredTokenError, InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from samplan.people.identity import IdentityNumber, parse_identity_number

logger = logging.getLogger(__name__)

PENDING_SESSION_KEY = "samplan_oidc_pending"
# A login must come back within this many seconds; at most this many may be pending at once
# (one per open tab, say).
PENDING_MAX_AGE = 10 * 60
PENDING_MAX = 3
# Clock skew tolerated for exp, iat and nbf.
LEEWAY_SECONDS = 60
HTTP_TIMEOUT = 10
METADATA_MAX_AGE = 60 * 60
# Only asymmetric signatures: never "none", never an HMAC keyed with public material.
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384")


# --- Settings -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Config:
    issuer: str
    client_id: str
    client_secret: str
    accepted_acr: tuple[str, ...]
    personnummer_claim: str
    coordination_number_claim: str
    scopes: str
    redirect_uri: str
    verify_tls: bool


def config() -> Config:
    return Config(
        issuer=getattr(settings, "OIDC_ISSUER", ""),
        client_id=getattr(settings, "OIDC_CLIENT_ID", ""),
        client_secret=getattr(settings, "OIDC_CLIENT_SECRET", ""),
        accepted_acr=tuple(getattr(settings, "OIDC_ACCEPTED_ACR", ())),
        personnummer_claim=getattr(
            settings, "OIDC_PERSONNUMMER_CLAIM", "https://id.oidc.se/claim/personalIdentityNumber"
        ),
        coordination_number_claim=getattr(
            settings,
            "OIDC_COORDINATION_NUMBER_CLAIM",
            "https://id.oidc.se/claim/coordinationNumber",
        ),
        scopes=getattr(settings, "OIDC_SCOPES", "openid"),
        redirect_uri=getattr(settings, "OIDC_REDIRECT_URI", ""),
        verify_tls=getattr(settings, "OIDC_VERIFY_TLS", True),
    )


def oidc_enabled() -> bool:
    """OpenID Connect is on when issuer, client id and client secret are all configured."""
    conf = config()
    return bool(conf.issuer and conf.client_id and conf.client_secret)


# --- Refusals -------------------------------------------------------------------------------

MESSAGE_RETRY = _(
    "The login could not be completed. It may have taken too long, or the link has already "
    "been used. Please start again."
)
MESSAGE_PROVIDER = _(
    "The login was cancelled or did not work at the e-identification service. Please try again."
)
MESSAGE_UNAVAILABLE = _(
    "The login service is not answering right now. Please try again in a little while."
)
MESSAGE_VERIFY = _(
    "We could not verify your login, so you have not been logged in. Please try again. "
    "If it happens again, contact the person responsible for your SIP."
)
MESSAGE_ACR = _(
    "Your e-identification does not give a high enough level of security for Min SIP. "
    "Use BankID, or Freja eID with a verified identity (Freja+)."
)
MESSAGE_NUMBER = _(
    "The e-identification service did not tell us your personal identity number, so you "
    "have not been logged in. Please try again, or contact the person responsible for your SIP."
)


class LoginRefused(Exception):
    """A login that must not go ahead. `code` is for the log, `message` for the person."""

    def __init__(self, code: str, message, status: int = 400, detail: str = ""):
        super().__init__(code)
        self.code = code
        self.message = message
        self.status = status
        self.detail = detail  # for the log: never claim values, never an identity number

    def log(self) -> None:
        logger.warning(
            "Citizen login refused: %s%s", self.code, f" ({self.detail})" if self.detail else ""
        )


def _safe(text: object, limit: int = 60) -> str:
    """A provider-supplied value for the log: letters, digits and _-.:/ only, shortened."""
    value = "".join(ch for ch in str(text) if ch.isascii() and (ch.isalnum() or ch in "_-.:/"))
    return value[:limit]


# --- Provider metadata (discovery, JWKS), cached ----------------------------------------------

_cache: dict[str, tuple[float, dict]] = {}
_cache_lock = threading.Lock()


def clear_caches() -> None:
    with _cache_lock:
        _cache.clear()


def _get_json(url: str, conf: Config) -> dict:
    response = requests.get(url, timeout=HTTP_TIMEOUT, verify=conf.verify_tls)
    response.raise_for_status()
    document = response.json()
    if not isinstance(document, dict):
        raise ValueError("not a JSON object")
    return document


def _cached_json(url: str, conf: Config, *, refresh: bool = False) -> dict:
    now = time.monotonic()
    with _cache_lock:
        hit = _cache.get(url)
    if hit and not refresh and now - hit[0] < METADATA_MAX_AGE:
        return hit[1]
    document = _get_json(url, conf)
    with _cache_lock:
        _cache[url] = (now, document)
    return document


def provider_metadata(conf: Config) -> dict:
    """The provider's discovery document; its issuer must be exactly the configured one."""
    url = conf.issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        metadata = _cached_json(url, conf)
    except (requests.RequestException, ValueError) as error:
        raise LoginRefused(
            "discovery_unavailable", MESSAGE_UNAVAILABLE, 503, type(error).__name__
        ) from error
    if metadata.get("issuer") != conf.issuer:
        clear_caches()
        raise LoginRefused("discovery_issuer_mismatch", MESSAGE_UNAVAILABLE, 503)
    for field in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(metadata.get(field), str):
            raise LoginRefused("discovery_incomplete", MESSAGE_UNAVAILABLE, 503, field)
    return metadata


def _key_set(metadata: dict, conf: Config, *, refresh: bool = False) -> KeySet:
    try:
        return KeySet.import_key_set(_cached_json(metadata["jwks_uri"], conf, refresh=refresh))
    except (requests.RequestException, ValueError, JoseError) as error:
        raise LoginRefused("jwks_unavailable", MESSAGE_VERIFY, 400, type(error).__name__) from error


# --- Starting a login -----------------------------------------------------------------------


def redirect_uri(request, conf: Config) -> str:
    return conf.redirect_uri or request.build_absolute_uri(reverse("citizen:oidc_callback"))


def _session_client(conf: Config, metadata: dict, redirect: str, **kwargs) -> OAuth2Session:
    methods = metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    method = "client_secret_basic" if "client_secret_basic" in methods else "client_secret_post"
    session = OAuth2Session(
        client_id=conf.client_id,
        client_secret=conf.client_secret,
        token_endpoint_auth_method=method,
        scope=conf.scopes,
        redirect_uri=redirect,
        code_challenge_method="S256",
        default_timeout=HTTP_TIMEOUT,
        **kwargs,
    )
    session.verify = conf.verify_tls
    return session


def _pending(request) -> dict:
    """The logins started in this session and not yet completed, without the stale ones."""
    pending = request.session.get(PENDING_SESSION_KEY) or {}
    now = int(time.time())
    return {
        state: entry
        for state, entry in pending.items()
        if isinstance(entry, dict) and now - entry.get("at", 0) <= PENDING_MAX_AGE
    }


def authorization_url(request, next_url: str = "") -> str:
    """Start a login: remember state, nonce and code verifier; the provider's URL to go to."""
    conf = config()
    metadata = provider_metadata(conf)
    redirect = redirect_uri(request, conf)
    state = generate_token(43)  # about 256 bits
    nonce = generate_token(43)
    code_verifier = generate_token(64)
    client = _session_client(conf, metadata, redirect)
    extra = {"nonce": nonce}
    if conf.accepted_acr:
        extra["acr_values"] = conf.accepted_acr[0]
    url, _state = client.create_authorization_url(
        metadata["authorization_endpoint"], state=state, code_verifier=code_verifier, **extra
    )
    client.close()
    pending = _pending(request)
    pending[state] = {
        "nonce": nonce,
        "verifier": code_verifier,
        "redirect_uri": redirect,
        "next": next_url,
        "at": int(time.time()),
    }
    newest = sorted(pending.items(), key=lambda item: item[1]["at"])[-PENDING_MAX:]
    request.session[PENDING_SESSION_KEY] = dict(newest)
    return url


# --- Completing a login ---------------------------------------------------------------------


@dataclass(frozen=True)
class VerifiedLogin:
    number: IdentityNumber
    acr: str
    next_url: str


def _take_pending(request, state: str) -> dict:
    """The pending login for this state, removed from the session: usable once."""
    pending = _pending(request)
    entry = pending.pop(state, None)
    request.session[PENDING_SESSION_KEY] = pending
    if entry is None:
        raise LoginRefused("unknown_state", MESSAGE_RETRY)
    return entry


def _exchange_code(conf: Config, metadata: dict, entry: dict, code: str) -> dict:
    client = _session_client(conf, metadata, entry["redirect_uri"])
    try:
        token = client.fetch_token(
            metadata["token_endpoint"],
            grant_type="authorization_code",
            code=code,
            code_verifier=entry["verifier"],
        )
    except requests.RequestException as error:
        raise LoginRefused(
            "token_request_failed", MESSAGE_VERIFY, 400, type(error).__name__
        ) from error
    except Exception as error:  # authlib's OAuthError and malformed responses
        code_text = _safe(getattr(error, "error", "") or type(error).__name__)
        raise LoginRefused("token_request_refused", MESSAGE_VERIFY, 400, code_text) from error
    finally:
        client.close()
    if not isinstance(token.get("id_token"), str):
        raise LoginRefused("no_id_token", MESSAGE_VERIFY)
    return token


def _decode_id_token(conf: Config, metadata: dict, token: dict, nonce: str) -> CodeIDToken:
    offered = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
    algorithms = [alg for alg in offered if alg in SIGNING_ALGORITHMS]
    registry = JWSRegistry(algorithms=algorithms, strict_check_header=False)
    try:
        try:
            decoded = jwt.decode(token["id_token"], _key_set(metadata, conf), registry=registry)
        except InvalidKeyIdError:
            # The provider may have rotated its keys since we cached them: fetch once more.
            keys = _key_set(metadata, conf, refresh=True)
            decoded = jwt.decode(token["id_token"], keys, registry=registry)
    except JoseError as error:
        raise LoginRefused(
            "id_token_signature", MESSAGE_VERIFY, 400, _safe(error.error or type(error).__name__)
        ) from error
    except ValueError as error:
        raise LoginRefused("id_token_malformed", MESSAGE_VERIFY) from error

    options = {
        "iss": {"essential": True, "value": conf.issuer},
        "aud": {"essential": True, "value": conf.client_id},
        "exp": {"essential": True},
        "iat": {"essential": True},
        "nonce": {"essential": True, "value": nonce},
    }
    params = {"nonce": nonce, "client_id": conf.client_id}
    if isinstance(token.get("access_token"), str):
        params["access_token"] = token["access_token"]
    claims = CodeIDToken(decoded.claims, decoded.header, options, params)
    try:
        claims.validate(leeway=LEEWAY_SECONDS)
    except ExpiredTokenError as error:
        raise LoginRefused("id_token_expired", MESSAGE_VERIFY) from error
    except JoseError as error:
        claim = _safe(getattr(error, "claim", "") or error.error or type(error).__name__)
        raise LoginRefused("id_token_claim", MESSAGE_VERIFY, 400, claim) from error
    return claims


def _identity_number(conf: Config, claims: dict) -> IdentityNumber:
    personnummer = claims.get(conf.personnummer_claim)
    coordination = (
        claims.get(conf.coordination_number_claim) if conf.coordination_number_claim else None
    )
    if personnummer and coordination:
        # The Swedish profile says the two are mutually exclusive: refuse rather than guess.
        raise LoginRefused("identity_claim_ambiguous", MESSAGE_NUMBER)
    raw = personnummer or coordination
    if not raw or not isinstance(raw, str):
        raise LoginRefused("identity_claim_missing", MESSAGE_NUMBER)
    try:
        return parse_identity_number(raw)
    except ValidationError as error:
        raise LoginRefused("identity_claim_invalid", MESSAGE_NUMBER, 400, error.code) from error


def complete_login(request) -> VerifiedLogin:
    """Verify the provider's answer to a login this session started; refuse anything else."""
    state = request.GET.get("state", "")
    if not state:
        raise LoginRefused("missing_state", MESSAGE_RETRY)
    entry = _take_pending(request, state)  # before anything else: one attempt per login
    if "error" in request.GET:
        raise LoginRefused(
            "provider_error", MESSAGE_PROVIDER, 400, _safe(request.GET.get("error", ""))
        )
    code = request.GET.get("code", "")
    if not code:
        raise LoginRefused("missing_code", MESSAGE_RETRY)

    conf = config()
    metadata = provider_metadata(conf)
    token = _exchange_code(conf, metadata, entry, code)
    claims = _decode_id_token(conf, metadata, token, entry["nonce"])

    acr = claims.get("acr")
    if not isinstance(acr, str) or acr not in conf.accepted_acr:
        raise LoginRefused("acr_not_accepted", MESSAGE_ACR, 403, _safe(acr or "none", 100))
    return VerifiedLogin(
        number=_identity_number(conf, claims), acr=acr, next_url=entry.get("next", "")
    )
