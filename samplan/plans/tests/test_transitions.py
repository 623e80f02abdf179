"""Every transition of a SIP through the services: what it does, what it refuses, what it logs.

A refused transition raises RuleViolation and leaves the plan as it was.
"""

import datetime

import pytest
from django.utils import timezone

from samplan.notifications.models import Notification
from samplan.plans import rules, services
from samplan.plans.models import ClosingNotice, Consent, Meeting, Plan
from samplan.policy import Citizen
from samplan.testing.cast import (
    assert_event,
    begin,
    fresh,
    in_days,
    make_person,
    refused,
    staff,
)

pytestmark = pytest.mark.usefixtures("messages_in_english")


def withdraw(sip, plan, **overrides):
    arguments = {"decided_on": timezone.localdate(), "mode": "oral"}
    return services.consent_withdraw(**sip.as_alice, plan=plan, **(arguments | overrides))


def close(sip, plan, **arguments):
    return services.plan_close(**sip.as_alice, plan=plan, **arguments)


def respond(invitee, *, actor, response, reason=""):
    return services.invitation_respond(
        actor=actor, invitee=invitee, response=response, reason=reason
    )


# --- Initiative -----------------------------------------------------------------------------


def test_staff_initiate_a_plan_for_an_individual_with_a_reason(sip, alice, needs_assessment):
    plan = sip.initiate()
    assert plan.state == "initiated" and plan.reasons == ["several_units"]
    assert (plan.initiated_by, plan.initiating_unit) == (alice, needs_assessment)
    assert [(p.unit, p.access) for p in plan.participants.all()] == [(needs_assessment, "edit")]
    assert_event(plan, "initiated", alice, needs_assessment)


def test_an_initiative_needs_a_reason(sip):
    with refused("Give at least one reason why a SIP is needed"):
        sip.initiate(reasons=[], reason_text="  ")
    assert not Plan.objects.exists()


def test_a_reason_in_free_text_is_enough(sip):
    plan = sip.initiate(reasons=[], reason_text="Familjen ber om samordning")
    assert plan.reason_text == "Familjen ber om samordning"


def test_an_unknown_reason_is_refused(sip):
    with refused("Unknown reason"):
        sip.initiate(reasons=["bored"])
    assert not Plan.objects.exists()


def test_a_proposal_from_a_relative_or_another_actor_says_who_proposed_it(sip):
    with refused("Write the name of the relative or the actor"):
        sip.initiate(source="relative", source_detail=" ")
    with refused("Write the name of the relative or the actor"):
        sip.initiate(source="other_actor")
    plan = sip.initiate(source="relative", source_detail="Evas bror")
    assert (plan.initiative_source, plan.initiative_source_detail) == ("relative", "Evas bror")


def test_a_proposal_from_the_individual_needs_no_name(sip):
    plan = sip.initiate(source="individual", source_detail="")
    assert plan.initiative_source == "individual"


def test_an_individual_has_only_one_open_plan(sip, person):
    """The initiating unit sees its own plan before consent, so it is told, with the plan to
    link to. A unit that does not see the plan is told nothing: test_join_requests.py."""
    plan = sip.initiate()
    with refused("Eva Exempel already has an open SIP") as info:
        sip.initiate()
    assert isinstance(info.value, services.OpenPlanExists) and info.value.plan == plan
    assert person.plans.count() == 1


@pytest.mark.parametrize("earlier", ["consent_refused", "closed"])
def test_a_new_plan_may_follow_a_refused_consent_or_a_closed_plan(sip, person, earlier):
    sip.to(earlier)
    assert sip.initiate().state == "initiated"
    assert person.plans.count() == 2


# --- Consent --------------------------------------------------------------------------------


def test_given_consent_moves_the_plan_to_consented(sip, alice, needs_assessment):
    plan = sip.initiate()
    consent = sip.consent(plan)
    assert fresh(plan).state == "consented"
    assert (consent.number, consent.recorded_by, consent.recorded_unit) == (
        1,
        alice,
        needs_assessment,
    )
    event = assert_event(plan, "consent_given", alice, needs_assessment)
    assert event.after["state"] == ["initiated", "consented"]


def test_the_consent_scope_decides_which_units_take_part(
    sip, needs_assessment, primary_care, social_insurance
):
    plan = sip.initiate()
    sip.consent(plan)
    active = fresh(plan).participants.filter(is_active=True)
    assert {p.unit: p.access for p in active} == {
        needs_assessment: "edit",
        primary_care: "edit",
        social_insurance: "read",
    }


def test_refused_consent_moves_the_plan_to_consent_refused(sip, alice, needs_assessment):
    plan = sip.initiate()
    sip.consent(plan, decision="refused", units=[])
    plan = fresh(plan)
    assert plan.state == "consent_refused" and plan.current_consent.decision == "refused"
    assert [p.unit for p in plan.participants.all()] == [needs_assessment]
    assert_event(plan, "consent_refused", alice, needs_assessment)


def test_consent_refused_at_first_may_be_given_later(sip):
    plan = sip.to("consent_refused")
    consent = sip.consent(plan)
    assert consent.number == 2 and fresh(plan).state == "consented"


def test_a_consent_decision_is_given_or_refused(sip):
    plan = sip.initiate()
    with refused("Choose whether consent was given or refused"):
        sip.consent(plan, decision="withdrawn")
    assert fresh(plan).state == "initiated"


def test_a_child_needs_every_guardians_consent(sip, child, guardians):
    plan = sip.initiate(child)
    with refused("Every guardian must consent for a child"):
        sip.consent(plan, given_by="guardians", guardians=guardians[:1])
    assert fresh(plan).state == "initiated" and not plan.consents.exists()
    consent = sip.consent(plan, given_by="guardians", guardians=guardians, child_view="Vill ha med")
    assert set(consent.guardians.all()) == set(guardians) and consent.child_view == "Vill ha med"
    assert fresh(plan).state == "consented"


