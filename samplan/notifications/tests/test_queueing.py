"""What is written to the outbox, for whom, and that it commits or rolls back with the change."""

import datetime
import email
import email.policy
import re

import icalendar
import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from samplan.notifications import services
from samplan.notifications.models import MeetingCalendar, Notification
from samplan.notifications.tests.conftest import TASKS_IMMEDIATE, personal_data, written_for
from samplan.people.models import Relation
from samplan.plans import services as plans
from samplan.plans.models import ClosingNotice, Meeting
from samplan.policy import Citizen
from samplan.testing.cast import make_person

Kind = Notification.Kind


def inbox_users(notifications) -> set[str]:
    return {n.user.username for n in notifications if n.channel == "inbox" and n.user_id}


def email_addresses(notifications) -> set[str]:
    return {n.email for n in notifications if n.channel == "email"}


def parse_ics(text: str) -> icalendar.Event:
    calendar = icalendar.Calendar.from_ical(text)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def closing_told(plan):
    """What the closing of the plan wrote (plan_close and the withdrawals write it)."""
    return Notification.objects.filter(plan=plan, kind=Kind.PLAN_CLOSED).select_related(
        "user", "person", "unit"
    )


def test_scheduling_a_meeting_invites_each_units_mailbox_its_active_members_and_the_individual(
    cast,
):
    plan = cast.plan()

    meeting = cast.meeting(plan)

    written = written_for(meeting)
    assert email_addresses(written) == {"vc@region.test", "bistand@kommun.test"}
    assert inbox_users(written) == {"alice", "bob", "bea"}  # not Cilla (ended), not Olle
    (eva_item,) = [n for n in written if n.person_id]
    assert eva_item.channel == "inbox" and eva_item.status == "delivered"
    assert eva_item.link == f"/min-sip/{plan.pk}/"
    assert {n.kind for n in written} == {Kind.MEETING_INVITATION}
    assert all(n.status == "pending" for n in written if n.channel == "email")
    staff_item = next(n for n in written if n.user_id)
    assert staff_item.link == f"/sip/{plan.pk}/moten/"
    calendar = MeetingCalendar.objects.get(meeting=meeting)
    assert (calendar.sequence, calendar.method) == (0, "REQUEST")
    assert set(Notification.objects.all()) == set(written)  # written once, nothing else


def test_the_individual_gets_an_email_only_with_an_address_and_an_agreement(cast):
    plan = cast.plan()
    first = written_for(cast.meeting(plan))
    assert "eva.exempel@mejl.test" not in email_addresses(first)  # no agreement yet

    cast.emails_for()
    plans.meeting_cancel(**cast.as_alice, meeting=Meeting.objects.get(plan=plan))  # one first
    second = written_for(cast.meeting(plan))
    (to_eva,) = [n for n in second if n.channel == "email" and n.person_id]
    assert to_eva.email == "eva.exempel@mejl.test"
    assert to_eva.link == "/inkorg/min-sip/"

    cast.person.email = ""
    cast.person.save()
    plans.meeting_cancel(**cast.as_alice, meeting=plan.meetings.get(status="scheduled"))
    third = written_for(cast.meeting(plan))
    assert not [n for n in third if n.channel == "email" and n.person_id]
    assert [n for n in third if n.channel == "inbox" and n.person_id]  # Min SIP still


def test_each_change_raises_the_sequence_and_cancel_keeps_the_uid(cast):
    meeting = cast.meeting(cast.plan())

    def calendar_of(notifications):
        (mail,) = [n for n in notifications if n.email == "vc@region.test"]
        return mail, *parse_ics(mail.ics)

    mail, calendar, event = calendar_of(written_for(meeting, sequence=0))
    assert calendar["METHOD"] == "REQUEST" and event["SEQUENCE"] == 0
    assert str(event["UID"]) == f"sip-meeting-{meeting.pk}@samplan"
    assert event.decoded("DTSTART") == meeting.starts_at.replace(microsecond=0)
    assert event.decoded("DTSTART").utcoffset().total_seconds() == 0  # in UTC
    assert (event.decoded("DTEND") - event.decoded("DTSTART")).total_seconds() == 3600
    assert "LOCATION" not in event and "ATTENDEE" not in event
    assert str(event["URL"]) == "http://127.0.0.1:8000/inkorg/"
    assert mail.kind == Kind.MEETING_INVITATION

    moved = meeting.starts_at + datetime.timedelta(days=1, hours=2)
    cast.move(meeting, to=moved)
    mail, calendar, event = calendar_of(written_for(meeting, sequence=1))
    assert calendar["METHOD"] == "REQUEST" and event["SEQUENCE"] == 1
    assert event.decoded("DTSTART") == moved.replace(microsecond=0)
    assert str(event["UID"]) == f"sip-meeting-{meeting.pk}@samplan"
    assert mail.kind == Kind.MEETING_CHANGED

    plans.meeting_cancel(**cast.as_alice, meeting=meeting)
    mail, calendar, event = calendar_of(written_for(meeting, sequence=2))
    assert calendar["METHOD"] == "CANCEL" and event["SEQUENCE"] == 2
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == f"sip-meeting-{meeting.pk}@samplan"
    assert mail.kind == Kind.MEETING_CANCELLED
    assert MeetingCalendar.objects.get(meeting=meeting).sequence == 2
    assert not written_for(meeting, sequence=3).exists()


