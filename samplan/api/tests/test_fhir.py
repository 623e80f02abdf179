"""The FHIR R4 façade (/api/fhir/R4/): read and search under the REST API's policy, consent
limits and access log; every error an OperationOutcome; every resource valid for
fhir.resources' R4B models (wire-compatible with R4 for these resources)."""

import datetime
import time

import pytest
from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class

from samplan.api import fhir_api
from samplan.api.tests.helpers import RecordSystem
from samplan.audit.models import AccessLogEntry
from samplan.audit.services import AccessLogUnavailable
from samplan.plans.models import ConsentLimit, Goal, Intervention, Plan, Topic
from samplan.testing.cast import fresh, make_person
from samplan.testing.world import record_results

FHIR = "application/fhir+json"
BASE = "/api/fhir/R4"


@pytest.fixture
def system(primary_care) -> RecordSystem:
    return RecordSystem(primary_care)


@pytest.fixture
def token(client, system) -> str:
    return system.token(client)


@pytest.fixture
def active_plan(sip):
    return sip.to("active")


@pytest.fixture
def other_plan(sip):
    """Before consent: only the initiating unit (needs assessment) sees it."""
    return sip.initiate(person=make_person("19900101", "123", "Olle", "Annan"))


def get(client, system, token, path, **headers):
    response = system.get(client, f"{BASE}/{path}", token, **headers)
    assert response["Content-Type"] == FHIR, (response.status_code, response.content[:300])
    return response


def valid(body: dict) -> dict:
    get_fhir_model_class(body["resourceType"]).model_validate(body)
    return body


def api_log():
    return AccessLogEntry.objects.filter(channel=AccessLogEntry.Channel.API).order_by("id")


def test_a_taking_part_unit_reads_the_plan_as_a_careplan(client, system, token, active_plan):
    response = get(client, system, token, f"CarePlan/{active_plan.pk}")
    assert response.status_code == 200
    plan = valid(response.json())
    assert plan["status"] == "active" and plan["intent"] == "plan"
    assert plan["category"][0]["coding"][0]["code"] == "sip"
    patient = plan["contained"][0]
    assert patient["identifier"][0] == {
        "use": "official",
        "system": "urn:oid:1.2.752.129.2.1.3.1",
        "value": "198112189876",
    }
    assert "address" not in patient and "Hemliga" not in response.content.decode()
    goal_ref = plan["goal"][0]["reference"]
    assert goal_ref.startswith("Goal/")
    assert len(plan["activity"]) == 3
    assert plan["author"]["display"] == fresh(active_plan).overall_responsibility.name

    goal = valid(get(client, system, token, goal_ref).json())
    assert goal["expressedBy"] == {"reference": "#patient"}
    team = valid(get(client, system, token, f"CareTeam/{active_plan.pk}").json())
    roles = {p["role"][0]["coding"][0]["code"] for p in team["participant"]}
    assert {"individual", "unit", "lead", "overall-responsibility"} <= roles
    # One entry per plan read, channel api, the client's user and unit.
    entries = list(api_log())
    assert [(e.action, e.object_id) for e in entries] == [
        ("fhir:fhir-read", str(active_plan.pk))
    ] * 3
    assert {e.unit_id for e in entries} == {system.client.unit_id}


def test_a_plan_the_unit_does_not_take_part_in_is_a_404_outcome(client, system, token, other_plan):
    for path in (f"CarePlan/{other_plan.pk}", f"CareTeam/{other_plan.pk}", "CarePlan/nonsense"):
        response = get(client, system, token, path)
        assert response.status_code == 404
        body = valid(response.json())
        assert body["resourceType"] == "OperationOutcome"
        assert body["issue"][0]["code"] == "not-found"
    bundle = get(client, system, token, "CarePlan").json()
    assert bundle["total"] == 0
    assert not api_log().exists()


def test_consent_limits_hide_goals_and_interventions(client, system, token, sip, active_plan):
    plan = fresh(active_plan)
    goal = Goal.objects.filter(plan=plan).first()
    hidden_goal = sip.goal(plan, text="Betala av skulderna")
    Goal.objects.filter(pk=hidden_goal.pk).update(topic="economy")
    Intervention.objects.filter(plan=plan, what__startswith="Boendestöd").update(topic="economy")
    consent = plan.consents.order_by("-number").first()
    ConsentLimit.objects.create(consent=consent, unit=sip.primary_care, topics=["economy"])

    goals = get(client, system, token, f"Goal?patient={plan.person.identity_number}").json()
    uids = {entry["resource"]["id"] for entry in goals["entry"]}
    assert str(goal.uid) in uids and str(hidden_goal.uid) not in uids
    assert get(client, system, token, f"Goal/{hidden_goal.uid}").status_code == 404
    items = get(client, system, token, "ServiceRequest").json()
    whats = {entry["resource"]["code"]["text"] for entry in items["entry"]}
    assert whats and not any(what.startswith("Boendestöd") for what in whats)
    careplan = get(client, system, token, f"CarePlan/{plan.pk}").json()
    assert "Boendestöd" not in str(careplan["activity"])
    consent_bundle = get(client, system, token, "Consent").json()
    resource = valid(consent_bundle["entry"][0]["resource"])
    nested = resource["provision"]["provision"]
    assert nested[0]["type"] == "deny"
    assert nested[0]["code"][0]["coding"][0]["code"] == "economy"


