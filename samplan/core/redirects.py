"""Where a form may send the user next: only a path on this site, never a name to resolve."""

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

MAX_NEXT_LENGTH = 2000


def safe_next(request: HttpRequest, value: object, *, within: str = "/") -> str:
    """`value` if it is a local path under `within`, else "".

    A `next` that is not a path ("foo", "plans:worklist", "javascript:...", "//evil", "\\\\evil")
    is ignored rather than resolved: Django's `redirect()` would try to reverse a bare word as
    a view name and fail with a server error.
    """
    if not isinstance(value, str) or not value or len(value) > MAX_NEXT_LENGTH:
        return ""
    if not value.startswith(within) or value.startswith(("//", "/\\")):
        return ""
    if any(ord(char) < 32 or char == "\\" for char in value):
        return ""
    allowed = url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return value if allowed else ""