def test_queueing_an_existing_meeting_again_sends_a_change_and_keeps_the_invitation(cast):
    meeting = cast.meeting(cast.plan())
    invitation = set(written_for(meeting))

    changed = services.meeting_invitations_queue(meeting=meeting, method="REQUEST")

    assert {n.kind for n in changed} == {Kind.MEETING_CHANGED}
    assert set(changed) == set(written_for(meeting, sequence=1))
    assert email_addresses(changed) == {"vc@region.test", "bistand@kommun.test"}
    assert inbox_users(changed) == {"alice", "bob", "bea"}
    assert set(written_for(meeting, sequence=0)) == invitation  # untouched
    assert MeetingCalendar.objects.get(meeting=meeting).sequence == 1


def test_cancelling_a_meeting_sends_its_cancellation_with_the_next_sequence(cast):
    cast.emails_for()
    meeting = cast.meeting(cast.plan())
    invitation = set(written_for(meeting))

    plans.meeting_cancel(**cast.as_alice, meeting=meeting)

    cancels = written_for(meeting, sequence=1)
    assert {n.kind for n in cancels} == {Kind.MEETING_CANCELLED}
    assert email_addresses(cancels) == {
        "vc@region.test",
        "bistand@kommun.test",
        "eva.exempel@mejl.test",
    }
    assert inbox_users(cancels) == {"alice", "bob", "bea"}
    assert [n.person for n in cancels if n.channel == "inbox" and n.person_id] == [cast.person]
    for mail in (n for n in cancels if n.channel == "email"):
        calendar, event = parse_ics(mail.ics)
        assert calendar["METHOD"] == "CANCEL" and event["SEQUENCE"] == 1
    calendar = MeetingCalendar.objects.get(meeting=meeting)
    assert (calendar.sequence, calendar.method) == (1, "CANCEL")
    assert set(Notification.objects.all()) == invitation | set(cancels)  # one CANCEL only


def test_an_unknown_method_is_refused(cast):
    meeting = cast.meeting(cast.plan())
    with pytest.raises(ValueError):
        services.meeting_invitations_queue(meeting=meeting, method="PUBLISH")
    assert MeetingCalendar.objects.get(meeting=meeting).sequence == 0


class Refused(Exception):
    """Whatever makes the caller's transaction roll back."""


def test_a_scheduling_that_rolls_back_leaves_no_invitation_calendar_or_task(
    cast, django_capture_on_commit_callbacks
):
    plan = cast.plan()

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Refused),
        transaction.atomic(),
    ):
        meeting = cast.meeting(plan)
        assert written_for(meeting).exists()  # written inside the transaction...
        raise Refused
    assert callbacks == []  # ...and nothing handed to the worker
    assert not Notification.objects.exists()
    assert not MeetingCalendar.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_a_meeting_refused_by_a_rule_invites_nobody(cast):
    plan = cast.plan()
    with pytest.raises(plans.RuleViolation):
        cast.meeting(plan, days=-1)  # in the past
    assert not Notification.objects.exists()
    assert not MeetingCalendar.objects.exists()


def test_a_closing_that_rolls_back_tells_nobody_and_cancels_no_calendar_entry(
    cast, django_capture_on_commit_callbacks
):
    plan = cast.plan()
    meeting = cast.meeting(plan)
    invitation = set(written_for(meeting))

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Refused),
        transaction.atomic(),
    ):
        plans.plan_close(**cast.as_alice, plan=plan, reason="not_needed")
        assert closing_told(plan).exists() and written_for(meeting, sequence=1).exists()
        raise Refused
    assert callbacks == []
    assert set(Notification.objects.all()) == invitation
    assert not ClosingNotice.objects.exists()
    calendar = MeetingCalendar.objects.get(meeting=meeting)
    assert (calendar.sequence, calendar.method) == (0, "REQUEST")


