"""What is written to the outbox, for whom, and that it commits or rolls back with the change."""

import email
import email.policy
import re

import icalendar
import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from samplan.notifications import services
from samplan.notifications.models import MeetingCalendar, Notification
from samplan.notifications.tests.conftest import TASKS_IMMEDIATE, personal_data
from samplan.people.models import Relation
from samplan.plans import services as plans
from samplan.plans.tests.conftest import make_person

Kind = Notification.Kind


def inbox_users(notifications) -> set[str]:
    return {n.user.username for n in notifications if n.channel == "inbox" and n.user_id}


def email_addresses(notifications) -> set[str]:
    return {n.email for n in notifications if n.channel == "email"}


def parse_ics(text: str) -> icalendar.Event:
    calendar = icalendar.Calendar.from_ical(text)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def test_an_invitation_reaches_each_units_mailbox_its_active_members_and_the_individual(cast):
    plan = cast.plan()
    meeting = cast.meeting(plan)

    written = services.meeting_invitations_queue(meeting=meeting, method="REQUEST")

    assert email_addresses(written) == {"vc@region.test", "bistand@kommun.test"}
    assert inbox_users(written) == {"alice", "bob", "bea"}  # not Cilla (ended), not Olle
    (eva_item,) = [n for n in written if n.person_id]
    assert eva_item.channel == "inbox" and eva_item.status == "delivered"
    assert eva_item.link == f"/min-sip/{plan.pk}/"
    assert {n.kind for n in written} == {Kind.MEETING_INVITATION}
    assert all(n.status == "pending" for n in written if n.channel == "email")
    staff_item = next(n for n in written if n.user_id)
    assert staff_item.link == f"/sip/{plan.pk}/moten/"


def test_the_individual_gets_an_email_only_with_an_address_and_an_agreement(cast):
    plan = cast.plan()
    first = services.meeting_invitations_queue(meeting=cast.meeting(plan), method="REQUEST")
    assert "eva.exempel@mejl.test" not in email_addresses(first)  # no agreement yet

    cast.emails_for()
    second = services.meeting_invitations_queue(meeting=cast.meeting(plan), method="REQUEST")
    (to_eva,) = [n for n in second if n.channel == "email" and n.person_id]
    assert to_eva.email == "eva.exempel@mejl.test"
    assert to_eva.link == "/inkorg/min-sip/"

    cast.person.email = ""
    cast.person.save()
    third = services.meeting_invitations_queue(meeting=cast.meeting(plan), method="REQUEST")
    assert not [n for n in third if n.channel == "email" and n.person_id]


def test_each_change_raises_the_sequence_and_cancel_keeps_the_uid(cast):
    meeting = cast.meeting(cast.plan())

    def calendar_of(notifications):
        (mail,) = [n for n in notifications if n.email == "vc@region.test"]
        return mail, *parse_ics(mail.ics)

    mail, calendar, event = calendar_of(
        services.meeting_invitations_queue(meeting=meeting, method="REQUEST")
    )
    assert calendar["METHOD"] == "REQUEST" and event["SEQUENCE"] == 0
    assert str(event["UID"]) == f"sip-meeting-{meeting.pk}@samplan"
    assert event.decoded("DTSTART") == meeting.starts_at.replace(microsecond=0)
    assert event.decoded("DTSTART").utcoffset().total_seconds() == 0  # in UTC
    assert (event.decoded("DTEND") - event.decoded("DTSTART")).total_seconds() == 3600
    assert "LOCATION" not in event and "ATTENDEE" not in event
    assert str(event["URL"]) == "http://127.0.0.1:8000/inkorg/"
    assert mail.kind == Kind.MEETING_INVITATION

    mail, calendar, event = calendar_of(
        services.meeting_invitations_queue(meeting=meeting, method="REQUEST")
    )
    assert event["SEQUENCE"] == 1 and mail.kind == Kind.MEETING_CHANGED

    plans.meeting_cancel(**cast.as_alice, meeting=meeting)
    mail, calendar, event = calendar_of(
        services.meeting_invitations_queue(meeting=meeting, method="CANCEL")
    )
    assert calendar["METHOD"] == "CANCEL" and event["SEQUENCE"] == 2
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == f"sip-meeting-{meeting.pk}@samplan"
    assert mail.kind == Kind.MEETING_CANCELLED
    assert MeetingCalendar.objects.get(meeting=meeting).sequence == 2


def test_an_unknown_method_is_refused(cast):
    with pytest.raises(ValueError):
        services.meeting_invitations_queue(meeting=cast.meeting(cast.plan()), method="PUBLISH")