def test_only_registered_guardians_count_for_a_child(sip, child, guardians, person):
    plan = sip.initiate(child)
    with refused("Every guardian must consent for a child"):
        sip.consent(plan, given_by="guardians", guardians=[guardians[0], person])
    assert fresh(plan).state == "initiated"


def test_the_guardians_not_the_child_give_a_childs_consent(sip, child, guardians):
    plan = sip.initiate(child)
    with refused("Elsa Barnsson is a child: the guardians give the consent"):
        sip.consent(plan, given_by="individual", guardians=guardians)
    assert fresh(plan).state == "initiated"


def test_a_child_without_registered_guardians_cannot_consent(sip):
    born = timezone.localdate() - datetime.timedelta(days=10 * 365)
    orphan = make_person(born.strftime("%Y%m%d"), "567", "Nils", "Ensam")
    plan = sip.initiate(orphan)
    with refused("Register the child's guardians before recording consent"):
        sip.consent(plan, given_by="guardians", guardians=[])
    assert fresh(plan).state == "initiated"


def test_an_adult_gives_his_or_her_own_consent(sip, guardians):
    plan = sip.initiate()
    with refused("An adult gives his or her own consent"):
        sip.consent(plan, given_by="guardians", guardians=guardians)
    assert fresh(plan).state == "initiated"


def test_a_consent_cannot_be_dated_in_the_future(sip):
    plan = sip.initiate()
    with refused("The date of the consent cannot be in the future"):
        sip.consent(plan, decided_on=in_days(1))
    assert fresh(plan).state == "initiated" and not plan.consents.exists()


def initiated_days_ago(sip, days: int) -> Plan:
    """A plan initiated some days ago, so that a consent may be dated back."""
    plan = sip.initiate()
    started = timezone.now() - datetime.timedelta(days=days)
    Plan.objects.filter(pk=plan.pk).update(initiated_at=started)
    return fresh(plan)


def test_a_consent_cannot_end_before_it_was_given(sip):
    plan = initiated_days_ago(sip, 5)
    with refused("The consent cannot end before it was given"):
        sip.consent(plan, decided_on=in_days(-1), valid_until=in_days(-2))
    assert fresh(plan).state == "initiated"


def test_a_given_consent_names_at_least_one_unit(sip):
    plan = sip.initiate()
    with refused("Choose at least one unit that may take part"):
        sip.consent(plan, units=[])
    assert fresh(plan).state == "initiated"


def test_a_consent_covers_only_registered_relatives(sip, relative, guardians):
    plan = sip.initiate()
    with refused("Only the individual's registered relatives"):
        sip.consent(plan, relatives=[guardians[0]])
    consent = sip.consent(plan, relatives=[relative])
    assert list(consent.relatives.all()) == [relative]


def test_a_changed_consent_is_a_new_numbered_version(
    sip, alice, needs_assessment, primary_care, social_insurance
):
    plan = sip.to("consented")
    second = sip.consent(plan, units=[needs_assessment, primary_care], exclusions="Ekonomin")
    plan = fresh(plan)
    assert [c.number for c in plan.consents.order_by("number")] == [1, 2]
    assert plan.current_consent == second and plan.state == "consented"
    assert set(plan.consents.get(number=1).units.all()) == set(sip.scope)
    event = assert_event(plan, "consent_given", alice, needs_assessment)
    assert event.before == {"consent": 1}
    assert (event.after["consent"], event.after["removed"]) == (2, [social_insurance.name])


def test_consent_already_given_is_withdrawn_not_refused(sip):
    plan = sip.to("invited")
    with refused("Consent already given is withdrawn, not refused"):
        sip.consent(plan, decision="refused")
    plan = fresh(plan)
    assert plan.state == "invited" and plan.current_consent.decision == "given"


def test_the_consent_of_a_closed_plan_cannot_be_changed(sip):
    plan = sip.to("closed")
    with refused("The SIP is closed; consent cannot be changed"):
        sip.consent(plan)
    assert fresh(plan).consents.count() == 1


# --- Withdrawing consent --------------------------------------------------------------------


def test_withdrawn_consent_closes_the_plan_at_once(sip, alice, needs_assessment):
    plan = sip.to("active")
    withdraw(sip, plan)
    plan = fresh(plan)
    assert plan.state == "closed" and plan.closed_at is not None
    assert (plan.closing_reason, plan.closing_text) == ("consent_withdrawn", "samtycke återkallat")
    assert (plan.current_consent.number, plan.current_consent.decision) == (2, "withdrawn")
    assert_event(plan, "consent_withdrawn", alice, needs_assessment)
    assert_event(plan, "closed", alice, needs_assessment)


def test_withdrawn_consent_cancels_the_scheduled_meetings(sip):
    plan = sip.to("invited")
    withdraw(sip, plan)
    assert list(plan.meetings.values_list("status", flat=True)) == ["cancelled"]


def test_there_is_no_consent_to_withdraw_before_it_is_given(sip):
    plan = sip.initiate()
    with refused("There is no given consent to withdraw"):
        withdraw(sip, plan)
    assert fresh(plan).state == "initiated" and not plan.consents.exists()


def test_a_withdrawal_cannot_be_dated_in_the_future(sip):
    plan = sip.to("consented")
    with refused("The date cannot be in the future"):
        withdraw(sip, plan, decided_on=in_days(1))
    assert fresh(plan).state == "consented"


# --- Meetings and invitations ---------------------------------------------------------------


@pytest.mark.parametrize("state", ["initiated", "consent_refused"])
def test_no_meeting_is_scheduled_without_consent(sip, state):
    plan = sip.to(state)
    with refused("consent must be recorded before anything is shared or anyone is invited"):
        sip.invite(plan)
    assert fresh(plan).state == state and not Meeting.objects.exists()


