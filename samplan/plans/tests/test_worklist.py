"""The worklist at scale: the next deadline is stored on the plan and kept current, so that
"Mina SIP" filters and sorts in the database and shows one bounded page at a time."""

import datetime

import pytest
from django.utils import timezone

from samplan.audit.models import AccessLogEntry
from samplan.conftest import login
from samplan.plans import rules, services
from samplan.plans.models import LocalAgreement, Plan
from samplan.testing.cast import Sip, fresh, make_person

STATES = ["initiated", "consent_refused", "consented", "invited", "active", "follow_up"]
STATES += ["revision", "closed"]


def stored(plan: Plan) -> dict:
    plan = fresh(plan)
    return {name: getattr(plan, name) for name in rules.deadline_columns(plan)}


@pytest.mark.parametrize("state", STATES)
def test_the_stored_deadline_is_the_rules_deadline_in_every_state(sip: Sip, state):
    plan = sip.to(state)
    assert stored(plan) == rules.deadline_columns(fresh(plan))
    expected = {"initiated": "consent", "consented": "first_meeting", "invited": "first_meeting"}
    kind = expected.get(state, "follow_up" if state in {"active", "follow_up", "revision"} else "")
    assert stored(plan)["deadline_kind"] == kind


def test_a_new_follow_up_date_moves_the_stored_deadline(sip: Sip):
    plan = sip.to("active")
    sip.update(plan, next_follow_up=timezone.localdate() + datetime.timedelta(days=3))
    assert stored(plan)["deadline_due"] == timezone.localdate() + datetime.timedelta(days=3)
    assert rules.stored_deadline(fresh(plan)).status == "due_soon"


def test_a_changed_local_agreement_moves_its_organisations_deadlines(client, sip: Sip, adam):
    plan = sip.initiate()
    before = stored(plan)["deadline_due"]
    client.force_login(adam)
    response = client.post(
        "/admin/plans/localagreement/add/",
        {
            "organization": sip.municipality.pk,
            "consent_within_days": 1,
            "first_meeting_within_days": 10,
            "due_soon_days": 1,
            "child_reads_from_age": 16,
            "discharge_invitation_within_days": 3,
            "discharge_days_counted": "calendar",
            "failure_first_step_days": 14,
            "escalation_steps-TOTAL_FORMS": "0",
            "escalation_steps-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    assert LocalAgreement.objects.filter(organization=sip.municipality).exists()
    assert stored(plan)["deadline_due"] == before - datetime.timedelta(days=4)


def many_plans(sip: Sip, count: int) -> list[Plan]:
    """`count` plans initiated by Alice's unit, for as many individuals."""
    plans = []
    for n in range(count):
        person = make_person("19700101", f"{100 + n:03d}", f"Person{n}", "Testsson")
        plans.append(sip.initiate(person))
    return plans


def test_the_worklist_shows_fifty_plans_a_page_and_logs_only_those_shown(client, sip: Sip):
    many_plans(sip, 55)
    login(client, sip.alice)
    before = AccessLogEntry.objects.filter(action="plan.list").count()
    first = client.get("/sip/").content.decode()
    assert first.count('href="/sip/') - first.count('href="/sip/ny/') >= 50
    assert "Sida 1 av 2" in first and "1–50 av 55" in first
    assert AccessLogEntry.objects.filter(action="plan.list").count() == before + 50
    second = client.get("/sip/?sida=2").content.decode()
    assert "Sida 2 av 2" in second and "51–55 av 55" in second
    assert 'rel="prev"' in second and 'rel="next"' not in second
    assert AccessLogEntry.objects.filter(action="plan.list").count() == before + 55


def test_search_results_are_a_get_page_named_by_a_search_id_and_paged_by_links(client, sip: Sip):
    many_plans(sip, 55)
    login(client, sip.alice)
    posted = client.post("/sip/", {"query": "Testsson"})
    assert posted.status_code == 302 and "Testsson" not in posted["Location"]
    first = client.get(posted["Location"]).content.decode()
    assert "Sida 1 av 2" in first and "1–50 av 55" in first
    assert 'name="query" value="Testsson"' in first
    sid = posted["Location"].split("sok=")[1]
    assert f"?sok={sid}&amp;sida=2" in first
    second = client.get("/sip/", {"sok": sid, "sida": "2"}).content.decode()
    assert "Sida 2 av 2" in second and "51–55 av 55" in second


def test_a_page_number_that_is_not_a_page_shows_a_page(client, sip: Sip):
    many_plans(sip, 3)
    login(client, sip.alice)
    for bad in ("abc", "0", "-1", "999", "²", "1" * 40):
        response = client.get("/sip/", {"sida": bad})
        assert response.status_code == 200, bad


def test_the_overdue_and_due_soon_filters_are_answered_by_the_database(client, sip: Sip):
    late, soon, later = many_plans(sip, 3)
    today = timezone.localdate()
    Plan.objects.filter(pk=late.pk).update(initiated_at=timezone.now() - datetime.timedelta(30))
    services.deadlines_refresh(Plan.objects.filter(pk=late.pk))
    Plan.objects.filter(pk=later.pk).update(deadline_due=today + datetime.timedelta(days=60))
    Plan.objects.filter(pk=later.pk).update(deadline_soon_from=today + datetime.timedelta(53))
    login(client, sip.alice)
    overdue = client.get("/sip/", {"flag": "overdue"}).content.decode()
    assert late.person.full_name in overdue
    assert soon.person.full_name not in overdue and later.person.full_name not in overdue
    due_soon = client.get("/sip/", {"flag": "due_soon"}).content.decode()
    assert soon.person.full_name in due_soon
    assert late.person.full_name not in due_soon and later.person.full_name not in due_soon
    assert rules.stored_deadline(fresh(late)).status == "overdue"


def test_a_long_history_is_shown_newest_first_fifty_steps_a_page(client, sip: Sip):
    plan = sip.to("active")
    for n in range(60):
        sip.goal(plan, text=f"Mål nummer {n}")
    login(client, sip.alice)
    first = client.get(f"/sip/{plan.pk}/historik/").content.decode()
    assert "Mål nummer 59" in first and "Mål nummer 0<" not in first
    assert "Sida 1 av 2" in first
    last = client.get(f"/sip/{plan.pk}/historik/", {"sida": 2}).content.decode()
    assert "SIP initierad" in last


def test_the_start_page_counts_the_units_overdue_sips_and_links_to_them(client, sip: Sip):
    late, _on_time = many_plans(sip, 2)
    Plan.objects.filter(pk=late.pk).update(initiated_at=timezone.now() - datetime.timedelta(30))
    services.deadlines_refresh(Plan.objects.filter(pk=late.pk))
    login(client, sip.alice)
    page = client.get("/").content.decode()
    assert "1 SIP har en tidsfrist som har passerat." in page
    assert "/sip/?flag=overdue" in page
