"""Invitations that work (issue 14, part 5): the printable invitation is a letter to the
individual in plain Swedish, a tagged PDF (PDF/A-3a, PDF/UA-1) with the meeting's five-part
agenda, the time in Swedish words, the place, what the individual wants to talk about and the
interpreter and accessibility needs. An interpreter can be booked as an attendee, and the chair
may be anyone the individual chooses."""

import datetime
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from samplan.audit.models import AccessLogEntry
from samplan.core.dates import weekday_time
from samplan.plans import services
from samplan.plans.models import Meeting
from samplan.testing.cast import fresh, login

pytestmark = pytest.mark.django_db

FIVE_PARTS = [
    "Inledning",
    "Aktuell situation",
    "Behov: mål och insatser",
    "Sammanfattning och huvudansvarig",
    "Avslutning och uppföljning",
]


def letter_url(plan, meeting) -> str:
    return reverse("plans:meeting_invitation_pdf", args=[plan.pk, meeting.pk])


def text_of(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


@pytest.fixture
def invited(sip):
    plan = sip.to("invited")
    sip.update(
        plan,
        questions="Hur får jag hjälp med boendet?",
        interpreter_language="arabiska",
        meeting_place_wish="Inga trappor",
        digital_participation=True,
    )
    plan = fresh(plan)
    return plan, plan.meetings.get(kind="first")


def test_the_letter_carries_the_five_parts_time_place_and_needs_in_swedish(client, sip, invited):
    plan, meeting = invited
    login(client, sip.alice)
    response = client.get(letter_url(plan, meeting))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = text_of(response.content)
    assert "Kallelse till SIP-möte" in text
    assert f"Till {plan.person.full_name}" in text
    positions = [text.index(part) for part in FIVE_PARTS]
    assert positions == sorted(positions)  # in the meeting's order
    assert " ".join(weekday_time(meeting.starts_at).split()) in text
    assert "Vårdcentralen, rum 2" in text
    assert "Hur får jag hjälp med boendet?" in text
    assert "Tolk: arabiska" in text
    assert "Önskemål om mötesplatsen: Inga trappor" in text
    assert "Vill delta digitalt" in text
    assert sip.needs_assessment.name in text  # who invites
    assert "Om tiden inte passar dig" in text


def test_the_letter_is_tagged_pdf_ua_in_swedish(client, sip, invited):
    plan, meeting = invited
    login(client, sip.alice)
    reader = PdfReader(io.BytesIO(client.get(letter_url(plan, meeting)).content))
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "sv"
    assert "/StructTreeRoot" in catalog and catalog["/MarkInfo"]["/Marked"]
    xmp = catalog["/Metadata"].get_object().get_data().decode()
    assert 'pdfuaid:part="1"' in xmp
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="A"' in xmp
    root = catalog["/StructTreeRoot"].get_object()
    kinds, todo = [], list(root["/K"])
    while todo:
        element = todo.pop().get_object()
        if not hasattr(element, "get"):
            continue
        kinds.append(element.get("/S"))
        kids = element.get("/K", [])
        todo.extend(k for k in (kids if isinstance(kids, list) else [kids]) if hasattr(k, "idnum"))
    assert "/H1" in kinds and "/H2" in kinds
    assert "/L" in kinds and kinds.count("/LI") >= 5  # the five parts are a list


def test_the_letter_is_in_swedish_also_from_an_english_page(client, sip, invited):
    plan, meeting = invited
    login(client, sip.alice)
    client.cookies["django_language"] = "en"
    text = text_of(client.get(letter_url(plan, meeting)).content)
    assert "Inledning" in text and "Opening" not in text


def test_the_meetings_tab_offers_the_letter_per_scheduled_meeting(client, sip, invited):
    plan, meeting = invited
    login(client, sip.alice)
    page = client.get(reverse("plans:meetings", args=[plan.pk])).content.decode()
    assert letter_url(plan, meeting) in page
    assert "Skriv ut kallelse (PDF)" in page


def test_a_unit_not_in_the_plan_is_refused(sip, olle, invited):
    plan, meeting = invited
    assert login(Client(), olle).get(letter_url(plan, meeting)).status_code == 404


def test_a_cancelled_meetings_letter_is_a_copy_that_says_so(client, sip, invited):
    plan, meeting = invited
    services.meeting_cancel(**sip.as_alice, meeting=meeting)
    login(client, sip.alice)
    response = client.get(letter_url(plan, meeting))
    assert response.status_code == 200
    assert "Mötet är inställt" in text_of(response.content)


def test_printing_the_letter_is_logged(client, sip, invited):
    plan, meeting = invited
    login(client, sip.alice)
    client.get(letter_url(plan, meeting))
    entry = AccessLogEntry.objects.filter(action="plans:meeting_invitation_pdf").get()
    assert entry.person_id == plan.person.pk


# --- Meeting mode: the interpreter and accessibility needs at the top (part 1) ---------------


def test_meeting_mode_shows_the_interpreter_and_accessibility_needs(client, sip, invited):
    plan, meeting = invited
    login(client, sip.alice)
    page = client.get(reverse("plans:meeting_mode", args=[plan.pk, meeting.pk])).content.decode()
    opening = page[page.index('id="del1"') : page.index('id="del2"')]
    assert "<dt>Tolk</dt><dd>arabiska</dd>" in opening
    assert "<dt>Önskemål om mötesplats</dt><dd>Inga trappor</dd>" in opening
    assert "<dt>Vill delta digitalt</dt><dd>Ja</dd>" in opening
    assert "Lättläst material" not in opening  # not asked for


def test_meeting_mode_leaves_out_needs_that_are_not_set(client, sip):
    plan = sip.to("invited")
    meeting = plan.meetings.get(kind="first")
    login(client, sip.alice)
    page = client.get(reverse("plans:meeting_mode", args=[plan.pk, meeting.pk])).content.decode()
    opening = page[page.index('id="del1"') : page.index('id="del2"')]
    assert "<dt>Tolk</dt>" not in opening
    assert "Önskemål om mötesplats" not in opening


# --- An interpreter booked as an attendee; a chair who is not staff --------------------------


def book(client, sip, plan, **fields):
    starts = timezone.localtime() + datetime.timedelta(days=5)
    data = {
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "place": "Rum 3",
        f"unit_{sip.primary_care.pk}": "written",
        f"person_{plan.person.pk.hex}": "written",
        **fields,
    }
    response = client.post(reverse("plans:meetings", args=[plan.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Meeting.objects.get(plan=plan)


def test_the_individual_may_choose_a_chair_who_is_not_staff(client, sip):
    plan = sip.to("consented")
    login(client, sip.alice)
    meeting = book(
        client, sip, plan, chair_name="Karin Exempel (syster)", chair_chosen_by_individual="on"
    )
    assert (meeting.chair, meeting.chair_name) == (None, "Karin Exempel (syster)")
    assert meeting.chair_chosen_by_individual and meeting.recorder == sip.alice
    tab = client.get(reverse("plans:meetings", args=[plan.pk])).content.decode()
    assert "Ordförande: Karin Exempel (syster)" in tab
    mode = client.get(reverse("plans:meeting_mode", args=[plan.pk, meeting.pk])).content.decode()
    assert "<dt>Ordförande</dt><dd>Karin Exempel (syster)</dd>" in mode
    text = text_of(client.get(letter_url(plan, meeting)).content)
    assert "Ordförande Karin Exempel (syster)" in text


def test_an_interpreter_is_booked_as_an_attendee(client, sip):
    plan = sip.to("consented")
    login(client, sip.alice)
    meeting = book(client, sip, plan, interpreter="Tolkförmedlingen Väst, arabiska")
    assert meeting.interpreter == "Tolkförmedlingen Väst, arabiska"
    assert meeting.chair == sip.alice and meeting.chair_name == ""
    tab = client.get(reverse("plans:meetings", args=[plan.pk])).content.decode()
    assert "Bokad tolk: Tolkförmedlingen Väst, arabiska" in tab
    mode = client.get(reverse("plans:meeting_mode", args=[plan.pk, meeting.pk])).content.decode()
    assert "<dt>Bokad tolk</dt><dd>Tolkförmedlingen Väst, arabiska</dd>" in mode
    text = text_of(client.get(letter_url(plan, meeting)).content)
    assert "Bokad tolk Tolkförmedlingen Väst, arabiska" in text