def test_no_meeting_is_scheduled_on_an_expired_consent(sip):
    plan = initiated_days_ago(sip, 40)
    consent = sip.consent(plan, decided_on=in_days(-30), valid_until=in_days(10))
    Consent.objects.filter(pk=consent.pk).update(valid_until=in_days(-1))
    with refused("The consent expired on"):
        sip.invite(plan)
    assert fresh(plan).state == "consented"


def test_only_units_covered_by_the_consent_are_invited(sip, psychiatry):
    plan = sip.to("consented")
    with refused("Only units covered by the consent can be invited"):
        sip.invite(plan, invited_units=[(sip.primary_care, "written"), (psychiatry, "written")])
    assert fresh(plan).state == "consented" and not plan.meetings.exists()


def test_a_unit_taken_out_of_the_consent_is_no_longer_invited(sip, needs_assessment, primary_care):
    plan = sip.to("consented")
    sip.consent(plan, units=[needs_assessment, primary_care])
    with refused("Only units covered by the consent can be invited"):
        sip.invite(plan)


def test_a_meeting_invites_at_least_one_unit(sip):
    plan = sip.to("consented")
    with refused("Invite at least one unit"):
        sip.invite(plan, invited_units=[])


def test_only_the_individual_and_relatives_in_the_consent_are_invited(sip, person, relative):
    plan = sip.to("consented")
    with refused("Only the individual, guardians and relatives covered by the consent"):
        sip.invite(plan, invited_people=[(relative, "oral")])
    sip.consent(plan, relatives=[relative])
    meeting = sip.invite(plan, invited_people=[(person, "oral"), (relative, "oral")])
    assert {i.person for i in meeting.invitees.exclude(person=None)} == {person, relative}


def test_a_childs_guardians_are_invited(sip, child, guardians):
    plan = sip.initiate(child)
    sip.consent(plan, given_by="guardians", guardians=guardians)
    meeting = sip.invite(
        plan, invited_people=[(child, "oral")] + [(g, "written") for g in guardians]
    )
    assert meeting.invitees.exclude(person=None).count() == 3


def test_a_meeting_is_in_the_future(sip):
    plan = sip.to("consented")
    with refused("The meeting must be in the future"):
        sip.invite(plan, starts_at=timezone.now() - datetime.timedelta(minutes=5))
    assert fresh(plan).state == "consented"


def test_a_meeting_has_a_place_or_a_video_link(sip):
    plan = sip.to("consented")
    with refused("Give a place or a video link"):
        sip.invite(plan, place=" ")
    meeting = sip.invite(plan, place="", video_link="https://mote.example.invalid/sip")
    assert meeting.video_link == "https://mote.example.invalid/sip"


def test_the_first_meeting_moves_a_consented_plan_to_invited(
    sip, alice, needs_assessment, primary_care, social_insurance
):
    plan = sip.to("consented")
    meeting = sip.invite(plan)
    assert fresh(plan).state == "invited"
    assert (meeting.kind, meeting.status) == ("first", "scheduled")
    units = meeting.invitees.exclude(unit=None)
    assert {i.unit for i in units} == {primary_care, social_insurance}
    assert {i.response for i in meeting.invitees.all()} == {"pending"}
    event = assert_event(plan, "meeting_scheduled", alice, needs_assessment)
    assert event.after["state"] == ["consented", "invited"]


def test_by_default_the_inviter_chairs_and_writes_the_plan(sip, alice):
    meeting = sip.invite(sip.to("consented"))
    assert (meeting.chair, meeting.recorder, meeting.invited_by) == (alice, alice, alice)


def test_the_individual_may_choose_the_chair(sip, alice, bob):
    meeting = sip.invite(sip.to("consented"), chair=bob, chair_chosen_by_individual=True)
    assert (meeting.chair, meeting.recorder) == (bob, alice)
    assert meeting.chair_chosen_by_individual


def test_a_follow_up_meeting_is_for_an_established_plan(sip):
    plan = sip.to("invited")
    with refused("a follow-up meeting is for an established one"):
        sip.invite(plan, kind="follow_up")
    assert fresh(plan).state == "invited"


def test_a_first_meeting_is_for_a_new_plan(sip):
    plan = sip.to("active")
    with refused("A first meeting is for a new SIP"):
        sip.invite(plan)
    assert fresh(plan).state == "active"


def test_a_follow_up_meeting_moves_an_established_plan_to_follow_up(sip, alice, needs_assessment):
    plan = sip.to("active")
    sip.invite(plan, kind="follow_up")
    assert fresh(plan).state == "follow_up"
    assert_event(plan, "meeting_scheduled", alice, needs_assessment)


def test_an_invited_unit_accepts_its_invitation(sip, bob, primary_care):
    meeting = sip.invite(sip.to("consented"))
    invitee = meeting.invitees.get(unit=primary_care)
    respond(invitee, actor=staff(bob, primary_care), response="accepted")
    invitee.refresh_from_db()
    assert invitee.response == "accepted"
    assert_event(meeting.plan, "invitation_answered", bob, primary_care)


def test_declining_an_invitation_needs_a_reason(sip, bob, primary_care):
    meeting = sip.invite(sip.to("consented"))
    invitee = meeting.invitees.get(unit=primary_care)
    with refused("Say why the invitation is declined"):
        respond(invitee, actor=staff(bob, primary_care), response="declined", reason=" ")
    invitee.refresh_from_db()
    assert invitee.response == "pending"
    respond(invitee, actor=staff(bob, primary_care), response="declined", reason="Ingen läkare")
    invitee.refresh_from_db()
    assert (invitee.response, invitee.decline_reason) == ("declined", "Ingen läkare")


