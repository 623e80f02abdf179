"""Both principals attend (issue 14, part 7): a unit that declines an invitation, or does not
answer it within the answer time, is flagged to the inviter and to the unit's own managers,
once, and the meetings tab says it may be a failure of collaboration."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from samplan.accounts.models import Membership
from samplan.notifications import tasks
from samplan.notifications.models import Notification
from samplan.notifications.reminders import reminders_send
from samplan.plans import rules
from samplan.plans import services as plans
from samplan.plans.models import Invitee, Meeting
from samplan.testing.cast import make_user, staff
from samplan.testing.world import staff_client

Kind = Notification.Kind
PRINCIPAL_KINDS = {Kind.PRINCIPAL_DECLINED, Kind.PRINCIPAL_NOT_ANSWERED}
SCAN_KEY = "samplan.notifications:reminder-scan"


@pytest.fixture
def maja(cast):
    """The primary care centre's unit manager."""
    return make_user("maja", (cast.primary_care, Membership.Role.UNIT_MANAGER))


def flagged(kind: str) -> set[str]:
    """'user:alice', 'email:bistand@kommun.test' for each notification of the kind."""
    return {
        f"user:{n.user.username}" if n.user_id else f"email:{n.email}"
        for n in Notification.objects.filter(kind=kind).select_related("user")
    }


def invitee_of(meeting: Meeting, unit) -> Invitee:
    return Invitee.objects.get(meeting=meeting, unit=unit)


def answer(cast, meeting: Meeting, response: str, reason: str = "") -> Invitee:
    return plans.invitation_respond(
        actor=staff(cast.bob, cast.primary_care),
        invitee=invitee_of(meeting, cast.primary_care),
        response=response,
        reason=reason,
    )


def booked_days_ago(meeting: Meeting, days: int) -> None:
    Meeting.objects.filter(pk=meeting.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=days)
    )


def test_a_decline_tells_the_inviter_and_the_units_manager_once(cast, maja):
    meeting = cast.meeting(cast.plan(), days=10)
    answer(cast, meeting, "declined", "Vi har inte tid.")
    expected = {"user:alice", "user:maja", "email:bistand@kommun.test"}
    assert flagged(Kind.PRINCIPAL_DECLINED) == expected
    assert Notification.objects.filter(kind=Kind.PRINCIPAL_DECLINED).count() == 3
    # Bob and Bea are caseworkers there, not managers: they are not told.
    # Changing the answer and declining again tells nobody twice.
    answer(cast, meeting, "accepted")
    answer(cast, meeting, "declined", "Ändå inte.")
    assert Notification.objects.filter(kind=Kind.PRINCIPAL_DECLINED).count() == 3
    item = Notification.objects.get(kind=Kind.PRINCIPAL_DECLINED, user=maja)
    assert item.channel == "inbox" and "brist i samverkan" in item.body
    assert item.link == reverse("plans:meetings", args=[meeting.plan_id])
    email = Notification.objects.get(kind=Kind.PRINCIPAL_DECLINED, channel="email")
    assert cast.person.given_name not in email.subject + email.body
    # A unit that declined has answered: the sweep never flags it as not answering.
    booked_days_ago(meeting, 10)
    reminders_send()
    assert not Notification.objects.filter(
        kind=Kind.PRINCIPAL_NOT_ANSWERED, dedupe_key__contains=f":unit:{cast.primary_care.pk}:"
    ).exists()


def test_an_invitation_unanswered_past_the_time_is_flagged_once_by_the_sweep(cast, maja):
    meeting = cast.meeting(cast.plan(), days=10)
    plans.invitation_respond(
        actor=staff(cast.alice, cast.needs_assessment),
        invitee=invitee_of(meeting, cast.needs_assessment),
        response="accepted",
    )
    assert not {n.kind for n in reminders_send()} & PRINCIPAL_KINDS  # still in time
    booked_days_ago(meeting, 6)  # six days always hold three working days
    invitee = invitee_of(meeting, cast.primary_care)
    assert rules.invitation_unanswered_too_long(invitee)
    cache.delete(SCAN_KEY)
    first = tasks.sweep_and_remind.call()
    assert first["reminders"] >= 3
    cache.delete(SCAN_KEY)
    tasks.sweep_and_remind.call()  # run twice: told once
    assert flagged(Kind.PRINCIPAL_NOT_ANSWERED) == {
        "user:alice",
        "user:maja",
        "email:bistand@kommun.test",
    }
    assert Notification.objects.filter(kind=Kind.PRINCIPAL_NOT_ANSWERED).count() == 3
    assert reminders_send() == []


def test_answered_in_time_is_never_flagged(cast, maja):
    meeting = cast.meeting(cast.plan(), days=10)
    answer(cast, meeting, "accepted")
    plans.invitation_respond(
        actor=staff(cast.alice, cast.needs_assessment),
        invitee=invitee_of(meeting, cast.needs_assessment),
        response="accepted",
    )
    booked_days_ago(meeting, 20)
    reminders_send()
    assert not Notification.objects.filter(kind__in=PRINCIPAL_KINDS).exists()
    assert not rules.invitation_unanswered_too_long(invitee_of(meeting, cast.primary_care))


def test_the_answer_time_counts_working_days_and_ends_by_the_meeting():
    tz = timezone.get_current_timezone()
    friday = datetime.datetime(2026, 12, 4, 15, tzinfo=tz)
    far = Meeting(created_at=friday, starts_at=friday + datetime.timedelta(days=30))
    invitee = Invitee(meeting=far, unit_id=1, response=Invitee.Response.PENDING)
    assert rules.invitation_answer_due(invitee) == datetime.date(2026, 12, 9)  # Wednesday
    assert not rules.invitation_unanswered_too_long(invitee, datetime.date(2026, 12, 9))
    assert rules.invitation_unanswered_too_long(invitee, datetime.date(2026, 12, 10))
    soon = Meeting(created_at=friday, starts_at=friday + datetime.timedelta(days=3))
    assert rules.invitation_answer_due(Invitee(meeting=soon, unit_id=1)) == datetime.date(
        2026, 12, 7
    )
    person = Invitee(meeting=far, person_id=1, response=Invitee.Response.PENDING)
    assert not rules.invitation_unanswered_too_long(person, datetime.date(2027, 1, 1))


def test_the_meetings_tab_flags_a_decline_and_an_overdue_answer(cast, maja):
    plan = cast.plan()
    meeting = cast.meeting(plan, days=10)
    page_url = reverse("plans:meetings", args=[plan.pk])
    client = staff_client(cast.alice, cast.needs_assessment)
    with CaptureQueriesContext(connection) as in_time:
        page = client.get(page_url).content.decode()
    assert "Detta kan vara en brist i samverkan" not in page
    booked_days_ago(meeting, 6)
    with CaptureQueriesContext(connection) as flagged_page:
        page = client.get(page_url).content.decode()
    assert len(flagged_page) == len(in_time)  # the flags read no more
    assert page.count("Har inte svarat i tid") == 2  # both units; Eva is no principal
    assert "Detta kan vara en brist i samverkan" in page
    answer(cast, meeting, "declined", "Vi har inte tid.")
    page = client.get(page_url).content.decode()
    assert page.count("Har tackat nej") == 1 and page.count("Har inte svarat i tid") == 1
