"""The API for record systems: a client signs an assertion, gets a token, and reads the plans
its unit takes part in, under the pages' policy and access log."""

import datetime

import pytest
from django.utils import timezone

from samplan.api import services
from samplan.api.models import ApiToken
from samplan.api.tests.helpers import RecordSystem
from samplan.audit.models import AccessLogEntry
from samplan.notifications.outbox import unit_members
from samplan.plans.forms import participant_staff
from samplan.testing.cast import make_person

PROBLEM = "application/problem+json"


@pytest.fixture
def system(primary_care) -> RecordSystem:
    return RecordSystem(primary_care)


@pytest.fixture
def shared_plan(sip):
    plan = sip.initiate()
    sip.consent(plan)
    return plan


@pytest.fixture
def other_plan(sip):
    """A plan before consent: only the initiating unit (needs assessment) sees it."""
    return sip.initiate(person=make_person("19900101", "123", "Olle", "Annan"))


def test_a_client_gets_a_token_for_a_signed_assertion(client, system):
    response = system.token_response(client)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 300
    assert body["scope"] == "read"
    row = ApiToken.objects.get(client=system.client)
    assert row.token_hash == services.token_hash(body["access_token"])
    assert body["access_token"] not in row.token_hash


def test_the_service_user_acts_for_the_unit_and_is_offered_to_nobody(
    system, primary_care, shared_plan
):
    user = system.client.user
    assert user.username == f"api-client-{system.client.pk}"
    assert not user.has_usable_password()
    membership = user.memberships.get()
    assert membership.unit == primary_care and membership.role == "system"
    assert membership.is_active
    # Never a lead, a contact person or a recipient of the unit's inbox items.
    assert user not in unit_members(primary_care)
    assert user not in participant_staff(shared_plan)
    user.set_password("a password an administrator typed")
    user.save()
    user.refresh_from_db()
    assert not user.has_usable_password()


def test_the_unit_lists_and_reads_its_plan_and_each_read_is_logged(
    client, system, shared_plan, other_plan
):
    token = system.token(client)
    response = system.get(client, "/api/v1/plans", token)
    assert response.status_code == 200, response.content
    ids = [item["id"] for item in response.json()["items"]]
    assert ids == [str(shared_plan.pk)]
    assert response.json()["items"][0]["person"]["name"] == "Eva Exempel"

    response = system.get(client, f"/api/v1/plans/{shared_plan.pk}", token)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == str(shared_plan.pk)
    assert "Vårdcentralen" in body["participants"]
    assert body["consent"]["decision"] == "given"
    assert "street_address" not in str(body) and "Hemliga" not in str(body)

    entries = AccessLogEntry.objects.filter(channel=AccessLogEntry.Channel.API)
    assert [(e.action, e.object_id) for e in entries.order_by("id")] == [
        ("api:plans", str(shared_plan.pk)),
        ("api:plan", str(shared_plan.pk)),
    ]
    assert {e.user_id for e in entries} == {system.client.user_id}
    assert {e.unit_id for e in entries} == {system.client.unit_id}


def test_a_plan_the_unit_does_not_take_part_in_is_not_found(client, system, other_plan):
    token = system.token(client)
    response = system.get(client, f"/api/v1/plans/{other_plan.pk}", token)
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == 404 and body["instance"] == f"/api/v1/plans/{other_plan.pk}"
    assert {"type", "title", "detail"} <= set(body)
    assert not AccessLogEntry.objects.filter(channel=AccessLogEntry.Channel.API).exists()
    assert system.get(client, "/api/v1/plans/not-a-uuid", token).status_code == 404