def test_only_the_invited_unit_answers_its_invitation(sip, carl, social_psychiatry, primary_care):
    meeting = sip.invite(sip.to("consented"))
    invitee = meeting.invitees.get(unit=primary_care)
    with refused("Only the invited unit can answer its invitation"):
        respond(invitee, actor=staff(carl, social_psychiatry), response="accepted")
    invitee.refresh_from_db()
    assert invitee.response == "pending"


def test_a_cancelled_meeting_cannot_be_answered(sip, alice, needs_assessment, bob, primary_care):
    meeting = sip.invite(sip.to("consented"))
    services.meeting_cancel(**sip.as_alice, meeting=meeting)
    assert_event(meeting.plan, "meeting_cancelled", alice, needs_assessment)
    with refused("The meeting is no longer scheduled"):
        respond(
            meeting.invitees.get(unit=primary_care),
            actor=staff(bob, primary_care),
            response="accepted",
        )


def reschedule(sip, meeting, **overrides):
    meeting = Meeting.objects.get(pk=meeting.pk)
    arguments = {
        "expected_version": meeting.lock_version,
        "starts_at": meeting.starts_at,
        "place": meeting.place,
        "video_link": meeting.video_link,
    }
    return services.meeting_reschedule(**sip.as_alice, meeting=meeting, **(arguments | overrides))


def test_a_meeting_moved_to_a_new_time_asks_everyone_to_answer_again(
    sip, alice, needs_assessment, bob, primary_care
):
    meeting = sip.invite(sip.to("consented"))
    respond(meeting.invitees.get(unit=primary_care), actor=staff(bob, primary_care), response="accepted")  # fmt: skip
    later = meeting.starts_at + datetime.timedelta(days=2)
    reschedule(sip, meeting, starts_at=later)
    meeting.refresh_from_db()
    assert meeting.starts_at == later and meeting.lock_version == 2
    assert set(meeting.invitees.values_list("response", flat=True)) == {"pending"}
    event = assert_event(meeting.plan, "meeting_changed", alice, needs_assessment)
    assert event.before["starts_at"] != event.after["starts_at"]
    changed = Notification.objects.filter(kind="meeting_changed", plan=meeting.plan)
    assert changed.exists() and all("SEQUENCE:1" in n.ics for n in changed if n.ics)


def test_a_new_place_keeps_the_answers(sip, bob, primary_care):
    meeting = sip.invite(sip.to("consented"))
    respond(meeting.invitees.get(unit=primary_care), actor=staff(bob, primary_care), response="accepted")  # fmt: skip
    reschedule(sip, meeting, place="", video_link="https://video.example.se/sip-123")
    meeting.refresh_from_db()
    assert (meeting.place, meeting.video_link) == ("", "https://video.example.se/sip-123")
    assert meeting.invitees.get(unit=primary_care).response == "accepted"


def test_a_meeting_cannot_be_moved_into_the_past_or_nowhere(sip):
    meeting = sip.invite(sip.to("consented"))
    with refused("The meeting must be in the future"):
        reschedule(sip, meeting, starts_at=timezone.now() - datetime.timedelta(hours=1))
    with refused("Give a place or a video link"):
        reschedule(sip, meeting, place=" ", video_link="")
    with refused("Nothing was changed"):
        reschedule(sip, meeting)
    assert Meeting.objects.get(pk=meeting.pk).lock_version == 1


def test_only_a_scheduled_meeting_can_be_moved(sip):
    meeting = sip.invite(sip.to("consented"))
    services.meeting_cancel(**sip.as_alice, meeting=meeting)
    with refused("Only a scheduled meeting can be changed"):
        reschedule(sip, meeting, starts_at=meeting.starts_at + datetime.timedelta(days=1))


def test_two_people_moving_the_same_meeting_do_not_overwrite_each_other(sip):
    meeting = sip.invite(sip.to("consented"))
    opened = meeting.lock_version
    reschedule(sip, meeting, place="Rum 4")
    with pytest.raises(services.StaleEdit):
        reschedule(sip, meeting, expected_version=opened, place="Rum 5")
    assert Meeting.objects.get(pk=meeting.pk).place == "Rum 4"


def test_a_meeting_is_cancelled_once_even_from_a_page_opened_before_the_closing(sip):
    plan = sip.to("follow_up")
    opened = plan.meetings.get(status="scheduled")  # as loaded by a page opened earlier
    close(sip, plan, reason="not_needed")
    with refused("Only a scheduled meeting can be cancelled"):
        services.meeting_cancel(**sip.as_alice, meeting=opened)
    assert plan.events.filter(kind="meeting_cancelled").count() == 0


def test_a_held_meeting_records_who_attended(
    sip, alice, needs_assessment, primary_care, social_insurance
):
    plan = sip.to("invited")
    meeting = plan.meetings.get()
    came = meeting.invitees.get(unit=primary_care)
    with refused("can be recorded as held once it has started"):
        services.meeting_held(**sip.as_alice, meeting=meeting, attended=[came.pk])
    begin(meeting)
    services.meeting_held(**sip.as_alice, meeting=meeting, attended=[came.pk])
    meeting.refresh_from_db()
    assert meeting.status == "held"
    attendance = {i.unit: i.attended for i in meeting.invitees.exclude(unit=None)}
    assert attendance == {primary_care: True, social_insurance: False}
    assert_event(plan, "meeting_held", alice, needs_assessment)
    with refused("The meeting is already recorded"):
        services.meeting_held(**sip.as_alice, meeting=meeting, attended=[])


# --- Content: goals, interventions, contact persons -----------------------------------------