def test_an_email_is_enqueued_for_the_worker_when_the_change_commits(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        meeting = cast.meeting(cast.plan())
        assert not DBTaskResult.objects.exists()  # not before the commit
    emails = [n for n in written_for(meeting) if n.channel == "email"]
    tasks = DBTaskResult.objects.filter(task_path__endswith="deliver_notification")
    assert sorted(t.args_kwargs["args"][0] for t in tasks) == sorted(n.pk for n in emails)


def test_the_email_as_sent_has_a_stable_message_id_and_a_calendar_part(
    cast, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.TASKS = TASKS_IMMEDIATE
    with django_capture_on_commit_callbacks(execute=True):
        meeting = cast.meeting(cast.plan())
    mail = written_for(meeting).get(email="vc@region.test")
    assert mail.status == "sent" and mail.sent_at and mail.attempts == 1
    (sent,) = [m for m in mailoutbox if m.to == ["vc@region.test"]]
    message = email.message_from_bytes(sent.message().as_bytes(), policy=email.policy.default)
    assert message["Message-ID"] == mail.message_id
    assert re.fullmatch(r"<[0-9a-f]{40}@samplan>", mail.message_id)
    assert str(message["Subject"]).strip() == "Meddelande från Testby kommun: kallelse till möte"
    (part,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "REQUEST"
    assert part.get_filename() == "mote.ics"
    _calendar, event = parse_ics(part.get_payload(decode=True))
    assert event["SEQUENCE"] == 0


def test_closing_tells_every_participant_and_the_individual_and_records_them_as_told(cast):
    cast.emails_for()
    plan = cast.plan()

    plans.plan_close(**cast.as_alice, plan=plan, reason="not_needed")

    written = list(closing_told(plan))
    assert email_addresses(written) == {
        "vc@region.test",
        "bistand@kommun.test",
        "eva.exempel@mejl.test",
    }
    assert inbox_users(written) == {"alice", "bob", "bea"}
    assert {n.unit.name for n in written if n.channel == "email" and n.unit_id} == {
        "Vårdcentralen",
        "Biståndshandläggning",
    }
    assert [n.person for n in written if n.channel == "inbox" and n.person_id] == [cast.person]
    to_unit = next(n for n in written if n.channel == "email" and n.unit_id)
    assert to_unit.subject == "Meddelande från Testby kommun: en plan har avslutats"
    assert "Testby kommun har avslutat en SIP som din enhet deltog i." in to_unit.body
    to_eva = next(n for n in written if n.channel == "email" and n.person_id)
    assert to_eva.subject == "Meddelande från Testby kommun"
    assert to_eva.body.startswith("Du har ett nytt meddelande från Testby kommun.")
    notices = ClosingNotice.objects.filter(plan=plan)
    assert {n.unit for n in notices if n.unit_id} == {cast.needs_assessment, cast.primary_care}
    assert [n.person for n in notices if n.person_id] == [cast.person]
    assert {(n.method, n.informed_by) for n in notices} == {("samplan", cast.alice)}
    assert set(Notification.objects.all()) == set(written)


def test_queueing_the_closing_again_writes_nothing_new_and_returns_the_same_rows(cast):
    cast.emails_for()
    plan = cast.plan()
    plans.plan_close(**cast.as_alice, plan=plan, reason="not_needed")
    plan.refresh_from_db()
    written = {n.pk for n in closing_told(plan)}
    count = Notification.objects.count()

    again = services.plan_closed_queue(plan=plan)

    assert {n.pk for n in again} == written
    assert Notification.objects.count() == count


def test_closing_cancels_its_scheduled_meetings_in_the_calendars_once(cast):
    cast.emails_for()
    plan = cast.plan()
    cancelled_before = cast.meeting(plan)
    plans.meeting_cancel(**cast.as_alice, meeting=cancelled_before)  # its CANCEL went out
    scheduled = cast.meeting(plan)  # a plan has one first meeting at a time

    plans.plan_close(**cast.as_alice, plan=plan, reason="not_needed")

    cancels = written_for(scheduled, sequence=1)
    assert {n.kind for n in cancels} == {Kind.MEETING_CANCELLED}
    assert email_addresses(cancels) == {
        "vc@region.test",
        "bistand@kommun.test",
        "eva.exempel@mejl.test",
    }
    assert inbox_users(cancels) == {"alice", "bob", "bea"}
    _calendar, event = parse_ics(cancels.filter(channel="email").first().ics)
    assert str(event["UID"]) == f"sip-meeting-{scheduled.pk}@samplan" and event["SEQUENCE"] == 1
    assert str(event["STATUS"]) == "CANCELLED"
    assert not written_for(cancelled_before, sequence=2).exists()  # no second CANCEL
    cancelled = Notification.objects.filter(kind=Kind.MEETING_CANCELLED)
    count = cancelled.count()

    plan.refresh_from_db()
    services.plan_closed_queue(plan=plan)  # queued again: still no second CANCEL

    assert cancelled.count() == count
    assert MeetingCalendar.objects.get(meeting=scheduled).sequence == 1
    assert MeetingCalendar.objects.get(meeting=cancelled_before).sequence == 1


def test_the_citizens_own_withdrawal_tells_the_units_and_cancels_the_meeting(cast):
    plan = cast.plan()
    meeting = cast.meeting(plan)

    plans.consent_withdraw(actor=Citizen(person=cast.person), plan=plan)

    told = list(closing_told(plan))
    assert email_addresses(told) == {"vc@region.test", "bistand@kommun.test"}  # no agreement
    assert inbox_users(told) == {"alice", "bob", "bea"}
    assert [n.person for n in told if n.person_id] == [cast.person]
    notices = ClosingNotice.objects.filter(plan=plan)
    assert {n.unit for n in notices if n.unit_id} == {cast.needs_assessment, cast.primary_care}
    assert {(n.method, n.informed_by) for n in notices} == {("samplan", None)}
    cancels = written_for(meeting, sequence=1)
    assert {n.kind for n in cancels} == {Kind.MEETING_CANCELLED}
    assert email_addresses(cancels) == {"vc@region.test", "bistand@kommun.test"}


def test_a_childs_guardians_are_told_but_never_for_a_protected_child(cast, guardians, child):
    plan = cast.plan(child)
    plans.plan_close(**cast.as_alice, plan=plan, reason="not_needed")
    told = {n.person for n in closing_told(plan) if n.person_id}
    assert told == set(guardians)  # the child is too young to read the plan in Min SIP

    protected = make_person("20150101", "567", "Siri", "Skydd")
    protected.protected_identity = True
    protected.save()
    for guardian in guardians:
        Relation.objects.create(person=protected, related=guardian, kind="guardian")
    plan = cast.plan(protected)
    plans.plan_close(**cast.as_alice, plan=plan, reason="not_needed")
    told = {n.person for n in closing_told(plan) if n.person_id}
    assert told == set()  # no proxy for a protected child, and she is too young to read it


@pytest.fixture
def guardians(db):
    return [
        make_person("19850612", "234", "Maja", "Barnsson"),
        make_person("19830917", "345", "Jonas", "Barnsson"),
    ]


@pytest.fixture
def child(guardians):
    elsa = make_person("20180301", "456", "Elsa", "Barnsson")
    for guardian in guardians:
        Relation.objects.create(person=elsa, related=guardian, kind="guardian")
    return elsa


def test_canary_no_email_carries_personal_data(
    cast, settings, mailoutbox, django_capture_on_commit_callbacks
):
    """Names, identity numbers, addresses, phone numbers and the meeting's place never reach
    an e-mail's subject, text or calendar file, whatever the kind."""
    settings.TASKS = TASKS_IMMEDIATE
    cast.emails_for()
    with django_capture_on_commit_callbacks(execute=True):
        plan = cast.plan()
        meeting = cast.meeting(plan)  # invited
        cast.move(meeting, to=meeting.starts_at + datetime.timedelta(hours=3))  # changed
        services.meeting_invitations_queue(meeting=meeting, method="REQUEST")  # changed again
        plans.meeting_cancel(**cast.as_alice, meeting=meeting)  # cancelled
        cast.meeting(plan)  # invited, then cancelled by the closing
        plans.plan_close(**cast.as_alice, plan=plan, reason="not_needed")  # closed
    kinds = set(Notification.objects.filter(channel="email").values_list("kind", flat=True))
    assert kinds == {
        Kind.MEETING_INVITATION,
        Kind.MEETING_CHANGED,
        Kind.MEETING_CANCELLED,
        Kind.PLAN_CLOSED,
    }
    assert len(mailoutbox) == 7 * 3  # 3 recipients: the two units and Eva
    forbidden = [value.lower() for value in personal_data(cast)]
    for sent in mailoutbox:
        message = email.message_from_bytes(sent.message().as_bytes(), policy=email.policy.default)
        texts = [str(message["Subject"])]
        for part in message.walk():
            if part.get_content_maintype() == "text":
                texts.append(part.get_payload(decode=True).decode())
        content = "\n".join(texts).lower()
        leaked = [value for value in forbidden if value in content]
        assert not leaked, (leaked, content)
        assert "eva.exempel" not in content  # not even the recipient's own address


def test_inbox_items_name_nobody_either(cast):
    cast.emails_for()
    plan = cast.plan()
    meeting = cast.meeting(plan)
    cast.move(meeting, to=meeting.starts_at + datetime.timedelta(hours=3))
    plans.plan_close(**cast.as_alice, plan=plan, reason="not_needed")
    # Alice, Bob, Bea and Eva: the invitation, the change, the closing and the cancellation
    assert Notification.objects.filter(channel="inbox").count() == 4 * 4
    forbidden = [value.lower() for value in personal_data(cast)]
    for n in Notification.objects.all():
        text = f"{n.subject}\n{n.body}\n{n.ics}\n{n.link}".lower()
        assert not [value for value in forbidden if value in text], text
