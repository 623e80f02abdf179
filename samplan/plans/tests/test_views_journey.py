"""The staff journey through the pages, and the access rules on every page."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from samplan.accounts.models import Membership, Organization
from samplan.audit.models import AccessLogEntry
from samplan.conftest import login, make_unit, make_user
from samplan.plans.models import Goal, Intervention, Plan
from samplan.testing.cast import begin

TOMORROW = timezone.localdate() + datetime.timedelta(days=1)
IN_A_MONTH = timezone.localdate() + datetime.timedelta(days=30)


@pytest.fixture
def fk_unit(db):
    fk = Organization.objects.create(
        name="Försäkringskassan", kind="other", organization_number="202100-5521"
    )
    return make_unit(fk, "Lokalt försäkringscenter", "social_insurance")


@pytest.fixture
def outsider(municipality):
    return make_user(
        "otto", (make_unit(municipality, "Hemtjänst", "home_care"), Membership.Role.CASEWORKER)
    )


def post_ok(client: Client, url: str, data: dict) -> None:
    """Post a form; the plan page's forms carry a prefix named by the 'form' field."""
    prefix = data.get("form") if url.endswith("/plan/") else None
    if prefix:
        data = {k if k == "form" else f"{prefix}-{k}": v for k, v in data.items()}
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:4000]


def started_plan(client, person) -> Plan:
    response = client.post(
        "/sip/ny/", {"step": "find", "identity_number": "19811218-9876"}, follow=True
    )
    assert "Eva Exempel" in response.content.decode()
    post_ok(
        client,
        "/sip/ny/",
        {
            "step": "initiate",
            "person": person.pk,
            "source": "staff",
            "reasons": ["several_units", "unclear"],
        },
    )
    return Plan.objects.get()


def consent(client, plan, *units) -> None:
    post_ok(
        client,
        f"/sip/{plan.pk}/samtycke/",
        {
            "decision": "given",
            "decided_on": timezone.localdate().isoformat(),
            "mode": "written",
            "units": [u.pk for u in units],
            "exclusions": "Inte min missbruksvård",
        },
    )