def test_adding_and_changing_a_goal_is_logged(sip, alice, needs_assessment, bob, primary_care):
    plan = sip.to("consented")
    goal = sip.goal(plan, "Jag vill bo kvar hemma")
    assert_event(plan, "goal_added", alice, needs_assessment)
    services.goal_save(
        actor=staff(bob, primary_care),
        plan=plan,
        goal=goal,
        expected_version=goal.lock_version,
        term="long",
        text="Jag vill bo kvar hemma med stöd",
    )
    event = assert_event(plan, "goal_changed", bob, primary_care)
    assert event.before == {"text": "Jag vill bo kvar hemma"}


def test_a_goal_is_written_in_the_individuals_words(sip):
    plan = sip.to("consented")
    with refused("Write the goal"):
        sip.goal(plan, "  ")
    assert not plan.goals.exists()


def test_a_sub_goal_belongs_to_a_main_goal_in_the_same_plan(sip):
    plan = sip.to("consented")
    main = sip.goal(plan, "Jag vill klara mig själv")
    sub = services.goal_save(**sip.as_alice, plan=plan, term="short", text="Handla", parent=main)
    assert sub.parent == main
    with refused("A sub-goal belongs to a main goal in the same plan"):
        services.goal_save(**sip.as_alice, plan=plan, term="short", text="Laga mat", parent=sub)


def test_removing_a_goal_is_logged(sip, alice, needs_assessment):
    plan = sip.to("consented")
    goal = sip.goal(plan)
    services.goal_remove(**sip.as_alice, plan=plan, goal=goal)
    assert not plan.goals.exists()
    event = assert_event(plan, "goal_removed", alice, needs_assessment)
    assert event.before["goal"] == str(goal.uid)


def test_an_intervention_is_logged_with_its_responsible_organisation(
    sip, alice, needs_assessment, region, primary_care
):
    plan = sip.to("consented")
    goal = sip.goal(plan)
    intervention = services.intervention_save(
        **sip.as_alice,
        plan=plan,
        what="Läkarbesök",
        organization=region,
        responsible_unit=primary_care,
        goals=[goal],
    )
    assert list(intervention.goals.all()) == [goal]
    event = assert_event(plan, "intervention_added", alice, needs_assessment)
    assert event.after["organization"] == "Region Test"


def test_changing_and_removing_an_intervention_is_logged(
    sip, bob, primary_care, region, alice, needs_assessment
):
    plan = sip.to("consented")
    care = sip.intervention(plan, region, primary_care, "Läkarbesök")
    services.intervention_save(
        actor=staff(bob, primary_care),
        plan=plan,
        intervention=care,
        expected_version=care.lock_version,
        what="Läkarbesök",
        organization=region,
        status="ongoing",
    )
    assert (
        assert_event(plan, "intervention_changed", bob, primary_care).after["status"] == "ongoing"
    )
    services.intervention_remove(**sip.as_alice, plan=plan, intervention=care)
    assert not plan.interventions.exists()
    event = assert_event(plan, "intervention_removed", alice, needs_assessment)
    assert event.before["intervention"] == str(care.uid)


def test_the_responsible_unit_belongs_to_the_responsible_organisation(
    sip, region, needs_assessment
):
    plan = sip.to("consented")
    with refused("The responsible unit must belong to the responsible organisation"):
        sip.intervention(plan, region, needs_assessment, "Läkarbesök")
    assert not plan.interventions.exists()


def test_an_intervention_comes_after_another_in_the_same_plan(sip, person, municipality):
    plan = sip.to("consented")
    first = sip.intervention(plan, municipality, None, "Utredning")
    then = services.intervention_save(
        **sip.as_alice, plan=plan, what="Boendestöd", organization=municipality, depends_on=first
    )
    assert then.depends_on == first
    with refused("only come after another intervention in the same plan"):
        services.intervention_save(
            **sip.as_alice,
            plan=plan,
            intervention=then,
            expected_version=then.lock_version,
            what="Boendestöd",
            organization=municipality,
            depends_on=then,
        )


def test_each_unit_names_a_contact_person_who_works_there(sip, bob, frida, primary_care):
    plan = sip.to("consented")
    participant = plan.participants.get(unit=primary_care)
    as_bob = {"actor": staff(bob, primary_care), "plan": plan, "participant": participant}
    with refused("The contact person must work in that unit"):
        services.contact_person_set(**as_bob, person=frida)
    services.contact_person_set(**as_bob, person=bob)
    participant.refresh_from_db()
    assert participant.contact_person == bob
    assert_event(plan, "contact_person_set", bob, primary_care)


# --- Establishing the plan ------------------------------------------------------------------

INTERVENTIONS = "the interventions that are needed"
MUNICIPALITY = "which interventions the municipality answers for"
REGION = "which interventions the region answers for"
OTHER = "actions by other actors, or an explicit 'none'"
RESPONSIBILITY = "which principal has the overall responsibility"
FOLLOW_UP = "the date of the follow-up"


@pytest.mark.parametrize(
    ("left_out", "missing"),
    [
        ("interventions", [INTERVENTIONS, MUNICIPALITY, REGION, OTHER]),
        ("municipality", [MUNICIPALITY]),
        ("region", [REGION]),
        ("other", [OTHER]),
        ("responsibility", [RESPONSIBILITY]),
        ("follow_up", [FOLLOW_UP]),
    ],
)
def test_a_plan_lacking_what_the_law_requires_is_not_established(sip, left_out, missing):
    plan = sip.to("invited")
    sip.fill(plan, leave_out=left_out)
    assert rules.legal_content_check(fresh(plan)).missing == missing
    with refused(f"The plan is missing: {'; '.join(missing)}."):
        sip.establish(plan)
    plan = fresh(plan)
    assert plan.state == "invited" and plan.current_version == 0 and not plan.versions.exists()


