"""Reminders go to the right people, once per occasion."""

import datetime

from django.utils import timezone

from samplan.notifications.models import Notification
from samplan.notifications.reminders import reminders_send
from samplan.people.models import Relation
from samplan.plans.models import Invitee, Plan, PlanVersion
from samplan.testing.cast import make_person

Kind = Notification.Kind


def in_days(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def recipients(notifications) -> set[str]:
    """'user:alice', 'person:Eva', 'email:vc@region.test'."""
    found = set()
    for n in notifications:
        if n.channel == "email":
            found.add(f"email:{n.email}")
        elif n.user_id:
            found.add(f"user:{n.user.username}")
        else:
            found.add(f"person:{n.person.given_name}")
    return found


def established(cast, plan: Plan, **fields) -> Plan:
    """The plan as if established with Alice as lead (reminders only read the plan)."""
    fields = {"state": "active", "lead": cast.alice, "current_version": 1} | fields
    Plan.objects.filter(pk=plan.pk).update(**fields)
    return Plan.objects.get(pk=plan.pk)


def waiting(cast, plan: Plan, number: int = 2) -> Plan:
    """A revision waits for the individual's answer as version `number` (version 1 in force)."""
    plan = established(cast, plan, state="revision")
    PlanVersion.objects.create(
        plan=plan,
        number=number,
        created_by=cast.alice,
        created_unit=cast.needs_assessment,
        snapshot={},
        approval=PlanVersion.Approval.PENDING,
    )
    return plan


def test_a_follow_up_due_within_a_week_reminds_the_lead_and_the_leads_unit_once(cast):
    established(cast, cast.plan(), next_follow_up=in_days(5))

    written = reminders_send()

    assert recipients(written) == {"user:alice", "email:bistand@kommun.test"}
    assert {n.kind for n in written} == {Kind.DEADLINE_DUE_SOON}
    item = next(n for n in written if n.channel == "inbox")
    assert "Uppföljning ska ske senast" in item.body
    assert reminders_send() == []  # the same occasion: nothing new


def test_an_overdue_follow_up_reminds_once_and_a_new_date_is_a_new_occasion(cast):
    plan = established(cast, cast.plan(), next_follow_up=in_days(-2))
    assert {n.kind for n in reminders_send()} == {Kind.DEADLINE_OVERDUE}
    assert reminders_send() == []

    Plan.objects.filter(pk=plan.pk).update(next_follow_up=in_days(3))
    again = reminders_send()
    assert {n.kind for n in again} == {Kind.DEADLINE_DUE_SOON}
    assert recipients(again) == {"user:alice", "email:bistand@kommun.test"}
    Plan.objects.filter(pk=plan.pk).update(next_follow_up=in_days(40))
    assert reminders_send() == []  # far off: nothing


def test_the_consent_deadline_reminds_who_initiated_before_there_is_a_lead(cast):
    from samplan.plans import services as plans

    plan = plans.plan_initiate(**cast.as_alice, person=cast.person, reasons=["several_units"])
    Plan.objects.filter(pk=plan.pk).update(
        initiated_at=timezone.now() - datetime.timedelta(days=10)
    )
    written = reminders_send()
    assert recipients(written) == {"user:alice", "email:bistand@kommun.test"}
    assert {n.kind for n in written} == {Kind.DEADLINE_OVERDUE}
    assert "Samtycke utan dröjsmål" in next(n.body for n in written if n.channel == "inbox")


def test_a_lead_who_left_the_unit_gets_the_inbox_item_but_the_unit_no_email(cast):
    established(cast, cast.plan(), next_follow_up=in_days(1))
    cast.alice.memberships.update(is_active=False)
    assert recipients(reminders_send()) == {"user:alice"}


def test_a_version_waiting_for_approval_reminds_the_individual_once_per_version(cast):
    cast.emails_for()
    plan = waiting(cast, cast.plan())
    written = reminders_send()
    assert recipients(written) == {"person:Eva", "email:eva.exempel@mejl.test"}
    assert {n.kind for n in written} == {Kind.APPROVAL_WAITING}
    item = next(n for n in written if n.channel == "inbox")
    assert item.link == f"/min-sip/{plan.pk}/"
    assert reminders_send() == []
    waiting(cast, plan, number=3)
    assert recipients(reminders_send()) == {"person:Eva", "email:eva.exempel@mejl.test"}


def test_a_childs_guardians_are_reminded_too_but_never_of_a_protected_child(cast):
    maja = make_person("19850612", "234", "Maja", "Barnsson")
    elsa = make_person("20180301", "456", "Elsa", "Barnsson")
    Relation.objects.create(person=elsa, related=maja, kind="guardian")
    waiting(cast, cast.plan(elsa))
    assert recipients(reminders_send()) == {"person:Maja"}  # Elsa (8) does not read it yet

    siri = make_person("20150101", "567", "Siri", "Skydd")
    Relation.objects.create(person=siri, related=maja, kind="guardian")
    plan = cast.plan(siri)
    Person = type(siri)
    Person.objects.filter(pk=siri.pk).update(protected_identity=True)
    waiting(cast, plan)
    assert recipients(reminders_send()) == set()  # no proxy for a protected child of 11


def test_an_unanswered_invitation_close_to_the_meeting_reminds_the_invited_unit(cast):
    plan = cast.plan()
    meeting = cast.meeting(plan, days=2)
    Invitee.objects.filter(meeting=meeting, unit=cast.needs_assessment).update(response="accepted")
    other = cast.plan(make_person("19700101", "345", "Olof", "Annan"))
    cast.meeting(other, days=5)  # too far off for a reminder

    written = reminders_send()

    assert recipients(written) == {"user:bob", "user:bea", "email:vc@region.test"}
    assert {n.kind for n in written} == {Kind.INVITATION_UNANSWERED}
    assert reminders_send() == []
    Invitee.objects.filter(meeting=meeting, unit=cast.primary_care).update(response="declined")
    assert reminders_send() == []


def test_a_moved_meeting_is_a_new_occasion_for_the_reminder(cast):
    meeting = cast.meeting(cast.plan(), days=2)
    reminders_send()
    type(meeting).objects.filter(pk=meeting.pk).update(
        starts_at=meeting.starts_at + datetime.timedelta(hours=20)
    )
    assert recipients(reminders_send()) >= {"user:bob", "email:vc@region.test"}


def test_nobody_outside_the_plan_is_reminded(cast):
    established(cast, cast.plan(), next_follow_up=in_days(-1))
    cast.meeting(cast.plan(make_person("19700101", "111", "Ulf", "Annan")), days=1)
    everyone = recipients(reminders_send())
    assert "user:olle" not in everyone and "email:sp@kommun.test" not in everyone
    assert "user:cilla" not in everyone
