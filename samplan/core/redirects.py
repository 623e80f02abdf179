"""Where a form may send the user next: only a path on this site, never a name to resolve."""

from urllib.parse import urlsplit

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


def return_path(request: HttpRequest) -> str:
    """The page to come back to after logging in again: a page one can GET, or "".

    For a GET (or HEAD) it is the page asked for. A form post cannot be repeated after login,
    and its URL may take only POST (a GET would answer 405), so for any other method it is
    the page the form was on: the Referer's path and query, if the Referer is this site and
    not the posted URL itself (a form shown again with errors is shown at the posted URL).
    """
    if request.method in {"GET", "HEAD"}:
        return safe_next(request, request.get_full_path())
    referer = request.headers.get("Referer", "")
    if not url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    parts = urlsplit(referer)
    if parts.path == request.path:
        return ""
    page = f"{parts.path}?{parts.query}" if parts.query else parts.path
    return safe_next(request, page)
