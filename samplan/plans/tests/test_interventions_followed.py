"""Issue 14, part 6: interventions followed through. The responsible unit reports the status
and a short note of its own intervention, also a unit that only reads the plan
(Försäkringskassan), and nothing else; an intervention whose start has passed while it is still
planned is flagged as overdue on the plan, in the worklist and in the unit's own list."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from samplan import policy
from samplan.audit.models import AccessLogEntry
from samplan.plans import rules, services
from samplan.plans.models import Intervention, Plan, PlanEvent
from samplan.plans.views.followup import progress_since_last_follow_up
from samplan.testing.cast import fresh, in_days, login, make_person, staff


@pytest.fixture
def active_plan(sip) -> Plan:
    return sip.to("active")


@pytest.fixture
def frida_client(frida) -> Client:
    return login(Client(), frida)


def own(plan: Plan, unit) -> Intervention:
    return plan.interventions.get(unit=unit)


def progress_url(plan: Plan, item: Intervention) -> str:
    return reverse("plans:intervention_progress", args=[plan.pk, item.pk])


def progress_data(item: Intervention, status: str, note: str = "") -> dict:
    return {f"progress-{item.pk}-status": status, f"progress-{item.pk}-note": note}


def make_overdue(item: Intervention, days: int = 3) -> None:
    Intervention.objects.filter(pk=item.pk).update(
        status="planned", start=timezone.localdate() - datetime.timedelta(days=days)
    )


# --- The rule ---------------------------------------------------------------------------------


def test_an_intervention_is_overdue_when_its_start_passed_and_it_is_still_planned():
    today = datetime.date(2026, 3, 10)
    item = Intervention(status="planned", start=datetime.date(2026, 3, 9))
    assert rules.intervention_overdue(item, today)
    for status in ("ongoing", "done", "cancelled"):
        assert not rules.intervention_overdue(Intervention(status=status, start=item.start), today)
    assert not rules.intervention_overdue(Intervention(status="planned", start=today), today)
    assert not rules.intervention_overdue(Intervention(status="planned", start=None), today)


def test_the_query_form_agrees_with_the_rule(active_plan, primary_care):
    item = own(active_plan, primary_care)
    make_overdue(item)
    today = timezone.localdate()
    for status in ("planned", "ongoing"):
        Intervention.objects.filter(pk=item.pk).update(status=status)
        found = Intervention.objects.filter(rules.intervention_overdue_q(today), pk=item.pk)
        assert found.exists() == rules.intervention_overdue(
            Intervention.objects.get(pk=item.pk), today
        )


# --- Försäkringskassan reports its own intervention -------------------------------------------


def test_forsakringskassan_marks_its_own_intervention_done(
    active_plan, frida_client, social_insurance, alice
):
    item = own(active_plan, social_insurance)
    note = "Utredningen är klar, beslut skickat"
    response = frida_client.post(progress_url(active_plan, item), progress_data(item, "done", note))
    assert response.status_code == 302
    assert Intervention.objects.get(pk=item.pk).status == "done"
    event = active_plan.events.filter(kind="intervention_changed").latest("at")
    assert event.acting_unit == social_insurance
    assert event.after["progress"] is True
    assert event.after["status"] == "done" and event.after["note"] == note
    assert event.before["status"] == "planned"
    # The next follow-up lists it.
    page = login(Client(), alice).get(reverse("plans:follow_up", args=[active_plan.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert note in text and "Lokalkontoret" in text and "Läget rapporterat" in text


def test_the_follow_up_lists_only_what_was_reported_since_the_last_follow_up(
    sip, active_plan, frida, social_insurance
):
    item = own(active_plan, social_insurance)
    actor = staff(frida, social_insurance)
    services.intervention_progress(
        actor=actor, intervention=item, status="ongoing", note="Före uppföljningen"
    )
    sip.follow_up(fresh(active_plan))
    services.intervention_progress(actor=actor, intervention=item, status="done", note="Efteråt")
    view = fresh(active_plan)

    class Request:
        actor = staff(sip.alice, sip.needs_assessment)

    notes = [e.after["note"] for e in progress_since_last_follow_up(Request(), view)]
    assert notes == ["Efteråt"]


def test_the_plan_page_offers_the_form_only_next_to_the_units_own_intervention(
    active_plan, frida_client, social_insurance
):
    page = frida_client.get(reverse("plans:content", args=[active_plan.pk])).content.decode()
    ours = own(active_plan, social_insurance)
    assert progress_url(active_plan, ours) in page
    for other in active_plan.interventions.exclude(pk=ours.pk):
        assert progress_url(active_plan, other) not in page
    assert "Rapportera läget" in page


def test_forsakringskassan_cannot_change_anything_else_in_the_plan(
    active_plan, frida_client, social_insurance, primary_care
):
    before = list(Plan.objects.filter(pk=active_plan.pk).values_list())
    events = PlanEvent.objects.count()
    goal = active_plan.goals.first()
    ours = own(active_plan, social_insurance)
    theirs = own(active_plan, primary_care)
    refused = [
        (reverse("plans:content", args=[active_plan.pk]), {"form": "details"}),
        (reverse("plans:goal_edit", args=[active_plan.pk, goal.pk]), {"goal-text": "Nytt"}),
        (reverse("plans:intervention_edit", args=[active_plan.pk, ours.pk]), {"status": "done"}),
        (progress_url(active_plan, theirs), progress_data(theirs, "done", "Inte vår")),
    ]
    for url, data in refused:
        assert frida_client.post(url, data).status_code == 403, url
    assert Intervention.objects.get(pk=theirs.pk).status == "planned"
    assert PlanEvent.objects.count() == events
    assert list(Plan.objects.filter(pk=active_plan.pk).values_list()) == before


def test_the_service_refuses_another_units_intervention_and_a_closed_plan(
    sip, active_plan, frida, social_insurance, primary_care
):
    actor = staff(frida, social_insurance)
    with pytest.raises(rules.RuleViolation):
        services.intervention_progress(
            actor=actor, intervention=own(active_plan, primary_care), status="done"
        )
    with pytest.raises(rules.RuleViolation):
        services.intervention_progress(
            actor=actor, intervention=own(active_plan, social_insurance), status="unknown"
        )
    services.plan_close(**sip.as_alice, plan=fresh(active_plan), reason="not_needed")
    item = Intervention.objects.get(pk=own(active_plan, social_insurance).pk)  # with its plan now
    assert policy.decide(actor, "intervention.progress", item) is policy.Decision.FORBIDDEN
    with pytest.raises(rules.RuleViolation):
        services.intervention_progress(actor=actor, intervention=item, status="done")


def test_an_invalid_report_is_shown_again_with_its_errors(
    active_plan, frida_client, social_insurance
):
    item = own(active_plan, social_insurance)
    response = frida_client.post(progress_url(active_plan, item), progress_data(item, ""))
    assert response.status_code == 400
    assert "Välj status." in response.content.decode()
    assert Intervention.objects.get(pk=item.pk).status == "planned"


def test_a_unit_outside_the_plan_does_not_even_learn_of_it(active_plan, olle):
    item = active_plan.interventions.first()
    client = login(Client(), olle)
    response = client.post(progress_url(active_plan, item), progress_data(item, "done"))
    assert response.status_code == 404


# --- Overdue on the plan, in the worklist and in "Våra insatser" ------------------------------


def test_an_intervention_past_its_start_and_still_planned_is_flagged_overdue(
    active_plan, bob, primary_care
):
    item = own(active_plan, primary_care)
    make_overdue(item)
    client = login(Client(), bob)
    plan_page = client.get(reverse("plans:content", args=[active_plan.pk])).content.decode()
    assert 'badge--overdue">försenad' in plan_page
    worklist = client.get(reverse("plans:worklist")).content.decode()
    assert "1 av våra insatser försenad" in worklist
    ours = client.get(reverse("plans:our_interventions"))
    assert ours.status_code == 200
    text = ours.content.decode()
    assert item.what in text and 'badge--overdue">försenad' in text
    assert 'href="/sip/vara-insatser/" aria-current="page"' in text
    # Started: no longer overdue.
    Intervention.objects.filter(pk=item.pk).update(status="ongoing")
    plan_page = client.get(reverse("plans:content", args=[active_plan.pk])).content.decode()
    assert 'badge--overdue">försenad' not in plan_page


def test_our_interventions_lists_only_the_units_own_overdue_first_and_logs_the_read(
    sip, active_plan, bob, primary_care, social_insurance
):
    later = sip.to("active", make_person("19700101", "111", "Anders", "Andersson"))
    overdue = own(later, primary_care)
    make_overdue(overdue)
    Intervention.objects.filter(pk=own(active_plan, primary_care).pk).update(start=in_days(5))
    before = AccessLogEntry.objects.filter(action="interventions.list").count()
    response = login(Client(), bob).get(reverse("plans:our_interventions"))
    items = response.context["items"]
    assert [i.pk for i in items] == [overdue.pk, own(active_plan, primary_care).pk]
    assert own(active_plan, social_insurance).what not in response.content.decode()
    assert AccessLogEntry.objects.filter(action="interventions.list").count() == before + 2


def _many_interventions(sip, plans: range, per_plan: int) -> None:
    for n in plans:
        plan = sip.to("consented", make_person("19600101", f"{200 + n:03d}", "Pers", f"N{n}"))
        Intervention.objects.bulk_create(
            Intervention(
                plan=plan,
                what=f"Insats {n}-{i}",
                organization=sip.region,
                unit=sip.primary_care,
                start=in_days(i - per_plan // 2),
            )
            for i in range(per_plan)
        )


def test_our_interventions_is_paginated_and_its_queries_do_not_grow_with_data(sip, bob):
    _many_interventions(sip, plans=range(1), per_plan=3)
    client = login(Client(), bob)
    url = reverse("plans:our_interventions")
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    _many_interventions(sip, plans=range(1, 5), per_plan=20)
    with CaptureQueriesContext(connection) as large:
        first = client.get(url)
    assert len(large) <= len(small)
    assert len(first.context["items"]) == 50
    assert first.context["page"].paginator.count == 83
    overdue = [i.overdue for i in first.context["items"]]
    assert overdue == sorted(overdue, reverse=True)  # the overdue first
    second = client.get(url + "?sida=2")
    assert len(second.context["items"]) == 33
    with CaptureQueriesContext(connection) as worklist_large:
        client.get(reverse("plans:worklist"))
    assert len(worklist_large) <= 30
