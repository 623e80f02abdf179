"""/api/: the token endpoint and version 1 of the REST API.

django-ninja generates the URL patterns of /api/v1/; each is classified for the policy here
(samplan/core/tests/test_route_coverage.py). The operations authenticate with a bearer token
(not the staff login), the OpenAPI document and its docs page are public (they hold no
data), and ninja's root (a 404, used only to work out the paths) needs a login as any page.
"""

from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponseNotAllowed
from django.urls import URLPattern, path
from django.utils.translation import gettext as _

from samplan import policy
from samplan.api import problems, views
from samplan.api.api import api

# The action each operation's GET needs (its writes: later, with their own actions).
OPERATIONS = {
    "plans": ("plan.list", "plan.list"),
    "plan": ("plan.view", "plan.edit"),
}
PUBLIC = {"openapi-json", "openapi-view"}


def problem_for_wrong_method(view):
    """ninja answers a method an operation lacks with a plain-text 405; the API says so as a
    problem."""

    @wraps(view)  # keeps csrf_exempt: the bearer token, not a cookie, authenticates
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            refused = problems.problem(
                request,
                405,
                "method-not-allowed",
                _("Method not allowed"),
                _("This resource does not answer the method %(method)s.")
                % {"method": request.method},
            )
            refused["Allow"] = response.get("Allow", "")
            return refused
        return response

    return wrapper


def classified(patterns: list) -> list:
    for pattern in patterns:
        assert isinstance(pattern, URLPattern), pattern
        view = pattern.callback
        if pattern.name in PUBLIC:
            policy.public(login_not_required(view))
        elif pattern.name == "api-root":
            policy.route("session")(view)
        elif pattern.name in OPERATIONS:
            # The bearer token authenticates, not the staff session.
            pattern.callback = policy.route(*OPERATIONS[pattern.name])(
                login_not_required(problem_for_wrong_method(view))
            )
        else:
            raise ValueError(f"API route {pattern.name!r} is not classified")
    return patterns


_patterns, _app_name, _namespace = api.urls

urlpatterns = [
    path("oauth/token", views.token, name="api_token"),
    path("v1/", (classified(_patterns), _app_name, _namespace)),
]
