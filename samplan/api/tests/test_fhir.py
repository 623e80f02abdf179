"""The FHIR R4 façade (/api/fhir/R4/): read and search under the REST API's policy, consent
limits and access log; every error an OperationOutcome; every resource valid for
fhir.resources' R4B models (wire-compatible with R4 for these resources)."""

import datetime
import time

import pytest
from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class

from samplan import policy
from samplan.api import fhir, fhir_api
from samplan.api.tests.helpers import RecordSystem
from samplan.audit.models import AccessLogEntry
from samplan.audit.services import AccessLogUnavailable, access_log_append
from samplan.evaluation import default
from samplan.evaluation.models import EvaluationAnswer, InstrumentVersion
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


def without_version(resource: dict) -> dict:
    """A read carries the plan's version (meta.versionId, its ETag); a search entry does not."""
    found = dict(resource.get("meta", {}))
    found.pop("versionId", None)
    rest = {key: value for key, value in resource.items() if key != "meta"}
    return rest | ({"meta": found} if found else {})


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
        ("Consent/²", 404, "not-found"),
        ("Questionnaire/²", 404, "not-found"),
        ("QuestionnaireResponse/1-2-²-q1", 404, "not-found"),
        ("AuditEvent/²", 404, "not-found"),
        ("Questionnaire?patient=19811218-9876", 400, "not-supported"),
        ("QuestionnaireResponse?authored=yesterday", 400, "invalid"),
        ("AuditEvent?entity=CarePlan/x", 400, "invalid"),
        ("AuditEvent?patient=19811218-9876&date=ne2026-01-01", 400, "invalid"),
        ("AuditEvent?patient=19811218-9876&agent=x", 400, "not-supported"),
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
    version = evaluation_version()
    for n in range(12):
        evaluation_answer(version, primary_care, helps=str(n % 5 + 1), category=CATEGORIES[n % 3])
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
                    assert without_version(read.json()) == resource
                    check(read.json())
            following = [x["url"] for x in bundle["link"] if x["relation"] == "next"]
            path = following[0].replace("http://testserver", "") if following else None
    for kind in ("Questionnaire", "QuestionnaireResponse"):
        bundle = get(client, system, token, f"{kind}?_count=100").json()
        check(bundle)
        assert bundle["total"] >= 1, kind
        for entry in bundle["entry"]:
            check(entry["resource"])
            read = get(client, system, token, f"{kind}/{entry['resource']['id']}")
            assert read.json() == entry["resource"]
            check(read.json())
    audited = 0
    for plan in plans:
        bundle = get(client, system, token, f"AuditEvent?entity=CarePlan/{plan.pk}&_count=100")
        bundle = bundle.json()
        check(bundle)
        for number, entry in enumerate(bundle.get("entry", [])):
            audited += 1
            check(entry["resource"])
            if number == 0:  # one read a plan: the reads are many, the mapping one
                read = get(client, system, token, f"AuditEvent/{entry['resource']['id']}")
                assert read.json() == entry["resource"]
                check(read.json())
    assert audited >= 20
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


# --- The evaluation: the questionnaire, and answers in aggregate only ---------------------------


# A month whose calendar quarter's answers are all in (its requests have expired).
CLOSED_MONTH = (timezone.localdate() - datetime.timedelta(days=200)).replace(day=1)
CATEGORIES = ("individual", "guardian", "relative")


def evaluation_version() -> InstrumentVersion:
    from django.apps import apps

    default.install(apps)
    return InstrumentVersion.objects.get(instrument__code="samplan-sip-evaluation", version="1")


def evaluation_answer(version, unit, *, helps="5", month=CLOSED_MONTH, category="individual",
                      **extra):  # fmt: skip
    made = EvaluationAnswer.objects.create(
        version=version,
        occasion="follow_up",
        category=category,
        month=month,
        answers={"sip_helps": helps, **extra},
    )
    made.units.set([unit])
    return made


