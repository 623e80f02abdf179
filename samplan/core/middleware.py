"""What every response needs: headers, pages in the reader's language, the title of a failed
form."""

from django.shortcuts import render
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _


class NoStoreMiddleware:
    """Pages for signed-in users may hold personal data: browsers and proxies must not keep them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/static/"):
            add_never_cache_headers(response)
            patch_cache_control(response, no_store=True, private=True)
        return response


class MethodNotAllowedPageMiddleware:
    """Django answers a wrong method (a form posted to a page that only shows, a stale tab)
    with an empty 405; people get a page in their language instead."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not response.content:
            page = render(request, "405.html", status=405)
            page["Allow"] = response.get("Allow", "")
            return page
        return response


class FailedFormTitleMiddleware:
    """A page shown again because a form had errors says so first in its title ("Fel: …"),
    which a screen reader reads before anything else; every such page has the error summary
    (includes/form_errors.html), so the rule holds for every form without each view."""

    SUMMARY = b'class="error-summary"'

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.method == "POST"
            and response.get("Content-Type", "").startswith("text/html")
            and not getattr(response, "streaming", False)
            and self.SUMMARY in response.content
        ):
            prefix = f"<title>{_('Error:')} ".encode()
            response.content = response.content.replace(b"<title>", prefix, 1)
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
        return response
