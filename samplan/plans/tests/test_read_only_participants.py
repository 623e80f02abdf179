"""A read-only participant (Försäkringskassan) reads the plan and answers its own invitations,
and nothing else: every route is classified by the action it performs (docs/security.md)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from samplan.conftest import login
from samplan.plans import services
from samplan.plans.models import CitizenMessage, Invitee, Plan
from samplan.policy import Citizen
from samplan.testing.cast import fresh
from samplan.testing.world import plan_routes

POST_FORM = re.compile(r'<form[^>]*method="post"[^>]*action="([^"]*)"', re.IGNORECASE)


@pytest.fixture
def active_plan(sip, person) -> Plan:
    plan = sip.to("active")
    sip.invite(plan, kind="follow_up")
    services.citizen_message_send(
        actor=Citizen(person=person), plan=plan, kind="comment", text="Ring mig"
    )
    return fresh(plan)


@pytest.fixture
def frida_client(frida) -> Client:
    return login(Client(), frida)


def write_form_pages(plan: Plan) -> list[str]:
    goal, intervention = plan.goals.first(), plan.interventions.first()
    meeting = plan.meetings.filter(status="scheduled").first()
    return [
        reverse("plans:goal_edit", args=[plan.pk, goal.pk]),
        reverse("plans:intervention_edit", args=[plan.pk, intervention.pk]),
        reverse("plans:preparation", args=[plan.pk]),
        reverse("plans:consent_withdraw", args=[plan.pk]),
        reverse("plans:meeting_change", args=[plan.pk, meeting.pk]),
        reverse("plans:meeting_mode", args=[plan.pk, meeting.pk]),
        reverse("plans:establish", args=[plan.pk]),
        reverse("plans:follow_up", args=[plan.pk]),
        reverse("plans:approval", args=[plan.pk]),
        reverse("plans:close", args=[plan.pk]),
    ]


def test_a_read_only_participant_cannot_mark_the_individuals_message_as_handled(
    active_plan, frida_client
):
    message = active_plan.citizen_messages.get()
    url = reverse("plans:message_handled", args=[active_plan.pk, message.pk])
    assert frida_client.post(url).status_code == 403
    assert CitizenMessage.objects.get(pk=message.pk).handled_at is None


def test_a_read_only_participant_is_refused_every_edit_form_page(active_plan, frida_client):
    for url in write_form_pages(active_plan):
        assert frida_client.get(url).status_code == 403, url
        assert frida_client.post(url, {}).status_code == 403, url
    page = frida_client.get(write_form_pages(active_plan)[0]).content.decode()
    assert '<html lang="sv">' in page and "Du har inte behörighet att göra det här." in page


def test_a_read_only_participant_sees_no_write_form_on_any_page(active_plan, frida_client):
    """Crawl every page of the plan the unit may read: the only forms that post into the plan
    are the answers to its own invitations and the progress of its own interventions."""
    own_answers = {
        reverse("plans:meeting_respond", args=[active_plan.pk, m.pk])
        for m in active_plan.meetings.filter(invitees__unit__name="Lokalkontoret")
    } | {
        reverse("plans:intervention_progress", args=[active_plan.pk, i.pk])
        for i in active_plan.interventions.filter(unit__name="Lokalkontoret")
    }
    plan_prefix = reverse("plans:overview", args=[active_plan.pk])
    crawled = 0
    for route, name, _view in plan_routes():
        if not name.startswith("plans:") or "<int:" in route:
            continue
        response = frida_client.get(reverse(name, args=[active_plan.pk]))
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        crawled += 1
        actions = set(POST_FORM.findall(response.content.decode()))
        assert {a for a in actions if a.startswith(plan_prefix)} <= own_answers, name
    assert crawled >= 5
    assert "Markera som hanterat" not in frida_client.get(plan_prefix).content.decode()


def test_a_read_only_participant_answers_its_own_invitation(active_plan, frida_client):
    meeting = active_plan.meetings.filter(status="scheduled").first()
    url = reverse("plans:meeting_respond", args=[active_plan.pk, meeting.pk])
    response = frida_client.post(url, {"response": "accepted"})
    assert response.status_code == 302
    invitee = Invitee.objects.get(meeting=meeting, unit__name="Lokalkontoret")
    assert invitee.response == "accepted"


def test_a_read_only_participant_cannot_record_someone_elses_answer(active_plan, frida_client):
    meeting = active_plan.meetings.filter(status="scheduled").first()
    url = reverse("plans:meeting_respond", args=[active_plan.pk, meeting.pk])
    person = str(active_plan.person_id)
    assert frida_client.post(url, {"response": "accepted", "person": person}).status_code == 403


def test_the_lead_marks_the_message_as_handled_also_after_closing(sip, active_plan, alice):
    services.plan_close(**sip.as_alice, plan=fresh(active_plan), reason="not_needed")
    message = active_plan.citizen_messages.get()
    client = login(Client(), alice)
    overview = client.get(reverse("plans:overview", args=[active_plan.pk])).content.decode()
    assert "Markera som hanterat" in overview
    url = reverse("plans:message_handled", args=[active_plan.pk, message.pk])
    assert client.post(url).status_code == 302
    assert CitizenMessage.objects.get(pk=message.pk).handled_at is not None