def test_a_refused_transition_writes_no_event(sip):
    plan = sip.to("invited")
    for meeting in plan.meetings.all():
        begin(meeting)
        services.meeting_held(**sip.as_alice, meeting=meeting, attended=[])
    events = plan.events.count()
    with refused("The plan is missing"):
        sip.establish(plan)
    assert plan.events.count() == events


def test_an_explicit_none_stands_for_actions_by_other_actors(sip):
    plan = sip.to("invited")
    sip.fill(plan, leave_out="other")
    sip.update(plan, no_other_actors=True)
    sip.establish(plan)
    assert fresh(plan).state == "active"


def test_a_cancelled_intervention_does_not_count(sip, region, primary_care):
    plan = sip.to("invited")
    sip.fill(plan)
    care = plan.interventions.get(organization=region)
    services.intervention_save(
        **sip.as_alice,
        plan=plan,
        intervention=care,
        expected_version=care.lock_version,
        what=care.what,
        organization=region,
        responsible_unit=primary_care,
        status="cancelled",
    )
    with refused(REGION):
        sip.establish(plan)
    assert fresh(plan).state == "invited"


def test_a_plan_needs_a_municipality_and_a_region_unit_taking_part(
    sip, needs_assessment, social_insurance
):
    plan = sip.initiate()
    sip.consent(plan, units=[needs_assessment, social_insurance])
    sip.invite(plan, invited_units=[(social_insurance, "written")])
    sip.fill(plan)
    with refused("At least one municipality unit and one region unit must take part"):
        sip.establish(plan)
    assert fresh(plan).state == "invited" and not plan.versions.exists()


def test_a_plan_needs_a_lead(sip):
    plan = sip.to("invited")
    sip.fill(plan, leave_out="lead")
    with refused("Appoint the lead (huvudansvarig) first"):
        sip.establish(plan)
    assert fresh(plan).state == "invited"


def test_establishing_records_how_the_individual_approved(sip):
    plan = sip.to("invited")
    sip.fill(plan)
    with refused("Say how the individual approved the plan"):
        sip.establish(plan, approval_method="nodded")
    assert fresh(plan).state == "invited"


def test_only_an_invited_plan_is_established(sip):
    plan = sip.to("consented")
    sip.fill(plan)
    with refused("Only an invited SIP, after its first meeting, can be established"):
        sip.establish(plan)
    assert fresh(plan).state == "consented"


def test_establishing_creates_an_approved_version_1_with_goals_and_interventions(
    sip, alice, needs_assessment
):
    plan = sip.to("invited")
    sip.fill(plan)
    version = sip.establish(plan, approval_comment="Eva godkände planen")
    plan = fresh(plan)
    assert plan.state == "active" and plan.current_version == 1
    assert (version.number, version.approval, version.approval_method) == (
        1,
        "approved",
        "meeting_oral",
    )
    assert version.approved_at and version.approval_recorded_by == alice
    assert [g["uid"] for g in version.snapshot["goals"]] == [str(g.uid) for g in plan.goals.all()]
    assert {i["uid"]: i["organization_kind"] for i in version.snapshot["interventions"]} == {
        str(i.uid): i.organization.kind for i in plan.interventions.all()
    }
    event = assert_event(plan, "established", alice, needs_assessment)
    assert event.after["version"] == 1 and event.after["state"] == ["invited", "active"]


def test_a_version_stays_as_it_was_when_the_plan_changes(sip):
    plan = sip.to("active")
    sip.goal(plan, "Jag vill börja arbeta")
    assert len(plan.versions.get(number=1).snapshot["goals"]) == 1
    assert plan.goals.count() == 2


# --- Plan details: overall responsibility and lead ------------------------------------------


def test_the_overall_responsibility_is_never_another_actors(sip, agency):
    plan = sip.to("invited")
    with refused("The overall responsibility lies with a municipality or a region"):
        sip.update(plan, overall_responsibility=agency)
    assert fresh(plan).overall_responsibility is None


def test_a_region_may_have_the_overall_responsibility(sip, region, alice, needs_assessment):
    plan = sip.to("invited")
    sip.update(plan, overall_responsibility=region)
    assert fresh(plan).overall_responsibility == region
    event = assert_event(plan, "plan_updated", alice, needs_assessment)
    assert (event.before, event.after) == (
        {"overall_responsibility": None},
        {"overall_responsibility": "Region Test"},
    )


def test_another_actors_staff_cannot_be_lead(sip, frida):
    plan = sip.to("invited")
    with refused("The lead must work in a participating municipality or region unit"):
        sip.update(plan, lead=frida)
    assert fresh(plan).lead is None


def test_staff_of_a_unit_outside_the_plan_cannot_be_lead(sip, olle):
    plan = sip.to("invited")
    with refused("The lead must work in a participating municipality or region unit"):
        sip.update(plan, lead=olle)
    assert fresh(plan).lead is None


def test_staff_of_a_participating_region_unit_can_be_lead(sip, bob):
    plan = sip.to("invited")
    sip.update(plan, lead=bob)
    assert fresh(plan).lead == bob


def test_an_update_that_changes_nothing_is_not_logged(sip):
    plan = sip.to("consented")
    sip.update(plan, own_words="Jag vill bli lyssnad på")
    events = plan.events.count()
    sip.update(plan, own_words="Jag vill bli lyssnad på")
    assert plan.events.count() == events


def test_the_state_is_not_changed_through_plan_update(sip):
    plan = sip.to("consented")
    with pytest.raises(TypeError):
        sip.update(plan, state="active")
    assert fresh(plan).state == "consented"


# --- Follow-up, revision and approval -------------------------------------------------------


