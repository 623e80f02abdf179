"""Deadlines: 'without delay' from the initiative, the first meeting within the local agreement."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from samplan.plans import rules
from samplan.plans.models import Consent, LocalAgreement, Plan


@pytest.fixture(autouse=True)
def just_before_midnight(time_machine):
    """The clock stands at 23:59 in Sweden on the night summer time starts: a date taken in
    UTC, or a day counted in hours, would be off by one here."""
    stockholm = ZoneInfo("Europe/Stockholm")
    time_machine.move_to(datetime.datetime(2026, 3, 28, 23, 59, tzinfo=stockholm), tick=False)


def plan_for(alice, person, needs_assessment, **fields) -> Plan:
    plan = Plan.objects.create(
        person=person, initiated_by=alice, initiating_unit=needs_assessment, **fields
    )
    return plan


def test_a_new_plan_must_get_consent_without_delay(alice, person, needs_assessment):
    plan = plan_for(alice, person, needs_assessment)
    today = timezone.localdate()
    deadline = rules.deadline(plan, today)
    assert deadline.due == today + datetime.timedelta(days=5)
    assert deadline.status == "due_soon"
    assert rules.deadline(plan, today + datetime.timedelta(days=6)).status == "overdue"


def test_the_first_meeting_is_due_fifteen_days_after_consent_by_default(
    alice, person, needs_assessment
):
    plan = plan_for(alice, person, needs_assessment, state=Plan.State.CONSENTED)
    given = timezone.localdate() - datetime.timedelta(days=20)
    Consent.objects.create(
        plan=plan,
        number=1,
        decision="given",
        decided_on=given,
        mode="oral",
        given_by="individual",
        recorded_by=alice,
        recorded_unit=needs_assessment,
    )
    deadline = rules.deadline(Plan.objects.get(pk=plan.pk))
    assert deadline.due == given + datetime.timedelta(days=15)
    assert deadline.status == "overdue"


def test_a_local_agreement_changes_the_deadline_for_its_organisation(
    alice, person, needs_assessment
):
    LocalAgreement.objects.create(
        organization=needs_assessment.organization,
        consent_within_days=2,
        first_meeting_within_days=10,
        due_soon_days=1,
    )
    plan = plan_for(alice, person, needs_assessment)
    today = timezone.localdate()
    deadline = rules.deadline(Plan.objects.get(pk=plan.pk), today)
    assert deadline.due == today + datetime.timedelta(days=2)
    assert deadline.status == "ok"


def test_an_established_plan_is_flagged_when_its_follow_up_is_overdue(
    alice, person, needs_assessment
):
    plan = plan_for(
        alice,
        person,
        needs_assessment,
        state=Plan.State.ACTIVE,
        next_follow_up=timezone.localdate() - datetime.timedelta(days=1),
    )
    assert rules.deadline(plan).status == "overdue"


def test_a_closed_plan_has_no_deadline(alice, person, needs_assessment):
    assert (
        rules.deadline(plan_for(alice, person, needs_assessment, state=Plan.State.CLOSED)) is None
    )
