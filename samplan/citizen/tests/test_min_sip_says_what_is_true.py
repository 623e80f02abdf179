"""Min SIP says what is true in each state of the SIP: no meeting promised when none is
booked, no "End your SIP" before there is a consent to withdraw, no PDF before there is a
plan, and a closed SIP says so, with no follow-up and no goal "in progress". The words of the
SIP are explained, once, where they first appear.
"""

import re

import pytest
from django.test import Client
from django.urls import reverse

from samplan.core import dates
from samplan.notifications.models import Notification
from samplan.notifications.reminders import reminders_send
from samplan.plans.models import Plan
from samplan.testing.cast import Sip, citizen_client, fresh, login

END = "Avsluta din SIP"
PDF = "Ladda ner din plan som PDF"
NO_MEETING_YET = "Inget möte är bokat än."
OLD_PROMISE = "skrivs tillsammans med dig på mötet."  # said before, whatever the state


def page_of(plan: Plan, path: str = "") -> str:
    response = citizen_client(plan.person).get(f"/min-sip/{plan.pk}/{path}")
    assert response.status_code == 200
    return response.content.decode()


def explained(page: str, word: str) -> int:
    """How many times the word is explained (a <dfn>) on the page."""
    return len(re.findall(rf"<dfn>{word}</dfn>", page))


def test_before_consent_the_individual_is_asked_for_consent_and_promised_nothing(sip: Sip):
    plan = sip.to("initiated")
    page = page_of(plan)
    assert "En SIP har påbörjats för dig. Först bestämmer du om du ger ditt samtycke." in page
    assert "Så länge det inte finns något samtycke bokas inget möte och ingen plan skrivs." in page
    assert OLD_PROMISE not in page and "Nästa möte" not in page
    assert END not in page and PDF not in page and "kopia.pdf" not in page
    assert "Bjud in eller ta bort en närstående" not in page
    assert explained(page, "Samtycke") == 1
    assert "Inget samtycke är lämnat än." in page


def test_a_refused_consent_says_no_plan_is_made(sip: Sip):
    plan = sip.to("consent_refused")
    page = page_of(plan)
    day = dates.day(plan.current_consent.decided_on)
    assert f"Du sa nej till en SIP den {day}." in page
    assert "Utan samtycke görs ingen plan och inget möte bokas." in page
    assert "Senaste beslutet om samtycke: nekat den" in page
    assert OLD_PROMISE not in page and END not in page and PDF not in page
    assert explained(page, "Samtycke") == 1


def test_consent_given_without_a_meeting_promises_no_meeting(sip: Sip):
    plan = sip.to("consented")
    page = page_of(plan)
    assert "Du har gett ditt samtycke. Nästa steg är ett möte där planen skrivs" in page
    assert NO_MEETING_YET in page
    assert "Nästa möte" not in page  # the notice says it once
    assert END in page  # there is a consent to withdraw
    assert PDF not in page
    assert explained(page, "Samtycke") == 1


def test_a_booked_meeting_is_named_with_its_kind_and_time(sip: Sip):
    plan = sip.to("invited")
    meeting = plan.meetings.get()
    when = dates.weekday_time(meeting.starts_at)
    page = page_of(plan)
    assert f"Planen skrivs på mötet {when}." in page
    assert f"<strong>Första SIP-mötet</strong>: {when}." in page
    assert NO_MEETING_YET not in page and PDF not in page
    assert END in page


def test_an_established_plan_offers_the_copy_and_explains_its_words_once(sip: Sip):
    plan = sip.to("active")
    page = page_of(plan)
    assert PDF in page and END in page
    assert "Pågår" in page  # the goal is worked on
    assert f"Planen följs upp den {dates.day(plan.next_follow_up)}." in page
    assert NO_MEETING_YET not in page and OLD_PROMISE not in page
    for word in ("Insats", "Huvudansvarig", "Övergripande ansvar", "Samtycke"):
        assert explained(page, word) == 1, word


def test_a_closed_plan_says_so_with_the_date_and_promises_nothing_more(sip: Sip):
    plan = sip.to("closed")
    page = page_of(plan)
    assert f"SIP:en avslutades den {dates.day(plan.closed_at)}." in page
    assert "Skäl: Samordning behövs inte längre." in page or "Skäl:" in page
    assert "Det blir inga fler möten eller uppföljningar." in page
    assert "Pågår" not in page
    assert "Planen följs upp" not in page and "Nästa möte" not in page
    assert END not in page
    assert PDF in page  # the plan in force when it ended can still be printed
    assert "De här var med:" in page


@pytest.mark.parametrize("state", ["initiated", "consent_refused"])
def test_nothing_to_end_or_print_before_consent_even_by_the_address(sip: Sip, state):
    plan = sip.to(state)
    client = citizen_client(plan.person)
    for path in ("avsluta/", "kopia.pdf"):
        response = client.get(f"/min-sip/{plan.pk}/{path}", follow=True)
        assert response.redirect_chain == [(f"/min-sip/{plan.pk}/", 302)], path
    assert client.post(f"/min-sip/{plan.pk}/avsluta/", {"confirm": "on"}).status_code == 302
    assert fresh(plan).state == state  # nothing was ended


def test_a_closed_plan_cannot_be_ended_again(sip: Sip):
    plan = sip.to("closed")
    response = citizen_client(plan.person).get(f"/min-sip/{plan.pk}/avsluta/", follow=True)
    assert "SIP:en är redan avslutad." in response.content.decode()


@pytest.mark.parametrize(
    ("state", "says"),
    [
        ("initiated", "Ett samtycke behövs innan något annat händer."),
        ("consent_refused", "Samtycket nekades, så ingen plan görs."),
        ("consented", "Planen förbereds."),
        ("active", "Planen gäller."),
        ("closed", "SIP:en avslutades den"),
    ],
)
def test_the_list_of_plans_says_where_each_stands(sip: Sip, state, says):
    plan = sip.to(state)
    page = citizen_client(plan.person).get(reverse("citizen:home")).content.decode()
    assert says in page
    assert explained(page, "SoL och HSL") == 1


def test_the_readers_page_explains_its_counts(sip: Sip):
    plan = sip.to("active")
    staff = login(Client(), sip.alice)
    for _time in range(2):
        assert staff.get(f"/sip/{plan.pk}/").status_code == 200
    page = page_of(plan, "vem-har-last/")
    assert "<td>Biståndshandläggning</td>" in page
    assert "Antal gånger" in page and "Gånger<" not in page
    assert "”Antal gånger” är hur många gånger någon på enheten öppnade din plan" in page


def test_answering_a_new_version_marks_the_reminder_read(sip: Sip):
    plan = sip.to("revision")
    reminders_send()
    reminder = Notification.objects.get(
        channel="inbox", kind=Notification.Kind.APPROVAL_WAITING, person=plan.person
    )
    assert reminder.read_at is None
    assert reminder.body == "Version 2 av planen väntar på ditt svar."
    response = citizen_client(plan.person).post(
        f"/min-sip/{plan.pk}/svara/", {"approved": "yes", "comment": ""}
    )
    assert response.status_code == 302
    reminder.refresh_from_db()
    assert reminder.read_at is not None
