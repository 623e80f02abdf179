"""A record system writes through the API as its unit's caseworker would: an initiative, a
follow-up with If-Match (412 on a stale write), an intervention's status and its unit's
answer to an invitation, each a plan event under the client's service user."""

import datetime
import json

import pytest
from django.utils import timezone

from samplan.api.tests.helpers import RecordSystem
from samplan.audit.models import AccessLogEntry
from samplan.plans.models import FollowUp, Invitee, PlanEvent
from samplan.testing.cast import fresh, make_person

PROBLEM = "application/problem+json"


@pytest.fixture
def system(primary_care) -> RecordSystem:
    return RecordSystem(primary_care, may_write=True)


def post(http, path, token, body, **headers):
    return http.post(
        path,
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        **headers,
    )


def follow_up_body(**overrides) -> dict:
    return {
        "how_it_went": "Det har gått bra.",
        "helped_hindered": "Hemtjänsten hjälpte.",
        "coordination_needed": False,
        "continue_interventions": "Alla fortsätter.",
        "decision": "continue",
        "next_follow_up": (timezone.localdate() + datetime.timedelta(days=90)).isoformat(),
    } | overrides


def test_a_record_system_starts_an_initiative_follows_up_and_is_refused_a_stale_write(
    client, system, sip
):
    token = system.token(client)
    person = make_person("19700303", "123", "Ada", "Anka")
    created = post(
        client,
        "/api/v1/plans",
        token,
        {"identity_number": person.identity_number, "reasons": ["several_units"]},
    )
    assert created.status_code == 201, created.content
    plan_id = created.json()["id"]
    assert created["Location"] == f"/api/v1/plans/{plan_id}"
    read = system.get(client, created["Location"], token)
    assert read.status_code == 200 and read.json()["state"] == "initiated"
    started = PlanEvent.objects.get(plan_id=plan_id, kind=PlanEvent.Kind.INITIATED)
    assert started.actor_id == system.client.user_id

    # The same initiative again: the open SIP is named, nothing new is started.
    again = post(
        client,
        "/api/v1/plans",
        token,
        {"identity_number": person.identity_number, "reasons": ["several_units"]},
    )
    assert again.status_code == 409 and again.json()["plan"] == plan_id

    established = sip.to("active")
    careplan = system.get(client, f"/api/fhir/R4/CarePlan/{established.pk}", token)
    assert careplan.status_code == 200 and careplan.json()["resourceType"] == "CarePlan"
    path = f"/api/v1/plans/{established.pk}"
    etag = system.get(client, path, token)["ETag"]
    recorded = post(client, path + "/follow-ups", token, follow_up_body(), HTTP_IF_MATCH=etag)
    assert recorded.status_code == 201, recorded.content
    assert recorded["ETag"] != etag
    followup = FollowUp.objects.get(plan=established)
    assert followup.recorded_by_id == system.client.user_id

    stale = post(client, path + "/follow-ups", token, follow_up_body(), HTTP_IF_MATCH=etag)
    assert stale.status_code == 412 and stale["Content-Type"] == PROBLEM
    assert stale.json()["current"]["id"] == str(established.pk)
    assert stale["ETag"] == recorded["ETag"]
    assert FollowUp.objects.filter(plan=established).count() == 1

    back = system.get(client, path, token)
    assert back["ETag"] == recorded["ETag"]
    assert back.json()["next_follow_up"] == follow_up_body()["next_follow_up"]
    reads = AccessLogEntry.objects.filter(channel=AccessLogEntry.Channel.API).order_by("id")
    assert [(e.action.split(":")[0], e.object_id) for e in reads] == [
        ("api", plan_id),
        ("fhir", str(established.pk)),  # read as FHIR
        ("api", str(established.pk)),
        ("api", str(established.pk)),  # the 412 shows the plan as it is
        ("api", str(established.pk)),
    ]
    assert {e.user_id for e in reads} == {system.client.user_id}


def test_a_write_without_if_match_is_428_and_changes_nothing(client, system, sip):
    plan = sip.to("active")
    token = system.token(client)
    response = post(client, f"/api/v1/plans/{plan.pk}/follow-ups", token, follow_up_body())
    assert response.status_code == 428 and response["Content-Type"] == PROBLEM
    assert not FollowUp.objects.filter(plan=plan).exists()


