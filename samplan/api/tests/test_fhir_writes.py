"""The REST API's writes through the FHIR façade (/api/fhir/R4/): the same services, actor,
plan events and If-Match rule (a plan's version is its REST ETag), every answer FHIR and every
refusal an OperationOutcome, never a 500."""

import datetime
import json

import pytest
from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class

from samplan.api import fhir_writes
from samplan.api.tests.helpers import RecordSystem
from samplan.audit.models import AccessLogEntry
from samplan.plans.models import FollowUp, Intervention, Invitee, Plan, PlanEvent
from samplan.testing.cast import fresh, make_person

FHIR = "application/fhir+json"
BASE = "/api/fhir/R4"
PERSONNUMMER = "urn:oid:1.2.752.129.2.1.3.1"


@pytest.fixture
def system(primary_care) -> RecordSystem:
    return RecordSystem(primary_care, may_write=True)


@pytest.fixture
def token(client, system) -> str:
    return system.token(client)


def send(client, method, path, token, body, content_type=FHIR, **headers):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.generic(
        method,
        f"{BASE}/{path}",
        data,
        content_type=content_type,
        HTTP_AUTHORIZATION=f"Bearer {token}",
        **headers,
    )


def outcome(response, status: int) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"] == FHIR
    body = response.json()
    assert body["resourceType"] == "OperationOutcome"
    get_fhir_model_class("OperationOutcome").model_validate(body)
    return body


def valid(body: dict) -> dict:
    get_fhir_model_class(body["resourceType"]).model_validate(body)
    return body


def initiative(number: str, **overrides) -> dict:
    return {
        "resourceType": "CarePlan",
        "contained": [
            {
                "resourceType": "Patient",
                "id": "p",
                "identifier": [{"system": PERSONNUMMER, "value": number}],
            }
        ],
        "status": "draft",
        "intent": "proposal",
        "category": [{"coding": [{"system": "urn:samplan:fhir:careplan-category", "code": "sip"}]}],
        "subject": {"reference": "#p"},
        "description": "Behöver samordning mellan vården och kommunen.",
        "extension": [
            {
                "url": fhir_writes.REASON_EXTENSION,
                "valueCoding": {"system": fhir_writes.REASON, "code": "several_units"},
            }
        ],
    } | overrides


def follow_up(**overrides) -> dict:
    values = {
        "how_it_went": ("valueString", "Det har gått bra."),
        "helped_hindered": ("valueString", "Hemtjänsten hjälpte."),
        "coordination_needed": ("valueBoolean", False),
        "continue_interventions": ("valueString", "Alla fortsätter."),
        "decision": ("valueCode", "continue"),
        "next_follow_up": (
            "valueDate",
            (timezone.localdate() + datetime.timedelta(days=90)).isoformat(),
        ),
    } | overrides
    return {
        "resourceType": "Parameters",
        "parameter": [
            {"name": name, kind: value} for name, (kind, value) in values.items() if kind
        ],
    }


