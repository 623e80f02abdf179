"""A SIP kept elsewhere (issue 14, part 4): registered with where it is kept, its date, the
principals, the lead and the next follow-up, it counts in the worklist and the deadlines; its
content is written in Samplan once it is brought in."""

import datetime

import pytest
from django.utils import timezone

from samplan import policy
from samplan.conftest import login
from samplan.core.dates import short_day
from samplan.plans import access, rules, services
from samplan.plans.models import Plan, PlanEvent
from samplan.testing.cast import Sip, fresh, make_person, refused, staff

TODAY = timezone.localdate()


def register(sip: Sip, person=None, **overrides) -> Plan:
    arguments = {
        "person": person or sip.person,
        "kept": Plan.KeptElsewhere.PAPER,
        "where": "Pappersakten hos biståndshandläggningen",
        "made_on": TODAY - datetime.timedelta(days=200),
        "principals": [sip.primary_care],
        "lead_name": "Anna Andersson, biståndshandläggningen",
        "next_follow_up": TODAY + datetime.timedelta(days=20),
    }
    return services.plan_register_elsewhere(**sip.as_alice, **(arguments | overrides))


def test_registering_a_paper_sip_through_the_start_page_puts_it_in_the_worklist(client, sip):
    login(client, sip.alice)
    found = client.post(
        "/sip/ny/", {"step": "find", "identity_number": sip.person.identity_display}
    )
    assert found.status_code == 302
    page = client.get(found["Location"])
    assert "SIP:en finns redan på papper eller i ett annat system" in page.content.decode()
    follow_up = TODAY + datetime.timedelta(days=30)
    response = client.post(
        "/sip/ny/",
        {
            "step": "elsewhere",
            "person": sip.person.pk,
            "kept_elsewhere": "paper",
            "kept_where": "Pappersakten hos biståndshandläggningen",
            "made_on": (TODAY - datetime.timedelta(days=100)).isoformat(),
            "principals": [sip.needs_assessment.pk, sip.primary_care.pk],
            "lead_name": "Anna Andersson",
            "next_follow_up": follow_up.isoformat(),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    plan = Plan.objects.get(person=sip.person)
    assert rules.kept_elsewhere(plan) and plan.state == Plan.State.ACTIVE
    assert (plan.deadline_kind, plan.deadline_due) == ("follow_up", follow_up)
    worklist = client.get("/sip/").content.decode()
    assert sip.person.full_name in worklist
    assert short_day(follow_up) in worklist
    assert "Finns på papper" in worklist
    overview = client.get(f"/sip/{plan.pk}/").content.decode()
    assert "Pappersakten hos biståndshandläggningen" in overview
    assert "SIP:en finns någon annanstans" in overview
    assert f"/sip/{plan.pk}/for-in/" in overview


def test_the_registration_is_an_event_and_the_principals_take_part(sip):
    plan = register(sip)
    assert {p.unit for p in plan.participants.all()} == {sip.needs_assessment, sip.primary_care}
    event = PlanEvent.objects.get(plan=plan, kind=PlanEvent.Kind.REGISTERED_ELSEWHERE)
    assert event.actor == sip.alice and event.after["lead_name"].startswith("Anna")


@pytest.mark.usefixtures("messages_in_english")
def test_a_follow_up_in_the_past_is_refused(sip):
    with refused("The next follow-up cannot be before"):
        register(sip, next_follow_up=TODAY - datetime.timedelta(days=1))
    assert not Plan.objects.filter(person=sip.person).exists()


@pytest.mark.usefixtures("messages_in_english")
def test_a_sip_made_in_the_future_is_refused(sip):
    with refused("The date the SIP was made cannot be after"):
        register(sip, made_on=TODAY + datetime.timedelta(days=1))


def test_a_person_with_an_open_sip_is_refused(sip):
    sip.initiate()
    with pytest.raises(services.OpenPlanExists):
        register(sip)
    assert Plan.objects.filter(person=sip.person).count() == 1


@pytest.mark.usefixtures("messages_in_english")
def test_a_joint_plan_counts_as_the_sip_only_when_it_meets_the_law(sip):
    with refused("contains what the law requires"):
        register(sip, kept=Plan.KeptElsewhere.JOINT_PLAN)
    plan = register(sip, kept=Plan.KeptElsewhere.JOINT_PLAN, meets_law=True)
    assert rules.kept_elsewhere(plan) and not rules.kept_on_paper(plan)


@pytest.mark.usefixtures("messages_in_english")
def test_both_principals_must_take_part(sip):
    with refused("At least one municipality unit and one region unit"):
        register(sip, principals=[sip.social_insurance])


def test_a_unit_not_among_the_principals_does_not_see_it(sip):
    plan = register(sip)
    outsider = staff(sip.frida, sip.social_insurance)
    assert policy.decide(outsider, "plan.view", fresh(plan)) is policy.Decision.NOT_FOUND
    assert not access.plans_of_unit(sip.social_insurance).filter(pk=plan.pk).exists()
    assert access.plans_of_unit(sip.primary_care).filter(pk=plan.pk).exists()


@pytest.mark.usefixtures("messages_in_english")
def test_its_content_is_not_written_in_samplan_until_it_is_brought_in(sip):
    plan = register(sip)
    assert not rules.may_start("content.edit", plan)
    assert rules.next_step(plan) == "bring_in"
    with refused("Bring it into Samplan"):
        sip.goal(plan)


def test_bringing_it_in_makes_the_content_editable_and_keeps_the_history(client, sip):
    plan = register(sip)
    login(client, sip.alice)
    response = client.post(f"/sip/{plan.pk}/for-in/")
    assert response.status_code == 302 and response["Location"] == f"/sip/{plan.pk}/plan/"
    plan = fresh(plan)
    assert not rules.kept_elsewhere(plan)
    assert plan.kept_where == "Pappersakten hos biståndshandläggningen"
    assert rules.may_start("content.edit", plan)
    sip.goal(plan)
    kinds = list(PlanEvent.objects.filter(plan=plan).values_list("kind", flat=True))
    assert kinds[:2] == [PlanEvent.Kind.REGISTERED_ELSEWHERE, PlanEvent.Kind.BROUGHT_IN]
    assert plan.deadline_kind == "follow_up"
    # Bringing it in again is refused: it is in Samplan already.
    with refused("Endast en SIP som finns någon annanstans"):
        services.plan_bring_in(**sip.as_alice, plan=plan)


def test_a_unit_that_only_reads_cannot_bring_it_in(client, sip):
    person = make_person("19800101", "123", "Pia", "Papper")
    plan = register(sip, person=person, principals=[sip.primary_care, sip.social_insurance])
    login(client, sip.frida)
    response = client.post(f"/sip/{plan.pk}/for-in/")
    assert response.status_code in {403, 302}
    assert rules.kept_elsewhere(fresh(plan))


def test_the_start_page_shows_a_refusal_at_its_field(client, sip):
    login(client, sip.alice)
    response = client.post(
        "/sip/ny/",
        {
            "step": "elsewhere",
            "person": sip.person.pk,
            "kept_elsewhere": "other_system",
            "kept_where": "Cosmic",
            "made_on": (TODAY - datetime.timedelta(days=10)).isoformat(),
            "principals": [sip.primary_care.pk],
            "lead_name": "Anna Andersson",
            "next_follow_up": (TODAY - datetime.timedelta(days=3)).isoformat(),
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nästa uppföljning kan inte vara före" in page
    assert '<details class="card" open>' in page
    assert not Plan.objects.filter(person=sip.person).exists()