def test_a_bad_follow_up_is_a_problem_tied_to_the_field(client, system, sip):
    plan = sip.to("active")
    token = system.token(client)
    path = f"/api/v1/plans/{plan.pk}"
    etag = system.get(client, path, token)["ETag"]
    past = follow_up_body(next_follow_up="2020-01-01")
    response = post(client, path + "/follow-ups", token, past, HTTP_IF_MATCH=etag)
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["name"] == "next_follow_up"
    wrong = post(client, path + "/follow-ups", token, {"decision": "maybe"}, HTTP_IF_MATCH=etag)
    assert wrong.status_code == 400
    assert {e["name"] for e in wrong.json()["errors"]} >= {"decision", "how_it_went"}
    assert not FollowUp.objects.filter(plan=plan).exists()


def test_a_read_only_client_may_not_write(client, primary_care, sip):
    reader = RecordSystem(primary_care, may_write=False, name="Läsaren")
    plan = sip.to("active")
    token = reader.token(client)
    response = post(client, f"/api/v1/plans/{plan.pk}/follow-ups", token, follow_up_body())
    assert response.status_code == 403 and response.json()["type"].endswith("insufficient-scope")


def test_a_unit_that_does_not_take_part_cannot_write_and_learns_nothing(client, sip, person):
    outsider = sip.region.units.create(name="Psykiatrimottagningen")
    system = RecordSystem(outsider, may_write=True)
    plan = sip.to("active")
    token = system.token(client)
    path = f"/api/v1/plans/{plan.pk}/follow-ups"
    response = post(client, path, token, follow_up_body(), HTTP_IF_MATCH="*")
    assert response.status_code == 404
    assert not FollowUp.objects.filter(plan=plan).exists()


def test_an_unknown_individual_is_refused_at_the_identity_number(client, system):
    token = system.token(client)
    for number, status in (("19121212-1212", 422), ("not a number", 422), ("", 400)):
        response = post(
            client, "/api/v1/plans", token, {"identity_number": number, "reasons": ["unclear"]}
        )
        assert response.status_code == status, (number, response.content)
        assert response["Content-Type"] == PROBLEM
        assert response.json()["errors"][0]["name"] == "identity_number"


def test_the_responsible_unit_reports_its_intervention_s_status(client, system, sip):
    plan = sip.to("active")
    token = system.token(client)
    path = f"/api/v1/plans/{plan.pk}"
    body = system.get(client, path, token)
    ours = next(i for i in body.json()["interventions"] if i["unit"] == "Vårdcentralen")
    url = f"{path}/interventions/{ours['uid']}/status"
    done = post(client, url, token, {"status": "ongoing", "note": "Första besöket gjort."},
                HTTP_IF_MATCH=body["ETag"])  # fmt: skip
    assert done.status_code == 200, done.content
    item = plan.interventions.get(uid=ours["uid"])
    assert item.status == "ongoing"
    assert PlanEvent.objects.filter(plan=plan, kind=PlanEvent.Kind.INTERVENTION_CHANGED).exists()
    bad = post(client, url, token, {"status": "flying"}, HTTP_IF_MATCH=done["ETag"])
    assert bad.status_code == 422 and bad.json()["errors"][0]["name"] == "status"
    others = [i for i in body.json()["interventions"] if i["unit"] != "Vårdcentralen"]
    refused = post(
        client,
        f"{path}/interventions/{others[0]['uid']}/status",
        token,
        {"status": "ongoing"},
        HTTP_IF_MATCH=done["ETag"],
    )
    assert refused.status_code == 403


def test_the_unit_answers_its_invitation(client, system, sip):
    plan = sip.to("invited")
    token = system.token(client)
    path = f"/api/v1/plans/{plan.pk}"
    body = system.get(client, path, token)
    meeting = body.json()["meetings"][0]["id"]
    url = f"{path}/meetings/{meeting}/answer"
    declined = post(client, url, token, {"response": "declined"}, HTTP_IF_MATCH=body["ETag"])
    assert declined.status_code == 422  # a decline needs a reason
    accepted = post(client, url, token, {"response": "accepted"}, HTTP_IF_MATCH=body["ETag"])
    assert accepted.status_code == 200, accepted.content
    invitee = Invitee.objects.get(meeting_id=meeting, unit=system.client.unit)
    assert invitee.response == "accepted"
    assert fresh(plan).events.filter(kind=PlanEvent.Kind.INVITATION_ANSWERED).count() == 1
    unknown = post(client, f"{path}/meetings/999999/answer", token, {"response": "accepted"},
                   HTTP_IF_MATCH=accepted["ETag"])  # fmt: skip
    assert unknown.status_code == 404
