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
from samplan.api import (  # noqa: F401 (they register on `api` and `fhir_api`)
    careplans,
    fhir_writes,
    problems,
    views,
    writes,
)
from samplan.api.api import api
from samplan.api.fhir_api import fhir_api, outcome_for_wrong_method

# The actions each operation's GET and its writes need (each view decides them itself too).
OPERATIONS = {
    "plans": ("plan.list", "plan.initiate"),
    "plan": ("plan.view", "plan.edit"),
    "plan_follow_ups": ("plan.view", "plan.edit"),
    "intervention_status": ("plan.view", "plan.view"),  # the item decides: intervention.progress
    "invitation_answer": ("plan.view", "plan.respond"),
    "careplans": ("plan.list", "plan.list"),
    # /api/fhir/R4/ (samplan.api.fhir_api and fhir_writes decide each plan themselves). A
    # write shares its path's view with the read (django-ninja), so the read's name carries
    # the write's action too.
    "fhir-metadata": ("plan.list", "plan.list"),
    "fhir-search": ("plan.list", "plan.initiate"),  # POST: CarePlan, AppointmentResponse
    "fhir-create": ("plan.list", "plan.initiate"),
    "fhir-read": ("plan.view", "plan.view"),  # PATCH: the item decides (intervention.progress)
    "fhir-patch": ("plan.view", "plan.view"),
    "fhir-other": ("plan.view", "plan.edit"),  # POST CarePlan/{id}/$follow-up
    "fhir-operation": ("plan.view", "plan.edit"),
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


def classified(patterns: list, wrong_method=problem_for_wrong_method) -> list:
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
                login_not_required(wrong_method(view))
            )
        else:
            raise ValueError(f"API route {pattern.name!r} is not classified")
    return patterns


_patterns, _app_name, _namespace = api.urls
_fhir_patterns, _fhir_app_name, _fhir_namespace = fhir_api.urls

urlpatterns = [
    path("oauth/token", views.token, name="api_token"),
    path("v1/", (classified(_patterns), _app_name, _namespace)),
    path(
        "fhir/R4/",
        (classified(_fhir_patterns, outcome_for_wrong_method), _fhir_app_name, _fhir_namespace),
    ),
    # Keep this last: any other path under /api/ is a 404 problem, not the pages' HTML.
    path("<path:rest>", views.unknown, name="api_unknown"),
]
