"""Every page needs login unless it is on the explicit public list."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# Routes anyone may reach without logging in (name as "namespace:name").
PUBLIC = {
    "accounts:login",
    "core:health",
    "set_language",
    "admin:login",
    "citizen:login",
    "citizen:oidc_start",
    "citizen:oidc_callback",
    "citizen:demo_login",
    "citizen:logout",
    # The API (docs/api.md): the token endpoint, the OpenAPI document and its docs page.
    "api_token",
    "api:openapi-json",
    "api:openapi-view",
}
# The API's operations authenticate with a bearer token, not the login: without one they
# answer 401 with a problem (application/problem+json; FHIR: an OperationOutcome,
# application/fhir+json), never data and never a login page.
BEARER = {"api:plans", "api:plan", "api:careplans"}
FHIR_BEARER = {
    "fhir:fhir-metadata",
    "fhir:fhir-search",
    "fhir:fhir-create",
    "fhir:fhir-read",
    "fhir:fhir-patch",
    "fhir:fhir-other",
    "fhir:fhir-operation",
}
# Monitoring (docs/operations.md): figures about the system, never about a person; /health is
# 503 here (no worker has swept in the test database). Any other /api/ path: a 404 problem.
MONITORING = {"ops:health": {200, 503}, "ops:metrics": {200}, "api_unknown": {404}}


def walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or namespace
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield prefix + str(pattern.pattern), name


def example_path(route: str) -> str:
    """Turn a route into a concrete path: fill converters and regex groups with sample values."""
    path = re.sub(r"<uuid:[^>]+>", "00000000-0000-4000-8000-000000000001", route)
    path = re.sub(r"<(?:int:)?[^>]+>", "1", path)
    path = re.sub(r"\(\?P<[^>]+>[^)]*\)", "1", path)
    path = path.replace("^", "").replace("$", "").replace("\\", "")
    return "/" + path


ROUTES = sorted(set(walk(get_resolver().url_patterns)))


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "name"), ROUTES)
def test_an_anonymous_request_to_any_page_is_sent_to_login(client, route, name):
    path = example_path(route)
    response = client.get(path)
    if name in PUBLIC:
        assert response.status_code in {200, 302, 405}
        return
    if response.status_code == 405:
        return  # a POST-only route refuses a GET before anything else
    if name in BEARER or name in FHIR_BEARER:
        assert response.status_code == 401, f"{path} ({name}) answered {response.status_code}"
        expected = "application/problem+json" if name in BEARER else "application/fhir+json"
        assert response["Content-Type"].split(";")[0] == expected
        return
    if name in MONITORING:
        assert response.status_code in MONITORING[name], f"{path} answered {response.status_code}"
        assert "/logga-in/" not in response.get("Location", "")
        return
    assert response.status_code == 302, f"{path} ({name}) answered {response.status_code}"
    assert "/logga-in/" in response["Location"] or "/admin/login/" in response["Location"]


def test_the_public_list_names_only_routes_that_exist():
    names = {name for _, name in ROUTES}
    assert names >= PUBLIC
    assert names >= BEARER | FHIR_BEARER | set(MONITORING)