def test_the_etag_answers_an_unchanged_plan_with_304(client, system, shared_plan):
    token = system.token(client)
    first = system.get(client, f"/api/v1/plans/{shared_plan.pk}", token)
    etag = first["ETag"]
    again = system.get(client, f"/api/v1/plans/{shared_plan.pk}", token, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag and again.content == b""
    other = system.get(client, f"/api/v1/plans/{shared_plan.pk}", token, HTTP_IF_NONE_MATCH='"x"')
    assert other.status_code == 200


def test_a_replayed_assertion_is_refused(client, system):
    assertion = system.assertion()
    assert system.token_response(client, assertion).status_code == 200
    response = system.token_response(client, assertion)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_an_assertion_for_another_audience_is_refused(client, system):
    response = system.token_response(
        client, system.assertion(audience="https://elsewhere.example/token")
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


@pytest.mark.parametrize(
    ("claims", "error"),
    [
        ({"lifetime": -10}, "invalid_grant"),  # expired
        ({"lifetime": 3600}, "invalid_grant"),  # more than five minutes ahead
        ({"sub": "someone-else"}, "invalid_client"),
    ],
)
def test_a_bad_assertion_is_refused(client, system, claims, error):
    response = system.token_response(client, system.assertion(**claims))
    assert response.json()["error"] == error


def test_an_assertion_signed_with_another_key_is_refused(client, system, primary_care):
    stranger = RecordSystem(primary_care, name="Främling")
    response = system.token_response(client, system.assertion(key=stranger.key))
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_garbage_and_wrong_grants_are_refused_without_a_server_error(client, system):
    assert system.token_response(client, "not.a.jwt").json()["error"] == "invalid_client"
    response = system.token_response(client, grant_type="password")
    assert response.json()["error"] == "unsupported_grant_type"
    response = system.token_response(client, scope="read write")
    assert response.json()["error"] == "invalid_scope"
    assert client.get("/api/oauth/token").status_code == 405


def test_an_expired_token_is_refused_with_a_problem(client, system, shared_plan):
    token = system.token(client)
    ApiToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = system.get(client, "/api/v1/plans", token)
    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM
    assert response.json()["status"] == 401
    assert client.get("/api/v1/plans").status_code == 401  # no token at all


def test_suspending_a_client_refuses_tokens_and_revokes_the_ones_it_has(client, system):
    token = system.token(client)
    services.api_client_suspend(actor=None, client=system.client)
    assert ApiToken.objects.get().revoked_at is not None
    assert system.get(client, "/api/v1/plans", token).status_code == 401
    response = system.token_response(client)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_a_token_without_read_scope_is_forbidden_to_read(client, primary_care):
    writer = RecordSystem(primary_care, may_read=False, may_write=True)
    token = writer.token(client)
    response = writer.get(client, "/api/v1/plans", token)
    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM
    assert "read" in response.json()["detail"]


@pytest.mark.parametrize(
    "query", ["limit=500", "limit=abc", "state=nonsense", "changed_since=yesterday", "offset=-1"]
)
def test_a_bad_query_parameter_is_a_400_problem_with_errors(client, system, query):
    token = system.token(client)
    response = system.get(client, f"/api/v1/plans?{query}", token)
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    errors = response.json()["errors"]
    assert errors and errors[0]["in"] == "query"
    assert errors[0]["name"] == query.split("=")[0]


def test_the_list_filters_by_state_and_change_time(client, system, shared_plan):
    token = system.token(client)
    listed = lambda query: [  # noqa: E731
        item["id"] for item in system.get(client, f"/api/v1/plans?{query}", token).json()["items"]
    ]
    assert listed("state=consented") == [str(shared_plan.pk)]
    assert listed("state=closed") == []
    past = (timezone.now() - datetime.timedelta(hours=1)).isoformat()
    future = (timezone.now() + datetime.timedelta(hours=1)).isoformat()
    assert listed(f"changed_since={past.replace('+', '%2B')}") == [str(shared_plan.pk)]
    assert listed(f"changed_since={future.replace('+', '%2B')}") == []


def test_problems_are_in_english_when_asked(client, system):
    response = client.get("/api/v1/plans", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["title"] == "Not authenticated"


def test_the_openapi_document_lists_the_operations(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/plans" in paths and "get" in paths["/api/v1/plans"]
    assert "/api/v1/plans/{plan_id}" in paths


def test_the_docs_page_loads_no_script_from_elsewhere_and_none_inline(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html.lower()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "<script>" not in html  # only src= scripts and a JSON data block
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def test_a_wrong_method_is_a_405_problem(client, system):
    token = system.token(client)
    response = client.delete("/api/v1/plans", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 405
    assert response["Content-Type"] == PROBLEM
    assert "GET" in response["Allow"]


@pytest.mark.parametrize("path", ["/api/v1/nothing", "/api/v2/plans", "/api/v1/plans/x/y/z"])
def test_an_unknown_api_path_is_a_404_problem(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert response.json()["instance"] == path


def test_the_worker_sweeps_expired_tokens_and_assertions_of_every_client(client, system):
    from samplan.api.models import UsedAssertion
    from samplan.api.tasks import api_prune

    system.token(client)
    later = timezone.now() + datetime.timedelta(days=2)
    assert services.api_tokens_prune(now=timezone.now()) == 0  # nothing expired yet
    assert services.api_tokens_prune(now=later) == 2  # the token and the assertion
    assert not ApiToken.objects.exists() and not UsedAssertion.objects.exists()
    assert api_prune.call() == {"pruned": 0}
