"""Fail closed: data whose disclosure could not be logged is not served."""

from django.http import HttpResponse
from django.utils.cache import add_never_cache_headers, patch_cache_control

from samplan.audit.services import AccessLogUnavailable

# A literal, not a translation: this page must render even when the catalogue cannot be read.
UNAVAILABLE = "Tjänsten är tillfälligt otillgänglig. Försök igen om en stund."


class AccessLogFailClosedMiddleware:
    """Turns AccessLogUnavailable from a view into a plain 503 page.

    The views write the access-log entry (samplan.audit.services.access_log_record) after
    loading the data and before rendering it, so when the entry cannot be written the
    exception leaves the view before anything of the data is in a response. Requests do not
    run in one transaction (no ATOMIC_REQUESTS); the read needs none to be withheld.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, AccessLogUnavailable):
            return None
        response = HttpResponse(
            UNAVAILABLE + "\n", status=503, content_type="text/plain; charset=utf-8"
        )
        response["Retry-After"] = "60"
        add_never_cache_headers(response)
        patch_cache_control(response, no_store=True, private=True)
        return response