def test_a_follow_up_that_continues_keeps_the_version(sip, alice, needs_assessment):
    plan = sip.to("active")
    follow_up = sip.follow_up(plan, decision="continue", next_follow_up=in_days(100))
    plan = fresh(plan)
    assert plan.state == "active" and plan.current_version == 1 and plan.versions.count() == 1
    assert plan.next_follow_up == in_days(100)
    assert (follow_up.decision, follow_up.recorded_by) == ("continue", alice)
    assert_event(plan, "followed_up", alice, needs_assessment)


def test_a_follow_up_at_the_follow_up_meeting_returns_the_plan_to_active(sip):
    plan = sip.to("follow_up")
    sip.follow_up(plan, meeting=plan.meetings.get(kind="follow_up"))
    assert fresh(plan).state == "active"


def test_a_revision_waits_for_the_individuals_approval_as_version_2(sip, alice, needs_assessment):
    plan = sip.to("active")
    sip.goal(plan, "Jag vill börja arbeta", term="short")
    sip.follow_up(plan, decision="revise")
    plan = fresh(plan)
    # Version 1 stays in force until the individual answers.
    assert plan.state == "revision" and plan.current_version == 1
    pending = plan.versions.get(number=2)
    assert (pending.approval, pending.approval_method, pending.approved_at) == ("pending", "", None)
    assert len(pending.snapshot["goals"]) == 2
    assert plan.versions.get(number=1).approval == "approved"
    assert_event(plan, "revised", alice, needs_assessment)


def test_a_revision_approved_at_the_follow_up_stands_at_once(sip):
    plan = sip.to("active")
    sip.follow_up(plan, decision="revise", approval_method="meeting_written")
    plan = fresh(plan)
    assert plan.state == "active" and plan.versions.get(number=2).approval == "approved"


def test_an_established_plan_never_loses_the_content_the_law_requires(sip, region):
    plan = sip.to("active")
    care = plan.interventions.get(organization=region)
    kept = care.pk
    with refused(REGION):
        services.intervention_remove(**sip.as_alice, plan=plan, intervention=care)
    plan = fresh(plan)
    assert plan.interventions.filter(pk=kept).exists() and plan.unapproved_changes == 0
    assert not plan.events.filter(kind="intervention_removed").exists()


def test_approving_the_pending_version_makes_the_plan_active(sip, alice, needs_assessment):
    plan = sip.to("revision")
    version = services.version_approval_record(
        **sip.as_alice, plan=plan, approved=True, method="phone"
    )
    assert (version.number, version.approval, version.approval_method) == (2, "approved", "phone")
    assert version.approval_recorded_by == alice and version.approved_at
    assert fresh(plan).state == "active"
    assert_event(plan, "version_approved", alice, needs_assessment)


def test_a_declined_version_says_what_the_individual_wants_changed(sip, alice, needs_assessment):
    plan = sip.to("revision")
    with refused("Write what the individual wants changed"):
        services.version_approval_record(**sip.as_alice, plan=plan, approved=False, method="phone")
    assert fresh(plan).state == "revision"
    version = services.version_approval_record(
        **sip.as_alice, plan=plan, approved=False, method="phone", comment="Inga fler läkarbesök"
    )
    assert version.approval == "declined" and version.approval_comment == "Inga fler läkarbesök"
    assert_event(plan, "version_declined", alice, needs_assessment)


def test_the_individual_answers_in_a_known_way(sip):
    plan = sip.to("revision")
    with refused("Say how the individual answered"):
        services.version_approval_record(**sip.as_alice, plan=plan, approved=True, method="")
    assert fresh(plan).state == "revision"


def test_no_version_waits_for_approval_on_an_established_plan(sip):
    plan = sip.to("active")
    with refused("No version is waiting for approval"):
        services.version_approval_record(**sip.as_alice, plan=plan, approved=True, method="phone")


def test_a_follow_up_decision_to_close_closes_the_plan(sip, alice, needs_assessment):
    plan = sip.to("active")
    sip.follow_up(plan, decision="close", next_follow_up=None, closing_reason="works")
    plan = fresh(plan)
    assert plan.state == "closed" and plan.closing_reason == "works"
    assert plan.follow_ups.get().decision == "close" and plan.versions.count() == 1
    assert_event(plan, "closed", alice, needs_assessment)


def test_a_follow_up_answers_every_question(sip):
    plan = sip.to("active")
    with refused("Answer every follow-up question"):
        sip.follow_up(plan, helped_hindered=" ")
    assert not plan.follow_ups.exists()


def test_a_follow_up_sets_the_next_date_after_today(sip):
    plan = sip.to("active")
    with refused("Set the date of the next follow-up, after today"):
        sip.follow_up(plan, next_follow_up=timezone.localdate())
    assert not plan.follow_ups.exists()


def test_only_an_established_plan_is_followed_up(sip):
    plan = sip.to("invited")
    with refused("Only an established SIP can be followed up"):
        sip.follow_up(plan)
    assert fresh(plan).state == "invited" and not plan.follow_ups.exists()


# --- Closing --------------------------------------------------------------------------------


def test_closing_records_the_reason_and_the_time(sip, alice, needs_assessment):
    plan = sip.to("active")
    close(sip, plan, reason="works")
    plan = fresh(plan)
    assert plan.state == "closed" and plan.closing_reason == "works" and plan.closed_at
    event = assert_event(plan, "closed", alice, needs_assessment)
    assert event.after["state"] == ["active", "closed"]


def test_closing_for_another_reason_needs_a_description(sip):
    plan = sip.to("active")
    with refused("Describe the reason for closing"):
        close(sip, plan, reason="other", text=" ")
    assert fresh(plan).state == "active"
    close(sip, plan, reason="other", text="Flyttar utomlands")
    assert fresh(plan).closing_text == "Flyttar utomlands"


def test_closing_needs_a_known_reason(sip):
    plan = sip.to("active")
    with refused("Choose a reason for closing"):
        close(sip, plan, reason="")
    assert fresh(plan).state == "active"