def test_a_record_system_starts_an_initiative_follows_up_and_is_refused_a_stale_write(
    client, system, token, sip
):
    person = make_person("19700303", "123", "Ada", "Anka")
    created = send(client, "POST", "CarePlan", token, initiative(person.identity_number))
    assert created.status_code == 201, created.content
    plan = valid(created.json())
    assert plan["status"] == "draft" and plan["intent"] == "proposal"
    assert created["Location"] == f"http://testserver{BASE}/CarePlan/{plan['id']}"
    assert created["ETag"] == f'W/"{plan["meta"]["versionId"]}"'
    row = Plan.objects.get(pk=plan["id"])
    assert row.person == person and row.reasons == ["several_units"]
    started = PlanEvent.objects.get(plan=row, kind=PlanEvent.Kind.INITIATED)
    assert started.actor_id == system.client.user_id

    # The same initiative again: the open SIP is named, nothing new is started.
    again = outcome(
        send(client, "POST", "CarePlan", token, initiative(person.identity_number)), 409
    )
    assert again["issue"][0]["code"] == "duplicate"
    assert again["issue"][0]["expression"] == [f"CarePlan/{plan['id']}"]
    assert Plan.objects.filter(person=person).count() == 1

    established = sip.to("active")
    read = client.get(f"{BASE}/CarePlan/{established.pk}", HTTP_AUTHORIZATION=f"Bearer {token}")
    version = read["ETag"]
    assert version == f'W/"{read.json()["meta"]["versionId"]}"'
    # The REST API's ETag of the plan is the same version.
    rest = system.get(client, f"/api/v1/plans/{established.pk}", token)
    assert f"W/{rest['ETag']}" == version

    path = f"CarePlan/{established.pk}/$follow-up"
    missing = outcome(send(client, "POST", path, token, follow_up()), 428)
    assert missing["issue"][0]["code"] == "required"
    recorded = send(client, "POST", path, token, follow_up(), HTTP_IF_MATCH=version)
    assert recorded.status_code == 200, recorded.content
    assert valid(recorded.json())["id"] == str(established.pk)
    assert recorded["ETag"] != version
    followup = FollowUp.objects.get(plan=established)
    assert followup.recorded_by_id == system.client.user_id
    event = PlanEvent.objects.filter(plan=established).order_by("-pk").first()
    assert event.actor_id == system.client.user_id

    stale = send(client, "POST", path, token, follow_up(), HTTP_IF_MATCH=version)
    assert outcome(stale, 412)["issue"][0]["code"] == "conflict"
    assert stale["ETag"] == recorded["ETag"]
    assert FollowUp.objects.filter(plan=established).count() == 1

    back = client.get(f"{BASE}/CarePlan/{established.pk}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert back["ETag"] == recorded["ETag"]
    assert (
        fresh(established).next_follow_up.isoformat() == follow_up()["parameter"][-1]["valueDate"]
    )
    reads = AccessLogEntry.objects.filter(channel=AccessLogEntry.Channel.API)
    assert {e.user_id for e in reads} == {system.client.user_id}
    # The 201, the reads and the 200 hold plan data: each a logged read; refusals none.
    assert [e.object_id for e in reads.order_by("id")] == [
        plan["id"],
        str(established.pk),
        str(established.pk),
        str(established.pk),
        str(established.pk),
    ]


def test_prefer_return_minimal_answers_no_body(client, token):
    person = make_person("19700303", "123", "Ada", "Anka")
    created = send(
        client,
        "POST",
        "CarePlan",
        token,
        initiative(person.identity_number),
        HTTP_PREFER="return=minimal",
    )
    assert created.status_code == 201 and created.content == b""
    assert created["Location"] and created["ETag"].startswith('W/"')
    assert not AccessLogEntry.objects.filter(channel=AccessLogEntry.Channel.API).exists()


def test_the_subject_may_be_an_identifier_and_must_be_registered(client, token):
    person = make_person("19700303", "123", "Ada", "Anka")
    body = initiative(
        "x",
        contained=[],
        subject={"identifier": {"system": PERSONNUMMER, "value": "19700303-1230"}},
    )
    body["subject"]["identifier"]["value"] = person.identity_number
    assert send(client, "POST", "CarePlan", token, body).status_code == 201
    unknown = initiative("191212121212")
    assert outcome(send(client, "POST", "CarePlan", token, unknown), 422)["issue"][0][
        "expression"
    ] == ["CarePlan.subject"]
    other_system = initiative(person.identity_number)
    other_system["contained"][0]["identifier"][0]["system"] = "urn:oid:1.2.3"
    outcome(send(client, "POST", "CarePlan", token, other_system), 422)


@pytest.mark.parametrize(
    ("body", "status", "content_type"),
    [
        ("{not json", 400, FHIR),
        ("[]", 400, FHIR),
        ({"resourceType": "Goal"}, 400, FHIR),
        ({"resourceType": "CarePlan", "status": "draft"}, 400, FHIR),  # no intent, subject
        (
            {
                "resourceType": "CarePlan",
                "status": "nonsense",
                "intent": "proposal",
                "subject": {"reference": "#p"},
            },
            422,
            FHIR,
        ),  # fmt: skip
        ("\xff", 400, "application/octet-stream"),
    ],
)
def test_bad_input_is_an_operation_outcome_never_a_500(client, token, body, status, content_type):
    outcome(send(client, "POST", "CarePlan", token, body, content_type=content_type), status)
    assert not Plan.objects.exists()


def test_bad_codes_and_an_active_careplan_are_refused(client, token):
    person = make_person("19700303", "123", "Ada", "Anka")
    number = person.identity_number
    active = initiative(number, status="active", intent="plan")
    assert outcome(send(client, "POST", "CarePlan", token, active), 422)["issue"][0][
        "expression"
    ] == ["CarePlan.status"]
    reason = initiative(number)
    reason["extension"][0]["valueCoding"]["code"] = "boredom"
    assert (
        outcome(send(client, "POST", "CarePlan", token, reason), 422)["issue"][0]["code"]
        == "code-invalid"
    )
    category = initiative(number, category=[{"coding": [{"system": "x", "code": "y"}]}])
    outcome(send(client, "POST", "CarePlan", token, category), 422)
    assert not Plan.objects.exists()


def test_english_on_request(client, token):
    body = outcome(send(client, "POST", "CarePlan", token, "{", HTTP_ACCEPT_LANGUAGE="en"), 400)
    assert body["issue"][0]["details"]["text"] == "The body is not valid JSON."


def test_a_read_only_client_may_not_write(client, primary_care, sip):
    reader = RecordSystem(primary_care, may_write=False, name="Läsaren")
    plan = sip.to("active")
    token = reader.token(client)
    item = plan.interventions.first()
    meeting = plan.meetings.first()
    for method, path, body in (
        ("POST", "CarePlan", initiative(fresh(plan).person.identity_number)),
        ("POST", f"CarePlan/{plan.pk}/$follow-up", follow_up()),
        (
            "PATCH",
            f"ServiceRequest/{item.uid}",
            [{"op": "replace", "path": "/status", "value": "active"}],
        ),  # fmt: skip
        ("POST", "AppointmentResponse", answer(meeting.pk, "accepted")),
    ):
        response = send(client, method, path, token, body, HTTP_IF_MATCH="*")
        assert outcome(response, 403)["issue"][0]["code"] == "forbidden", path
    assert fresh(plan).events.count() == plan.events.count()


def test_a_unit_that_does_not_take_part_cannot_write_and_learns_nothing(client, sip):
    outsider = sip.region.units.create(name="Psykiatrimottagningen")
    system = RecordSystem(outsider, may_write=True)
    plan = sip.to("active")
    token = system.token(client)
    events = plan.events.count()
    item = plan.interventions.first()
    meeting = plan.meetings.first()
    for method, path, body in (
        ("POST", f"CarePlan/{plan.pk}/$follow-up", follow_up()),
        (
            "PATCH",
            f"ServiceRequest/{item.uid}",
            [{"op": "replace", "path": "/status", "value": "active"}],
        ),  # fmt: skip
        ("POST", "AppointmentResponse", answer(meeting.pk, "accepted")),
    ):
        response = send(client, method, path, token, body, HTTP_IF_MATCH="*")
        assert outcome(response, 404)["issue"][0]["code"] == "not-found", path
    assert fresh(plan).events.count() == events


def _ours(client, token, plan) -> tuple[Intervention, str]:
    item = plan.interventions.get(unit__name="Vårdcentralen")
    read = client.get(f"{BASE}/ServiceRequest/{item.uid}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert read.status_code == 200
    return item, read["ETag"]


def test_the_responsible_unit_patches_its_service_request_s_status(client, system, token, sip):
    plan = sip.to("active")
    item, version = _ours(client, token, plan)
    patch = [
        {"op": "replace", "path": "/status", "value": "completed"},
        {"op": "add", "path": "/note/-", "value": {"text": "Klart."}},
    ]
    path = f"ServiceRequest/{item.uid}"
    outcome(send(client, "PATCH", path, token, patch), 428)
    done = send(client, "PATCH", path, token, patch, content_type="application/json-patch+json",
                HTTP_IF_MATCH=version)  # fmt: skip
    assert done.status_code == 200, done.content
    assert valid(done.json())["status"] == "completed"
    item.refresh_from_db()
    assert item.status == Intervention.Status.DONE
    event = plan.events.filter(kind=PlanEvent.Kind.INTERVENTION_CHANGED).latest("pk")
    assert event.actor_id == system.client.user_id and event.after["note"] == "Klart."
    outcome(send(client, "PATCH", path, token, patch, HTTP_IF_MATCH=version), 412)

    for wrong, status in (
        ([{"op": "replace", "path": "/code", "value": {"text": "x"}}], 422),
        ([{"op": "replace", "path": "/status", "value": "on-hold"}], 422),
        ([{"op": "add", "path": "/note/-", "value": {"text": "utan status"}}], 422),
        ({"resourceType": "Parameters"}, 400),
    ):
        outcome(send(client, "PATCH", path, token, wrong, HTTP_IF_MATCH=done["ETag"]), status)
    others = plan.interventions.exclude(unit__name="Vårdcentralen").first()
    refused = send(client, "PATCH", f"ServiceRequest/{others.uid}", token, patch[:1],
                   HTTP_IF_MATCH=done["ETag"])  # fmt: skip
    assert outcome(refused, 403)["issue"][0]["code"] == "forbidden"


def answer(meeting_id: int, status: str, comment: str = "") -> dict:
    body = {
        "resourceType": "AppointmentResponse",
        "appointment": {"reference": f"Appointment/{meeting_id}"},
        "participantStatus": status,
    }
    return body | ({"comment": comment} if comment else {})


def test_the_unit_answers_its_invitation_with_an_appointment_response(client, system, token, sip):
    plan = sip.to("invited")
    meeting = plan.meetings.get()
    read = client.get(f"{BASE}/Appointment/{meeting.pk}", HTTP_AUTHORIZATION=f"Bearer {token}")
    version = read["ETag"]
    declined = send(client, "POST", "AppointmentResponse", token, answer(meeting.pk, "declined"),
                    HTTP_IF_MATCH=version)  # fmt: skip
    assert outcome(declined, 422)["issue"][0]["code"] == "business-rule"  # needs a reason
    outcome(send(client, "POST", "AppointmentResponse", token, answer(meeting.pk, "tentative"),
                 HTTP_IF_MATCH=version), 422)  # fmt: skip
    accepted = send(client, "POST", "AppointmentResponse", token, answer(meeting.pk, "accepted"),
                    HTTP_IF_MATCH=version)  # fmt: skip
    assert accepted.status_code == 201, accepted.content
    assert valid(accepted.json())["participantStatus"] == "accepted"
    invitee = Invitee.objects.get(meeting=meeting, unit=system.client.unit)
    assert invitee.response == "accepted"
    event = fresh(plan).events.get(kind=PlanEvent.Kind.INVITATION_ANSWERED)
    assert event.actor_id == system.client.user_id
    after = client.get(f"{BASE}/Appointment/{meeting.pk}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert after["ETag"] == accepted["ETag"]
    unknown = send(client, "POST", "AppointmentResponse", token, answer(999999, "accepted"),
                   HTTP_IF_MATCH=accepted["ETag"])  # fmt: skip
    outcome(unknown, 404)
    bad_reference = answer(meeting.pk, "accepted")
    bad_reference["appointment"] = {"reference": "CarePlan/1"}
    outcome(send(client, "POST", "AppointmentResponse", token, bad_reference), 400)


def test_a_bad_follow_up_is_refused_and_records_nothing(client, token, sip):
    plan = sip.to("active")
    read = client.get(f"{BASE}/CarePlan/{plan.pk}", HTTP_AUTHORIZATION=f"Bearer {token}")
    path = f"CarePlan/{plan.pk}/$follow-up"
    version = read["ETag"]
    for body, status in (
        (follow_up(next_follow_up=("valueDate", "2020-01-01")), 422),  # a rule: after today
        (follow_up(next_follow_up=("valueDate", "2020-13")), 400),
        (follow_up(decision=("valueCode", "maybe")), 422),
        (follow_up(decision=("valueString", "continue")), 400),
        (follow_up(how_it_went=(None, None)), 400),
        (follow_up(colour=("valueString", "blå")), 400),
        ({"resourceType": "CarePlan"}, 400),
    ):
        outcome(send(client, "POST", path, token, body, HTTP_IF_MATCH=version), status)
    assert not FollowUp.objects.filter(plan=plan).exists()
    outcome(send(client, "POST", f"CarePlan/{plan.pk}/$everything", token, {}), 404)


def test_a_method_or_type_not_served_is_an_operation_outcome(client, token, sip):
    plan = sip.to("active")
    for method, path, status in (
        ("PUT", f"CarePlan/{plan.pk}", 405),
        ("DELETE", f"CarePlan/{plan.pk}", 405),
        ("PATCH", f"CarePlan/{plan.pk}", 405),
        ("POST", "Goal", 405),
        ("POST", "Observation", 404),
        ("PATCH", f"Observation/{plan.pk}", 404),
        ("DELETE", "CarePlan", 405),
    ):
        response = send(client, method, path, token, {})
        assert outcome(response, status)["issue"][0]["code"] == "not-supported", (method, path)
        if method == "PUT":
            assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "PATCH"}


def test_the_capability_statement_lists_the_writes(client, token):
    response = client.get(f"{BASE}/metadata", HTTP_AUTHORIZATION=f"Bearer {token}")
    statement = valid(response.json())
    rest = statement["rest"][0]
    by_type = {entry["type"]: entry for entry in rest["resource"]}
    assert {"code": "create"} in by_type["CarePlan"]["interaction"]
    assert by_type["CarePlan"]["operation"][0]["name"] == "follow-up"
    assert {"code": "patch"} in by_type["ServiceRequest"]["interaction"]
    assert by_type["AppointmentResponse"]["interaction"] == [{"code": "create"}]
    assert statement["patchFormat"] == ["application/json-patch+json"]
