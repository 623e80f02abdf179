"""What a message says: who sent it, what to do, which SIP and which meeting; and that an item
is done once it is answered.

An e-mail to the individual, a guardian or a relative shows on a locked phone: its subject
(and first line) say whom it comes from, never that the person has a SIP.
"""

import datetime

import icalendar
from django.test import Client
from django.utils import timezone

from samplan.audit.models import AccessLogEntry
from samplan.conftest import login
from samplan.core import dates
from samplan.notifications.models import Notification
from samplan.notifications.reminders import reminders_send
from samplan.notifications.tests.test_inbox_pages import citizen_client
from samplan.notifications.tests.test_reminders import waiting
from samplan.plans import services as plans
from samplan.plans.models import Invitee, Meeting
from samplan.testing.cast import make_person, staff

Kind = Notification.Kind
SENDER = "Testby kommun"  # the municipality: the needs assessment initiated Eva's SIP


def every_kind_of_message(cast) -> None:
    """An invitation, a change, a cancellation, a closing, and a version waiting for an answer,
    with Eva agreeing to e-mail."""
    cast.emails_for()
    plan = cast.plan()
    meeting = cast.meeting(plan)
    cast.move(meeting, to=meeting.starts_at + datetime.timedelta(hours=3))
    plans.meeting_cancel(**cast.as_alice, meeting=Meeting.objects.get(pk=meeting.pk))
    waiting(cast, plan)  # a new version waits for Eva's answer
    reminders_send()
    plans.plan_close(**cast.as_alice, plan=plan, reason="not_needed")


def test_no_email_to_a_citizen_says_sip_in_its_subject_or_first_line(cast):
    every_kind_of_message(cast)
    to_eva = Notification.objects.filter(channel="email", person=cast.person)
    assert set(to_eva.values_list("kind", flat=True)) == {
        Kind.MEETING_INVITATION,
        Kind.MEETING_CHANGED,
        Kind.MEETING_CANCELLED,
        Kind.APPROVAL_WAITING,
        Kind.PLAN_CLOSED,
    }
    for mail in to_eva:
        first_line = mail.body.split("\n")[0]
        assert "sip" not in mail.subject.lower(), mail.subject
        assert "sip" not in first_line.lower(), first_line
        assert mail.subject == f"Meddelande från {SENDER}"
        assert SENDER in first_line  # who sent it
        assert "Så gör du: logga in i Min SIP" in mail.body  # what to do
        assert mail.body.count("/inkorg/min-sip/") == 1
        assert f"Har du frågor? Kontakta {SENDER}." in mail.body
        if mail.ics:  # the calendar entry's title shows in the calendar
            (event,) = icalendar.Calendar.from_ical(mail.ics).walk("VEVENT")
            assert str(event["SUMMARY"]) == f"Möte med {SENDER}"


def test_every_email_to_a_unit_says_who_sent_it_and_what_to_do(cast):
    every_kind_of_message(cast)
    to_units = Notification.objects.filter(channel="email", unit__isnull=False)
    assert to_units.filter(kind=Kind.MEETING_INVITATION).exists()
    for mail in to_units:
        assert "SIP" not in mail.subject, mail.subject
        assert mail.subject.startswith(("Meddelande från", "Påminnelse från Samplan"))
        assert "Så gör du: logga in i Samplan och läs meddelandet i inkorgen:" in mail.body
        assert "skickades automatiskt av Samplan" in mail.body
    invitation = to_units.filter(kind=Kind.MEETING_INVITATION).first()
    assert invitation.subject == f"Meddelande från {SENDER}: kallelse till möte"
    assert invitation.body.startswith(f"{SENDER} har kallat din enhet till ett SIP-möte.")


def test_an_inbox_item_names_the_sip_and_the_meeting(client, cast):
    plan = cast.plan()
    meeting = cast.meeting(plan)
    when = dates.weekday_time(meeting.starts_at)

    login(client, cast.bob)
    page = client.get("/inkorg/").content.decode()
    assert "Gäller: Eva Exempels SIP" in page
    assert f"Första SIP-mötet {when}." in page
    assert AccessLogEntry.objects.filter(
        action="inbox", user=cast.bob, person=cast.person, object_id=str(plan.pk)
    ).exists()

    page = citizen_client(Client(), cast.person).get("/inkorg/min-sip/").content.decode()
    assert f"Gäller: din SIP · Från: {SENDER}" in page
    assert f"Första SIP-mötet {when}." in page


def test_an_inbox_item_names_nobody_the_reader_may_not_see(client, cast):
    """Olle's unit never took part: an item about the plan (here made by hand) does not name
    the individual to him, and nothing is logged as shown."""
    plan = cast.plan()
    Notification.objects.create(
        channel="inbox",
        kind=Kind.PLAN_CLOSED,
        status="delivered",
        user=cast.olle,
        plan=plan,
        subject="x",
        body="SIP:en är avslutad.",
        dedupe_key="test:olle",
    )
    login(client, cast.olle)
    page = client.get("/inkorg/").content.decode()
    assert "SIP:en är avslutad." in page
    assert "Eva" not in page and "Gäller:" not in page
    assert not AccessLogEntry.objects.filter(action="inbox").exists()


def test_answering_an_invitation_marks_the_units_items_read(cast):
    plan = cast.plan()
    meeting = cast.meeting(plan, days=2)
    reminders_send()  # the unanswered invitation: a reminder to both units
    answered = Invitee.objects.get(meeting=meeting, unit=cast.primary_care)

    plans.invitation_respond(
        actor=staff(cast.bob, cast.primary_care), invitee=answered, response="accepted"
    )

    unread = Notification.objects.filter(channel="inbox", read_at__isnull=True)
    assert not unread.filter(user__in=[cast.bob, cast.bea]).exists()  # the unit answered
    assert unread.filter(user=cast.alice, kind=Kind.MEETING_INVITATION).exists()  # not hers
    assert unread.filter(user=cast.alice, kind=Kind.INVITATION_UNANSWERED).exists()
    assert unread.filter(person=cast.person).exists()

    evas = Invitee.objects.get(meeting=meeting, person=cast.person)
    plans.invitation_respond(**cast.as_alice, invitee=evas, response="accepted")
    assert not unread.filter(person=cast.person).exists()  # her answer, recorded by staff
    assert unread.filter(user=cast.alice).exists()


def test_an_answer_leaves_other_meetings_items_unread(cast):
    plan = cast.plan()
    first = cast.meeting(plan, days=2)
    other = cast.meeting(cast.plan(make_person("19700101", "345", "Olof", "Annan")))
    plans.invitation_respond(
        actor=staff(cast.bob, cast.primary_care),
        invitee=Invitee.objects.get(meeting=first, unit=cast.primary_care),
        response="accepted",
    )
    bobs = Notification.objects.filter(user=cast.bob)
    assert bobs.get(plan=first.plan).read_at <= timezone.now()
    assert bobs.get(plan=other.plan).read_at is None