def test_search_filters_and_pages(client, system, token, sip, active_plan, other_plan):
    second = sip.to("consented", make_person("19750505", "234", "Kim", "Andra"))
    bundle = get(client, system, token, "CarePlan?_count=1").json()
    assert bundle["type"] == "searchset" and bundle["total"] == 2
    assert len(bundle["entry"]) == 1
    relations = {link["relation"]: link["url"] for link in bundle["link"]}
    assert "_offset=1" in relations["next"]
    following = client.get(
        relations["next"].replace("http://testserver", ""),
        HTTP_AUTHORIZATION=f"Bearer {token}",
    ).json()
    assert following["total"] == 2 and "next" not in {x["relation"] for x in following["link"]}
    ids = {bundle["entry"][0]["resource"]["id"], following["entry"][0]["resource"]["id"]}
    assert ids == {str(active_plan.pk), str(second.pk)}

    def found(query):
        body = get(client, system, token, f"CarePlan?{query}").json()
        return {entry["resource"]["id"] for entry in body.get("entry", [])}

    assert found("status=active") == {str(active_plan.pk)}
    assert found("status=draft") == {str(second.pk)}
    assert found("category=sip") == ids
    assert found("category=urn:samplan:fhir:careplan-category|consented") == {str(second.pk)}
    person = fresh(active_plan).person
    assert found(f"patient=urn:oid:1.2.752.129.2.1.3.1|{person.identity_number}") == {
        str(active_plan.pk)
    }
    assert found("patient=19811218-9876") == {str(active_plan.pk)}
    assert found(f"patient={person.pk}") == {str(active_plan.pk)}
    past = (timezone.now() - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S")
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    assert found(f"_lastUpdated=ge{past}") == ids
    assert found(f"_lastUpdated=ge{tomorrow}") == set()
    assert found(f"_lastUpdated=le{tomorrow}&_lastUpdated=ge{past}") == ids

    included = get(client, system, token, "CarePlan?_include=CarePlan:goal").json()
    modes = [entry["search"]["mode"] for entry in included["entry"]]
    assert modes.count("match") == 2 and modes.count("include") >= 1
    for kind in ("Goal", "ServiceRequest", "CareTeam", "Consent", "Appointment", "Provenance"):
        body = get(client, system, token, f"{kind}?_count=100").json()
        assert body["total"] >= 1, kind
        for entry in body["entry"]:
            valid(entry["resource"])


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("CarePlan?_count=abc", 400, "invalid"),
        ("CarePlan?_offset=-1", 400, "invalid"),
        ("CarePlan?_lastUpdated=yesterday", 400, "invalid"),
        ("CarePlan?_lastUpdated=ne2026-01-01", 400, "invalid"),
        ("CarePlan?colour=blue", 400, "not-supported"),
        ("CarePlan?_include=CarePlan:care-team", 400, "not-supported"),
        ("CarePlan?patient=urn:oid:1.2.3|1", 400, "invalid"),
        ("Patient", 404, "not-supported"),
        ("Patient/123", 404, "not-supported"),
        ("CarePlan/x/_history/1", 404, "not-supported"),
    ],
)
def test_errors_are_operation_outcomes(client, system, token, path, status, code):
    response = get(client, system, token, path)
    assert response.status_code == status
    body = valid(response.json())
    assert body["issue"][0]["code"] == code


