"""Every route is classified with its policy, or is on the explicit public list.

A new view that forgets its access check fails here before it can leak anything.
"""

from django.urls import URLPattern, URLResolver, get_resolver

from samplan import policy

# The Django admin is guarded as a whole by SamplanAdminSite.has_permission (system
# administrators only); its URLs are classified by namespace.
ADMIN_NAMESPACE = "admin"
KNOWN_ACTIONS = {
    "session",
    "citizen.session",
    "log.review",
    *policy.STAFF_ACTIONS,
    *policy.PLAN_ACTIONS,
    *policy.CITIZEN_ACTIONS,
    *policy.ADMISSION_ACTIONS,
    *policy.DEVIATION_ACTIONS,
    "admission.register",
    "deviation.learn",
    "statistics.view",
    "evaluation.answer",
    "evaluation.results",
}


def patterns(resolvers=None, prefix="", namespace=""):
    for pattern in resolvers if resolvers is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            yield from patterns(
                pattern.url_patterns, prefix + str(pattern.pattern), pattern.namespace or namespace
            )
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), namespace, pattern.callback


def test_every_route_is_classified_with_a_policy_or_public():
    unclassified = [
        route
        for route, namespace, view in patterns()
        if namespace != ADMIN_NAMESPACE
        and policy.route_actions(view) is None
        and not policy.is_public(view)
    ]
    assert unclassified == []


def test_every_route_names_a_known_action():
    for route, _namespace, view in patterns():
        actions = policy.route_actions(view)
        if actions:
            assert set(actions) <= KNOWN_ACTIONS, route


def test_every_route_of_one_plan_loads_the_plan_through_the_policy():
    for route, _namespace, view in patterns():
        if "<uuid:plan_id>" in route:
            read, write = policy.route_actions(view)
            assert read.startswith("plan.") and write.startswith("plan."), route


def test_every_route_of_one_report_is_decided_by_the_collaboration_failure_policy():
    """The permission matrix expects `deviation.view` on these (samplan/plans/tests/test_matrix.py):
    the handling forms on the report's page ask for `deviation.handle` or `.reference` inside."""
    routes = [(route, view) for route, _ns, view in patterns() if "<uuid:deviation_id>" in route]
    assert routes
    for route, view in routes:
        assert policy.route_actions(view) == ("deviation.view", "deviation.view"), route


def test_the_public_routes_are_only_login_health_and_language():
    public = sorted(route for route, ns, view in patterns() if policy.is_public(view))
    assert public == [
        # The API's token endpoint (a signed client assertion is the login) and its OpenAPI
        # document and docs page, which hold no data (docs/api.md); any other /api/ path is a
        # 404 problem.
        "api/<path:rest>",
        "api/oauth/token",
        "api/v1/docs",
        "api/v1/openapi.json",
        "halsa/",
        "health",  # monitoring: the worker and the outbox too (no data)
        "konto/fortsatt-inloggad/",  # keep-alive: staff and Min SIP; refused without a session
        "konto/logga-in/",
        "metrics",  # Prometheus: figures only, behind METRICS_TOKEN in production
        "min-sip/logga-in/",
        "min-sip/logga-in/callback/",
        "min-sip/logga-in/demo/",
        "min-sip/logga-in/start/",
        "min-sip/logga-ut/",
        "sprak/",
    ]


def test_an_unclassified_view_would_be_caught():
    def sneaky(request):
        return None

    assert policy.route_actions(sneaky) is None and not policy.is_public(sneaky)