def test_a_caseworker_runs_a_sip_from_initiative_to_closing(
    client, alice, bob, person, needs_assessment, primary_care, fk_unit
):
    login(client, alice)
    plan = started_plan(client, person)
    assert plan.state == "initiated" and plan.initiating_unit == needs_assessment
    consent(client, plan, needs_assessment, primary_care, fk_unit)
    starts = (timezone.localtime() + datetime.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    post_ok(
        client,
        f"/sip/{plan.pk}/moten/",
        {
            "starts_at": starts,
            "place": "Vårdcentralen, rum 3",
            f"unit_{primary_care.pk}": "digital",
            f"unit_{fk_unit.pk}": "written",
            f"unit_{needs_assessment.pk}": "oral",
            f"person_{person.pk.hex}": "written",
        },
    )
    plan.refresh_from_db()
    assert plan.state == "invited"
    meeting = plan.meetings.get()
    mode_page = client.get(f"/sip/{plan.pk}/moten/{meeting.pk}/motesla/").content.decode()
    assert "Aktuell situation" in mode_page or "Current situation" in mode_page
    post_ok(
        client,
        f"/sip/{plan.pk}/plan/",
        {
            "form": "goal",
            "lock_version": 0,
            "term": "long",
            "text": "Jag vill bo kvar hemma",
            "status": "open",
        },
    )
    goal = Goal.objects.get()
    for org, unit, what in [
        (needs_assessment.organization, needs_assessment, "Boendestöd två gånger i veckan"),
        (primary_care.organization, primary_care, "Läkemedelsgenomgång"),
        (fk_unit.organization, fk_unit, "Utreda sjukpenning"),
    ]:
        post_ok(
            client,
            f"/sip/{plan.pk}/plan/",
            {
                "form": "intervention",
                "lock_version": 0,
                "what": what,
                "organization": org.pk,
                "responsible_unit": unit.pk,
                "status": "planned",
                "goals": [goal.pk],
            },
        )
    post_ok(
        client,
        f"/sip/{plan.pk}/plan/",
        {
            "form": "details",
            "lock_version": plan.lock_version,
            "overall_responsibility": needs_assessment.organization.pk,
            "lead": alice.pk,
            "next_follow_up": IN_A_MONTH.isoformat(),
            "self_actions": "Tar mina mediciner",
        },
    )
    begin(meeting)  # the meeting starts; now it can be recorded as held
    post_ok(
        client,
        f"/sip/{plan.pk}/moten/{meeting.pk}/motesla/",
        {"attended": [i.pk for i in meeting.invitees.all()]},
    )
    post_ok(
        client, f"/sip/{plan.pk}/faststall/", {"approval_method": "meeting_oral", "approved": "on"}
    )
    plan.refresh_from_db()
    assert (plan.state, plan.current_version) == ("active", 1)

    bob_client = login(Client(), bob)
    assert "Eva Exempel" in bob_client.get("/sip/").content.decode()
    post_ok(
        bob_client,
        f"/sip/{plan.pk}/uppfoljning/",
        {
            "how_it_went": "Bra",
            "helped_hindered": "Boendestödet",
            "coordination_needed": "yes",
            "continue_interventions": "Ja",
            "decision": "revise",
            "next_follow_up": IN_A_MONTH.isoformat(),
            "approval_method": "meeting_oral",
        },
    )
    plan.refresh_from_db()
    assert (plan.state, plan.current_version) == ("active", 2)
    assert "Version 2" in client.get(f"/sip/{plan.pk}/versioner/?a=1&b=2").content.decode()

    post_ok(client, f"/sip/{plan.pk}/avsluta/", {"reason": "works", "text": ""})
    plan.refresh_from_db()
    assert plan.state == "closed"
    notices_page = client.get(f"/sip/{plan.pk}/informerade/")  # Samplan told them all
    assert notices_page.status_code == 200
    told = notices_page.content.decode()
    assert "Vårdcentralen –" in told and "meddelande från Samplan" in told
    assert person.full_name in told
    history = client.get(f"/sip/{plan.pk}/historik/").content.decode()
    for step in (
        "SIP initierad",
        "Samtycke registrerat",
        "Planen upprättad",
        "Uppföljning registrerad",
        "SIP avslutad",
    ):
        assert step in history, step


def test_an_outsider_gets_404_on_every_page_of_a_plan(
    client, alice, outsider, person, needs_assessment
):
    plan = Plan.objects.create(person=person, initiated_by=alice, initiating_unit=needs_assessment)
    login(client, outsider)
    for path in (
        "",
        "plan/",
        "moten/",
        "samtycke/",
        "versioner/",
        "historik/",
        "forberedelse/",
        "faststall/",
    ):
        assert client.get(f"/sip/{plan.pk}/{path}").status_code == 404, path
    assert client.post(f"/sip/{plan.pk}/avsluta/", {"reason": "works"}).status_code == 404
    assert "Eva" not in client.get("/sip/").content.decode()


def test_a_read_only_participant_gets_403_on_writes(
    client, alice, person, needs_assessment, primary_care, fk_unit
):
    login(client, alice)
    plan = started_plan(client, person)
    consent(client, plan, needs_assessment, primary_care, fk_unit)
    mikael = make_user("mikael", (fk_unit, Membership.Role.CASEWORKER))
    fk = login(Client(), mikael)
    assert fk.get(f"/sip/{plan.pk}/").status_code == 200
    assert (
        fk.post(
            f"/sip/{plan.pk}/plan/", {"form": "goal", "goal-term": "long", "goal-text": "x"}
        ).status_code
        == 403
    )
    assert not Goal.objects.exists()


def test_a_unit_removed_from_the_consent_loses_access_at_the_next_request(
    client, alice, bob, person, needs_assessment, primary_care
):
    login(client, alice)
    plan = started_plan(client, person)
    consent(client, plan, needs_assessment, primary_care)
    bob_client = login(Client(), bob)
    assert bob_client.get(f"/sip/{plan.pk}/").status_code == 200
    consent(client, plan, needs_assessment)
    assert bob_client.get(f"/sip/{plan.pk}/").status_code == 404


def test_every_plan_read_is_in_the_access_log(client, alice, person):
    login(client, alice)
    plan = started_plan(client, person)
    before = AccessLogEntry.objects.count()
    client.get(f"/sip/{plan.pk}/")
    entry = AccessLogEntry.objects.latest("id")
    assert AccessLogEntry.objects.count() == before + 1
    assert (entry.user, entry.person, entry.action, entry.unit.name) == (
        alice,
        person,
        "plans:overview",
        "Biståndshandläggning",
    )


def test_bad_input_gets_swedish_messages_and_keeps_what_was_typed(
    client, alice, person, needs_assessment
):
    login(client, alice)
    plan = started_plan(client, person)
    response = client.post(
        f"/sip/{plan.pk}/samtycke/",
        {
            "decision": "given",
            "decided_on": "2999-01-01",
            "mode": "oral",
            "units": [needs_assessment.pk],
            "exclusions": "Inget om skolan",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Samtyckets datum kan inte ligga i framtiden." in page and "Inget om skolan" in page


def test_a_stale_edit_is_refused_with_the_other_version_and_the_input_kept(
    client, alice, person, needs_assessment, primary_care
):
    login(client, alice)
    plan = started_plan(client, person)
    consent(client, plan, needs_assessment, primary_care)
    post_ok(
        client,
        f"/sip/{plan.pk}/plan/",
        {"form": "goal", "lock_version": 0, "term": "long", "text": "Första", "status": "open"},
    )
    goal = Goal.objects.get()
    post_ok(
        client,
        f"/sip/{plan.pk}/mal/{goal.pk}/",
        {"lock_version": 1, "term": "long", "text": "Andras ändring", "status": "open"},
    )
    response = client.post(
        f"/sip/{plan.pk}/mal/{goal.pk}/",
        {"lock_version": 1, "term": "long", "text": "Min ändring", "status": "open"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Andras ändring" in page and "Min ändring" in page
    assert Goal.objects.get().text == "Andras ändring"

    assert 'name="lock_version" value="2"' in page  # saving again starts from what is saved
    post_ok(
        client,
        f"/sip/{plan.pk}/mal/{goal.pk}/",
        {"lock_version": 2, "term": "long", "text": "Min ändring", "status": "open"},
    )
    assert Goal.objects.get().text == "Min ändring"


def test_query_counts_do_not_grow_with_goals_interventions_or_plans(
    client, alice, person, needs_assessment
):
    """The plan page and the worklist ask as much with eight goals, interventions and plans as
    with one (the per-page baselines in core/tests cover every page; this is the same check
    on one plan, in one test)."""
    login(client, alice)
    plan = started_plan(client, person)
    consent(client, plan, needs_assessment)

    def add(count: int) -> None:
        for n in range(count):
            Goal.objects.create(plan=plan, term="short", text=f"Mål {n}")
            Intervention.objects.create(
                plan=plan, what=f"Insats {n}", organization=needs_assessment.organization
            )
            Plan.objects.create(person=person, initiated_by=alice, initiating_unit=needs_assessment)

    def counts() -> tuple[int, int]:
        client.get(f"/sip/{plan.pk}/plan/")  # warm the per-process caches
        with CaptureQueriesContext(connection) as plan_page:
            assert client.get(f"/sip/{plan.pk}/plan/").status_code == 200
        with CaptureQueriesContext(connection) as worklist:
            assert client.get("/sip/").status_code == 200
        return len(plan_page), len(worklist)

    add(1)
    few = counts()
    add(7)
    many = counts()
    assert few == many, (few, many)  # the numbers themselves: core/tests/query_baselines.json


def test_staff_record_the_individuals_answer_to_an_invitation(
    client, alice, person, needs_assessment, primary_care
):
    login(client, alice)
    plan = started_plan(client, person)
    consent(client, plan, needs_assessment, primary_care)
    starts = (timezone.localtime() + datetime.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    post_ok(
        client,
        f"/sip/{plan.pk}/moten/",
        {
            "starts_at": starts,
            "place": "Rum 1",
            f"unit_{primary_care.pk}": "digital",
            f"person_{person.pk.hex}": "written",
        },
    )
    meeting = plan.meetings.get()
    response = client.post(
        f"/sip/{plan.pk}/moten/{meeting.pk}/svar/",
        {"person": person.pk, "response": "declined", "reason": ""},
    )
    assert response.status_code == 302
    assert meeting.invitees.get(person=person).response == "pending"
    client.post(
        f"/sip/{plan.pk}/moten/{meeting.pk}/svar/",
        {"person": person.pk, "response": "declined", "reason": "Sjuk den dagen"},
    )
    invitee = meeting.invitees.get(person=person)
    assert (invitee.response, invitee.decline_reason) == ("declined", "Sjuk den dagen")


def test_a_unit_answers_its_own_invitation_but_not_anothers(
    client, bob, alice, person, needs_assessment, primary_care
):
    login(client, alice)
    plan = started_plan(client, person)
    consent(client, plan, needs_assessment, primary_care)
    starts = (timezone.localtime() + datetime.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    post_ok(
        client,
        f"/sip/{plan.pk}/moten/",
        {"starts_at": starts, "place": "Rum 1", f"unit_{primary_care.pk}": "digital"},
    )
    meeting = plan.meetings.get()
    assert (
        client.post(
            f"/sip/{plan.pk}/moten/{meeting.pk}/svar/", {"response": "accepted"}
        ).status_code
        == 404
    )
    bob_client = login(Client(), bob)
    bob_client.post(f"/sip/{plan.pk}/moten/{meeting.pk}/svar/", {"response": "accepted"})
    assert meeting.invitees.get(unit=primary_care).response == "accepted"


def test_a_caseworker_moves_a_meeting_and_is_told_of_mistakes_in_swedish(
    client, alice, person, needs_assessment, primary_care
):
    login(client, alice)
    plan = started_plan(client, person)
    consent(client, plan, needs_assessment, primary_care)
    starts = timezone.localtime() + datetime.timedelta(days=3)
    post_ok(
        client,
        f"/sip/{plan.pk}/moten/",
        {
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "place": "Rum 1",
            f"unit_{primary_care.pk}": "digital",
        },
    )
    meeting = plan.meetings.get()
    assert f"/moten/{meeting.pk}/andra/" in client.get(f"/sip/{plan.pk}/moten/").content.decode()
    url = f"/sip/{plan.pk}/moten/{meeting.pk}/andra/"
    page = client.get(url).content.decode()
    assert "Rum 1" in page and "Ändra tid eller plats" not in page  # the form, filled in

    yesterday = timezone.localtime() - datetime.timedelta(days=1)
    response = client.post(
        url,
        {"lock_version": 1, "starts_at": yesterday.strftime("%Y-%m-%dT%H:%M"), "place": "Rum 2"},
    )
    assert response.status_code == 400
    assert "Mötet måste ligga i framtiden." in response.content.decode()
    assert 'value="Rum 2"' in response.content.decode()

    later = (starts + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    post_ok(client, url, {"lock_version": 1, "starts_at": later, "place": "Rum 2"})
    meeting.refresh_from_db()
    assert (meeting.place, meeting.lock_version) == ("Rum 2", 2)

    stale = client.post(url, {"lock_version": 1, "starts_at": later, "place": "Rum 3"})
    assert stale.status_code == 400
    text = stale.content.decode()
    assert "Någon annan sparade" in text and "Rum 2" in text and 'value="Rum 3"' in text
    assert 'name="lock_version" value="2"' in text
    assert plan.events.filter(kind="meeting_changed").count() == 1

    client.post(f"/sip/{plan.pk}/moten/{meeting.pk}/stall-in/")
    cancelled = client.get(url).content.decode()
    assert "Bara ett bokat möte kan ändras." in cancelled and "lock_version" not in cancelled