def test_closing_cancels_the_scheduled_meetings(sip):
    plan = sip.to("follow_up")
    scheduled = list(
        plan.meetings.filter(status=Meeting.Status.SCHEDULED).values_list("pk", flat=True)
    )
    assert scheduled
    close(sip, plan, reason="individual_ended")
    statuses = set(plan.meetings.filter(pk__in=scheduled).values_list("status", flat=True))
    assert statuses == {Meeting.Status.CANCELLED}
    assert plan.meetings.filter(status=Meeting.Status.HELD).exists()  # the past stays as it was


def test_a_closed_plan_is_not_closed_again(sip):
    plan = sip.to("closed")
    with refused("The SIP is already closed"):
        close(sip, plan, reason="works")
    assert fresh(plan).closing_reason == "not_needed"


def test_a_closed_plan_refuses_a_new_goal(sip):
    plan = sip.to("closed")
    with refused("The SIP is closed and can no longer be changed"):
        sip.goal(plan, "Jag vill flytta")
    assert plan.goals.count() == 1


def test_a_closed_plan_refuses_changes_to_its_goals_and_interventions(sip):
    plan = sip.to("closed")
    goal, care = plan.goals.get(), plan.interventions.first()
    with refused("The SIP is closed and can no longer be changed"):
        services.goal_save(
            **sip.as_alice, plan=plan, goal=goal, expected_version=1, term="long", text="Nytt"
        )
    with refused("The SIP is closed and can no longer be changed"):
        services.intervention_remove(**sip.as_alice, plan=plan, intervention=care)
    assert plan.goals.get().text == "Jag vill bo kvar hemma" and plan.interventions.count() == 3


def test_a_closed_plan_refuses_changes_to_its_details(sip, region):
    plan = sip.to("closed")
    with refused("The SIP is closed and can no longer be changed"):
        sip.update(plan, overall_responsibility=region)
    assert fresh(plan).overall_responsibility == sip.municipality


def test_a_closed_plan_gets_no_new_meetings_or_follow_ups(sip):
    plan = sip.to("closed")
    with refused("a follow-up meeting is for an established one"):
        sip.invite(plan, kind="follow_up")
    with refused("Only an established SIP can be followed up"):
        sip.follow_up(plan)


# --- Telling everyone about the closing -----------------------------------------------------


def test_samplan_tells_every_unit_and_the_individual_of_the_closing_and_records_it(
    sip, alice, needs_assessment, primary_care, social_insurance, person
):
    plan = sip.to("closed")
    notices = ClosingNotice.objects.filter(plan=plan)
    assert {n.unit for n in notices if n.unit_id} == {
        needs_assessment,
        primary_care,
        social_insurance,
    }
    assert {n.person for n in notices if n.person_id} == {person}
    assert {(n.method, n.informed_by) for n in notices} == {("samplan", alice)}
    told = Notification.objects.filter(plan=plan, kind="plan_closed")
    assert {n.unit for n in told if n.unit_id} == {needs_assessment, primary_care, social_insurance}


def test_a_unit_with_nobody_to_tell_is_left_for_the_lead_to_record(
    sip, primary_care, social_insurance
):
    primary_care.memberships.update(is_active=False)
    type(primary_care).objects.filter(pk=primary_care.pk).update(email="")
    plan = sip.to("closed")
    told = set(ClosingNotice.objects.filter(plan=plan).values_list("unit", flat=True))
    assert primary_care.pk not in told and social_insurance.pk in told


def test_the_citizens_own_withdrawal_tells_the_units_too(sip, person, primary_care):
    plan = sip.to("active")
    services.consent_withdraw(actor=Citizen(person=person), plan=fresh(plan))
    notice = ClosingNotice.objects.get(plan=plan, unit=primary_care)
    assert (notice.method, notice.informed_by) == ("samplan", None)


def test_closing_cancels_the_meetings_in_the_invitees_calendars(sip):
    plan = sip.to("follow_up")
    meeting = plan.meetings.get(status="scheduled")
    close(sip, plan, reason="not_needed")
    cancelled = Notification.objects.filter(
        kind="meeting_cancelled", dedupe_key__contains=f":{meeting.pk}:"
    )
    assert cancelled.exists() and all("METHOD:CANCEL" in n.ics for n in cancelled if n.ics)


def test_the_lead_records_who_else_was_told_of_the_closing(
    sip, alice, needs_assessment, primary_care, relative
):
    plan = sip.initiate()
    sip.consent(plan, relatives=[relative])
    sip.invite(plan)
    sip.fill(plan)
    sip.establish(plan)
    close(sip, plan, reason="not_needed")
    notices = services.closing_notices_record(
        **sip.as_alice, plan=fresh(plan), units=[primary_care], people=[relative]
    )
    assert [n.person for n in notices] == [relative]  # the unit was told by Samplan already
    assert (notices[0].method, notices[0].informed_by) == ("lead", alice)
    assert ClosingNotice.objects.filter(plan=plan, unit=primary_care).count() == 1
    event = assert_event(plan, "closing_informed", alice, needs_assessment)
    assert "Erik Exempel" in event.summary and "Vårdcentralen" not in event.summary


def test_closing_notices_are_for_a_closed_plan(sip, primary_care):
    plan = sip.to("active")
    with refused("The SIP is not closed"):
        services.closing_notices_record(**sip.as_alice, plan=plan, units=[primary_care])
    assert not ClosingNotice.objects.exists()


def test_closing_notices_name_who_was_told(sip, primary_care):
    plan = sip.to("closed")
    with refused("Tick who has been informed"):
        services.closing_notices_record(**sip.as_alice, plan=plan)
    with refused("Tick who has been informed"):  # already told by Samplan
        services.closing_notices_record(**sip.as_alice, plan=plan, units=[primary_care])
