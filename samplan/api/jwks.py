"""A client's public keys (JWKS): parsed and checked with joserfc."""

from django.utils.translation import gettext as _
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

# Asymmetric keys only; a symmetric key ("oct") would be a shared secret.
KEY_TYPES = {"RSA", "EC"}
# The members of a JWK that belong to a private key (RFC 7518 6.2.2, 6.3.2).
PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}
MAX_KEYS = 10


def jwks_problem(value) -> str | None:
    """Why this is not a usable set of public keys, or None when it is."""
    if not isinstance(value, dict) or not isinstance(value.get("keys"), list):
        return _('The key set must be a JSON object with a "keys" list (a JWKS).')
    keys = value["keys"]
    if not keys:
        return _("The key set must hold at least one public key.")
    if len(keys) > MAX_KEYS:
        return _("The key set may hold at most %(n)s keys.") % {"n": MAX_KEYS}
    for key in keys:
        if not isinstance(key, dict):
            return _("Each key in the key set must be a JSON object.")
        if key.get("kty") not in KEY_TYPES:
            return _("Only RSA and EC public keys are accepted.")
        if PRIVATE_MEMBERS & set(key):
            return _(
                "The key set holds a private key. Register only the public keys: the private "
                "key stays with the record system."
            )
    try:
        KeySet.import_key_set(value)
    except (JoseError, ValueError, TypeError, KeyError):
        return _("The key set could not be read as a JWKS.")
    return None


def key_set(value) -> KeySet:
    return KeySet.import_key_set(value)