def counts(resource) -> list:
    """Every count the resource sends (answer-count and the per-category count), and the
    number of masked ones."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("url") in {fhir.ANSWER_COUNT, "count", fhir.RESPONDENTS}:
                found.append(node.get("valueInteger"))
            if node.get("url") == fhir.DATA_ABSENT:
                found.append("masked")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(resource)
    return found


def helps_item(resource) -> dict:
    return next(item for item in resource["item"] if item["linkId"] == "sip_helps")


def test_the_questionnaire_is_served_as_its_export_file_holds_it(client, system, token):
    version = evaluation_version()
    bundle = get(client, system, token, "Questionnaire").json()
    ids = {entry["resource"]["id"] for entry in bundle["entry"]}
    assert str(version.pk) in ids
    resource = valid(get(client, system, token, f"Questionnaire/{version.pk}").json())
    assert resource["url"] == "urn:samplan:questionnaire:samplan-sip-evaluation"
    assert any(item["linkId"] == "sip_helps" for item in resource["item"])
    url = get(client, system, token, f"Questionnaire?url={resource['url']}&version=1").json()
    assert [e["resource"]["id"] for e in url["entry"]] == [str(version.pk)]
    assert get(client, system, token, "Questionnaire/999999").status_code == 404
    assert not api_log().exists()  # no personal data: nothing to log


def test_four_answers_give_no_figures_and_five_give_suppressed_ones(
    client, system, token, primary_care, needs_assessment
):
    version = evaluation_version()
    for helps in ("5", "5", "5", "4"):
        evaluation_answer(version, primary_care, helps=helps)
    for _n in range(20):  # another unit's answers never count for this one
        evaluation_answer(version, needs_assessment, helps="1")
    assert get(client, system, token, "QuestionnaireResponse").json()["total"] == 0

    evaluation_answer(version, primary_care, helps="1", sip_comment="Bara jag skrev detta")
    bundle = get(client, system, token, "QuestionnaireResponse").json()
    assert bundle["total"] == 1
    resource = valid(bundle["entry"][0]["resource"])
    assert resource["meta"]["tag"][0]["code"] == "aggregate"
    assert "subject" not in resource and "author" not in resource and "source" not in resource
    item = helps_item(resource)
    assert item["extension"][0] == {"url": fhir.ANSWER_COUNT, "valueInteger": 5}
    # "5" three times, "4" once, "1" once: every count of the distribution is 1 to 4, hidden.
    assert {a["valueCoding"]["code"] for a in item["answer"]} == {"5", "4", "1"}
    assert all(a["extension"] == [{"url": fhir.DATA_ABSENT, "valueCode": "masked"}]
               for a in item["answer"])  # fmt: skip
    # No count from 1 to 4 anywhere, and no free text.
    assert not [n for n in counts(resource) if isinstance(n, int) and 0 < n < 5]
    assert "Bara jag" not in str(resource)
    assert not api_log().exists()
    read = get(client, system, token, f"QuestionnaireResponse/{resource['id']}")
    assert read.json() == resource


def test_one_persons_answer_is_never_told_apart(client, system, token, primary_care):
    """Ten agree, one does not: the one is hidden, and so is a second count (the total minus
    the shown counts would give it); the quarter not yet complete is not served at all."""
    version = evaluation_version()
    for _n in range(10):
        evaluation_answer(version, primary_care, helps="5")
    evaluation_answer(version, primary_care, helps="1", category="relative")
    resource = get(client, system, token, "QuestionnaireResponse").json()["entry"][0]["resource"]
    item = helps_item(resource)
    shown = {a["valueCoding"]["code"]: a["extension"][0] for a in item["answer"]}
    assert shown["1"] == {"url": fhir.DATA_ABSENT, "valueCode": "masked"}
    assert shown["5"] == {"url": fhir.DATA_ABSENT, "valueCode": "masked"}  # the second one
    by_category = {
        part["valueCoding"]["code"]: ext["extension"]
        for ext in item["extension"]
        if ext["url"] == fhir.BY_RESPONDENT
        for part in ext["extension"]
        if part["url"] == "category"
    }
    assert {"url": fhir.DATA_ABSENT, "valueCode": "masked"} in by_category["relative"]
    assert not [n for n in counts(resource) if isinstance(n, int) and 0 < n < 5]

    # This quarter's answers are not all in yet: not served, whatever their number.
    today = timezone.localdate()
    for _n in range(6):
        evaluation_answer(version, primary_care, helps="3", month=today.replace(day=1))
    ids = {e["resource"]["id"] for e in get(client, system, token, "QuestionnaireResponse")
           .json()["entry"]}  # fmt: skip
    quarter = f"{today.year}-q{(today.month - 1) // 3 + 1}"
    assert not any(id_.endswith(quarter) for id_ in ids)
    this = f"{primary_care.pk}-{version.pk}-{quarter}"
    assert get(client, system, token, f"QuestionnaireResponse/{this}").status_code == 404


def test_another_units_figures_are_a_404(client, system, token, needs_assessment, primary_care):
    version = evaluation_version()
    for _n in range(6):
        evaluation_answer(version, needs_assessment)
    quarter = f"{CLOSED_MONTH.year}-q{(CLOSED_MONTH.month - 1) // 3 + 1}"
    other = f"{needs_assessment.pk}-{version.pk}-{quarter}"
    assert get(client, system, token, f"QuestionnaireResponse/{other}").status_code == 404
    for bad in ("x", "1-2-3", f"{primary_care.pk}-{version.pk}-{quarter}"):
        assert get(client, system, token, f"QuestionnaireResponse/{bad}").status_code == 404


def test_a_record_system_reads_its_own_units_evaluation_results_and_no_other_figures(
    primary_care, bob
):
    """The policy's one addition: the role system reads evaluation.results (its own unit,
    figures_scopes "units"), and no other figures; a caseworker none."""
    system = RecordSystem(primary_care)
    actor = policy.Staff(user=system.client.user, unit=primary_care, role="system")
    assert policy.decide(actor, "evaluation.results", None) is policy.Decision.ALLOW
    assert policy.decide(actor, "statistics.view", None) is policy.Decision.NOT_FOUND
    assert policy.decide(actor, "deviation.learn", None) is policy.Decision.NOT_FOUND
    caseworker = policy.Staff(user=bob, unit=primary_care, role="caseworker")
    assert policy.decide(caseworker, "evaluation.results", None) is policy.Decision.NOT_FOUND


# --- AuditEvent: the reads of a plan ------------------------------------------------------------


def read_by(plan, unit, user, *, channel="web", object_type="plan", obj_id=None):
    entry = AccessLogEntry(
        action="plans:detail",
        user=user,
        unit=unit,
        organization=unit.organization if unit else None,
        person=plan.person,
        object_type=object_type,
        object_id=obj_id or str(plan.pk),
        channel=channel,
    )
    access_log_append([entry])
    return entry


def test_the_reads_of_a_plan_are_audit_events_naming_units_never_staff(
    client, system, token, active_plan, needs_assessment, alice
):
    plan = fresh(active_plan)
    web = read_by(plan, needs_assessment, alice)
    own = read_by(plan, None, None, channel="citizen")  # the individual in Min SIP
    other = read_by(plan, needs_assessment, alice, object_type="admission", obj_id="7")
    bundle = get(client, system, token, f"AuditEvent?patient={plan.person.identity_number}")
    bundle = bundle.json()
    ids = [entry["resource"]["id"] for entry in bundle["entry"]]
    assert ids == [str(web.pk)]
    assert str(own.pk) not in ids and str(other.pk) not in ids
    event = valid(bundle["entry"][0]["resource"])
    assert event["agent"][0]["who"]["display"] == needs_assessment.name
    assert event["entity"][1]["what"] == {"reference": f"CarePlan/{plan.pk}"}
    assert alice.get_full_name() not in str(event) and "alice" not in str(event)
    # The search was itself a read of the plan, logged before the answer; the next search
    # lists it, as the API's read, oldest first.
    assert [(e.action, e.object_id) for e in api_log()] == [("fhir:fhir-search", str(plan.pk))]
    again = get(client, system, token, f"AuditEvent?entity=CarePlan/{plan.pk}").json()
    assert again["total"] == 2
    latest = valid(again["entry"][1]["resource"])
    assert latest["type"]["code"] == "rest" and latest["subtype"][0]["code"] == "read"
    assert latest["agent"][0]["who"]["display"] == system.client.unit.name
    read = get(client, system, token, f"AuditEvent/{web.pk}")
    assert read.json() == event
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    dated = get(client, system, token, f"AuditEvent?entity={plan.pk}&date=ge{tomorrow}").json()
    assert dated["total"] == 0
    for path in (f"AuditEvent/{own.pk}", f"AuditEvent/{other.pk}", "AuditEvent/x"):
        assert get(client, system, token, path).status_code == 404


def test_the_reads_of_a_plan_the_unit_does_not_see_are_a_404(
    client, system, token, other_plan, needs_assessment, alice
):
    entry = read_by(fresh(other_plan), needs_assessment, alice)
    assert get(client, system, token, f"AuditEvent/{entry.pk}").status_code == 404
    bundle = get(client, system, token, f"AuditEvent?entity=CarePlan/{other_plan.pk}").json()
    assert bundle["total"] == 0
    person = fresh(other_plan).person
    assert get(client, system, token, f"AuditEvent?patient={person.pk}").json()["total"] == 0
    assert not api_log().exists()
    response = get(client, system, token, "AuditEvent")
    assert response.status_code == 400 and response.json()["issue"][0]["code"] == "required"
    response = get(client, system, token, "AuditEvent?entity=Goal/1")
    assert response.status_code == 400


def test_the_capability_statement_lists_the_evaluation_and_the_access_log(client, system, token):
    body = valid(get(client, system, token, "metadata").json())
    types = {entry["type"]: entry for entry in body["rest"][0]["resource"]}
    assert {"Questionnaire", "QuestionnaireResponse", "AuditEvent"} <= set(types)
    names = {p["name"] for p in types["AuditEvent"]["searchParam"]}
    assert {"patient", "entity", "date"} <= names