def test_no_token_no_scope_and_a_wrong_method_are_outcomes_in_english_when_asked(
    client, primary_care
):
    response = client.get(f"{BASE}/CarePlan", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401 and response["Content-Type"] == FHIR
    assert response.json()["issue"][0]["code"] == "login"
    assert response.json()["issue"][0]["details"]["text"].startswith("A valid bearer")
    assert response["Content-Language"] == "en"
    assert client.get(f"{BASE}/metadata")["Content-Type"] == FHIR  # 401 too

    writer = RecordSystem(primary_care, may_read=False, may_write=True)
    response = writer.get(client, f"{BASE}/CarePlan", writer.token(client))
    assert response.status_code == 403 and response["Content-Type"] == FHIR
    assert response.json()["issue"][0]["code"] == "forbidden"

    reader = RecordSystem(primary_care)
    response = client.delete(
        f"{BASE}/CarePlan", HTTP_AUTHORIZATION=f"Bearer {reader.token(client)}"
    )
    assert response.status_code == 405 and response["Content-Type"] == FHIR


def test_metadata_is_a_capability_statement(client, system, token):
    body = valid(get(client, system, token, "metadata").json())
    assert body["fhirVersion"] == "4.0.1"
    types = {entry["type"] for entry in body["rest"][0]["resource"]}
    assert {"CarePlan", "Goal", "ServiceRequest", "Consent", "Provenance"} <= types


# --- Every resource the API returns is valid ---------------------------------------------------


STATES = ["initiated", "consented", "invited", "active", "follow_up", "revision", "closed"]


def test_every_resource_the_api_returns_is_valid_fhir(client, sip, primary_care):
    """A world of plans in every state the client's unit sees, every resource read and
    searched, each validated with its R4B model."""
    started = time.monotonic()
    plans = []
    for number in range(21):
        state = STATES[number % len(STATES)]
        person = make_person(
            f"1960{number % 12 + 1:02d}{number % 27 + 1:02d}",
            f"{number + 100:03d}",
            "Test",
            f"Person{number}",
        )
        plan = sip.to(state, person)
        if state != "initiated":
            # Content written straight to the tables: many goals and interventions, fast.
            topics = ["", *Topic.values]
            goals = Goal.objects.bulk_create(
                Goal(plan=plan, term="short", text=f"Mål {n}", topic=topics[n % len(topics)],
                     status=Goal.Status.values[n % 5], position=10 + n)
                for n in range(12)
            )  # fmt: skip
            items = Intervention.objects.bulk_create(
                Intervention(plan=plan, what=f"Insats {n}", organization=sip.region,
                             unit=sip.primary_care if n % 2 else None, frequency="varje vecka",
                             start=timezone.localdate(), status=Intervention.Status.values[n % 4],
                             topic=topics[n % len(topics)], position=10 + n)
                for n in range(8)
            )  # fmt: skip
            for item, goal in zip(items, goals, strict=False):
                item.goals.add(goal)
        plans.append(plan)
    Plan.objects.filter(pk=plans[3].pk).update(closing_reason="")
    system = RecordSystem(primary_care)
    token = system.token(client)
    validated, invalid = 0, []

    def check(resource: dict) -> None:
        nonlocal validated
        validated += 1
        try:
            valid(resource)
        except Exception as error:  # noqa: BLE001 - collected and reported below
            invalid.append(f"{resource.get('resourceType')}/{resource.get('id')}: {error}")

    for kind in ("CarePlan", "Goal", "ServiceRequest", "CareTeam", "Consent", "Appointment",
                 "Provenance"):  # fmt: skip
        path = f"{BASE}/{kind}?_count=100" + (
            "&_include=CarePlan:goal" if kind == "CarePlan" else ""
        )
        while path:
            response = client.get(path, HTTP_AUTHORIZATION=f"Bearer {token}")
            assert response.status_code == 200, response.content[:500]
            bundle = response.json()
            check(bundle)
            for entry in bundle.get("entry", []):
                check(entry["resource"])
                resource = entry["resource"]
                if entry["search"]["mode"] == "match":
                    read = client.get(
                        f"{BASE}/{resource['resourceType']}/{resource['id']}",
                        HTTP_AUTHORIZATION=f"Bearer {token}",
                    )
                    assert read.status_code == 200, read.content[:300]
                    assert read.json() == resource
                    check(read.json())
            following = [x["url"] for x in bundle["link"] if x["relation"] == "next"]
            path = following[0].replace("http://testserver", "") if following else None
    check(get(client, system, token, "metadata").json())
    record_results("fhir", cases=validated, mismatches=len(invalid))
    assert not invalid, "\n".join(invalid[:20])
    assert validated >= 1000, validated
    assert time.monotonic() - started < 60


def test_a_search_logs_one_entry_per_plan_and_protected_identity_is_labelled(
    client, system, token, sip, active_plan
):
    person = fresh(active_plan).person
    person.protected_identity = True
    person.save()
    sip.goal(active_plan, text="Ett andra mål", term="short")
    second = sip.to("consented", make_person("19750505", "234", "Kim", "Andra"))
    bundle = get(client, system, token, "Goal?_count=100").json()
    assert bundle["total"] == 2
    # Two goals of one plan: one entry.
    assert [e.object_id for e in api_log()] == [str(active_plan.pk)]
    assert {_plan_of(entry) for entry in bundle["entry"]} == {str(active_plan.pk)}
    entries = list(api_log())
    assert str(second.pk) not in {e.object_id for e in entries}  # no goals there yet

    careplan = valid(get(client, system, token, f"CarePlan/{active_plan.pk}").json())
    patient = careplan["contained"][0]
    assert patient["meta"]["security"][0]["code"] == "R"
    assert careplan["meta"]["security"][0]["code"] == "R"
    assert "Hemliga" not in str(careplan) and "070-111" not in str(careplan)


def _plan_of(entry) -> str:
    return str(Goal.objects.get(uid=entry["resource"]["id"]).plan_id)


def test_count_is_capped_at_100(client, system, token, active_plan):
    bundle = get(client, system, token, "CarePlan?_count=500").json()
    assert "_count=100" in bundle["link"][0]["url"]


def test_no_data_when_the_access_log_cannot_be_written(
    client, system, token, active_plan, monkeypatch
):
    def broken(**kwargs):
        raise AccessLogUnavailable

    monkeypatch.setattr(fhir_api, "access_log_record_many", broken)
    response = get(client, system, token, f"CarePlan/{active_plan.pk}")
    assert response.status_code == 503
    assert valid(response.json())["issue"][0]["code"] == "transient"
    assert "Eva" not in response.content.decode()