def test_the_outbox_rolls_back_with_the_change_and_nothing_is_enqueued(
    cast, django_capture_on_commit_callbacks
):
    plan = cast.plan()

    class Refused(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Refused),
        transaction.atomic(),
    ):
        meeting = cast.meeting(plan)
        services.meeting_invitations_queue(meeting=meeting, method="REQUEST")
        raise Refused
    assert callbacks == []
    assert not Notification.objects.exists()
    assert not MeetingCalendar.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_an_email_is_enqueued_for_the_worker_when_the_change_commits(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        meeting = cast.meeting(cast.plan())
        written = services.meeting_invitations_queue(meeting=meeting, method="REQUEST")
    emails = [n for n in written if n.channel == "email"]
    tasks = DBTaskResult.objects.filter(task_path__endswith="deliver_notification")
    assert sorted(t.args_kwargs["args"][0] for t in tasks) == sorted(n.pk for n in emails)


def test_the_email_as_sent_has_a_stable_message_id_and_a_calendar_part(
    cast, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.TASKS = TASKS_IMMEDIATE
    with django_capture_on_commit_callbacks(execute=True):
        meeting = cast.meeting(cast.plan())
        written = services.meeting_invitations_queue(meeting=meeting, method="REQUEST")
    (mail,) = [n for n in written if n.email == "vc@region.test"]
    mail.refresh_from_db()
    assert mail.status == "sent" and mail.sent_at and mail.attempts == 1
    (sent,) = [m for m in mailoutbox if m.to == ["vc@region.test"]]
    message = email.message_from_bytes(sent.message().as_bytes(), policy=email.policy.default)
    assert message["Message-ID"] == mail.message_id
    assert re.fullmatch(r"<[0-9a-f]{40}@samplan>", mail.message_id)
    assert message["Subject"] == "SIP-möte"
    (part,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "REQUEST"
    assert part.get_filename() == "sip-mote.ics"
    _calendar, event = parse_ics(part.get_payload(decode=True))
    assert event["SEQUENCE"] == 0


def test_closing_tells_every_participant_and_the_individual(cast):
    cast.emails_for()
    plan = cast.plan()
    plans.plan_close(**cast.as_alice, plan=plan, reason="not_needed")
    plan.refresh_from_db()

    written = services.plan_closed_queue(plan=plan)

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
    assert {n.kind for n in written} == {Kind.PLAN_CLOSED}
    mail = next(n for n in written if n.channel == "email")
    assert mail.subject == "SIP avslutad" and "En SIP har avslutats." in mail.body
    # Again: nothing new, the same rows.
    assert {n.pk for n in services.plan_closed_queue(plan=plan)} == {n.pk for n in written}
    assert Notification.objects.count() == len(written)


def test_closing_cancels_the_calendar_entries_of_meetings_it_cancelled(cast):
    plan = cast.plan()
    invited = cast.meeting(plan)
    services.meeting_invitations_queue(meeting=invited, method="REQUEST")
    never_sent = cast.meeting(plan)  # no calendar entry went out for this one
    plans.plan_close(**cast.as_alice, plan=plan, reason="not_needed")
    plan.refresh_from_db()

    services.plan_closed_queue(plan=plan)

    cancels = Notification.objects.filter(kind=Kind.MEETING_CANCELLED, channel="email")
    assert {n.email for n in cancels} == {"vc@region.test", "bistand@kommun.test"}
    _calendar, event = parse_ics(cancels[0].ics)
    assert str(event["UID"]) == f"sip-meeting-{invited.pk}@samplan" and event["SEQUENCE"] == 1
    assert not MeetingCalendar.objects.filter(meeting=never_sent).exists()
    services.plan_closed_queue(plan=plan)  # a second call sends no second CANCEL
    assert MeetingCalendar.objects.get(meeting=invited).sequence == 1


def test_a_childs_guardians_are_told_but_never_for_a_protected_child(cast, guardians, child):
    plan = cast.plan(child)
    plans.plan_close(**cast.as_alice, plan=plan, reason="not_needed")
    plan.refresh_from_db()
    told = {n.person for n in services.plan_closed_queue(plan=plan) if n.person_id}
    assert told == {child, *guardians}

    protected = make_person("20150101", "567", "Siri", "Skydd")
    protected.protected_identity = True
    protected.save()
    for guardian in guardians:
        Relation.objects.create(person=protected, related=guardian, kind="guardian")
    plan = cast.plan(protected)
    plans.plan_close(**cast.as_alice, plan=plan, reason="not_needed")
    plan.refresh_from_db()
    told = {n.person for n in services.plan_closed_queue(plan=plan) if n.person_id}
    assert told == {protected}


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
        meeting = cast.meeting(plan)
        services.meeting_invitations_queue(meeting=meeting, method="REQUEST")
        services.meeting_invitations_queue(meeting=meeting, method="REQUEST")
        plans.meeting_cancel(**cast.as_alice, meeting=meeting)
        services.meeting_invitations_queue(meeting=meeting, method="CANCEL")
        plans.plan_close(**cast.as_alice, plan=plan, reason="not_needed")
        plan.refresh_from_db()
        services.plan_closed_queue(plan=plan)
    assert len(mailoutbox) >= 12
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
    services.meeting_invitations_queue(meeting=cast.meeting(plan), method="REQUEST")
    forbidden = [value.lower() for value in personal_data(cast)]
    for n in Notification.objects.all():
        text = f"{n.subject}\n{n.body}\n{n.ics}\n{n.link}".lower()
        assert not [value for value in forbidden if value in text], text
