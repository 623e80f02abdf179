"""Dates within sane limits: a typing mistake (1800, 9999) is refused at its field, in Swedish,
whichever way it comes in; the limits live in one table (samplan.core.dates)."""

import datetime

import pytest
from django.utils import timezone, translation

from samplan.core.dates import date_problem, date_range
from samplan.people.models import Person
from samplan.plans import services
from samplan.plans.models import Consent, Intervention
from samplan.testing.cast import fresh, login, refused

TODAY = datetime.date(2026, 12, 4)


@pytest.mark.parametrize(
    ("kind", "value", "fragment"),
    [
        ("birth", datetime.date(1800, 1, 1), "cannot be before 1 January 1890"),
        ("birth", datetime.date(2026, 12, 5), "cannot be after 4 December 2026"),
        ("consent", datetime.date(1800, 1, 1), "The date of the consent cannot be before"),
        ("consent", datetime.date(2026, 12, 5), "cannot be after 4 December 2026"),
        ("meeting", datetime.date(9999, 12, 31), "The meeting cannot be after"),
        ("intervention", datetime.date(1800, 1, 1), "The start of the intervention cannot"),
        ("follow_up", datetime.date(2026, 12, 4), "The next follow-up cannot be before 5"),
        ("follow_up", datetime.date(9999, 1, 1), "The next follow-up cannot be after"),
        ("valid_until", datetime.date(2026, 12, 3), "The end date cannot be before"),
    ],
)
def test_a_date_outside_its_range_is_refused_with_the_limit_in_words(kind, value, fragment):
    with translation.override("en"):
        problem = date_problem(kind, value, today=TODAY)
    assert problem is not None and fragment in problem


@pytest.mark.parametrize("kind", ["birth", "consent", "meeting", "intervention", "follow_up"])
def test_the_limits_themselves_are_allowed(kind):
    first, last = date_range(kind, TODAY)
    assert first <= last
    assert date_problem(kind, first, today=TODAY) is None
    assert date_problem(kind, last, today=TODAY) is None
    assert date_problem(kind, None, today=TODAY) is None


def test_a_consent_in_1800_or_before_the_initiative_is_refused_at_the_date(sip):
    plan = sip.initiate()
    with refused("Samtyckets datum kan inte vara före") as info:
        sip.consent(plan, decided_on=datetime.date(1800, 1, 1))
    assert info.value.field == "decided_on"
    with refused("före SIP:en initierades"):
        sip.consent(plan, decided_on=timezone.localdate() - datetime.timedelta(days=30))
    assert not Consent.objects.filter(plan=plan).exists()


def test_a_meeting_in_9999_is_refused_at_its_time(sip):
    plan = sip.initiate()
    sip.consent(plan)
    far = timezone.make_aware(datetime.datetime(9999, 12, 30, 13, 0))
    with refused("Mötet kan inte vara efter") as info:
        sip.invite(plan, starts_at=far)
    assert info.value.field == "starts_at"


def test_an_intervention_from_1800_and_a_follow_up_in_9999_are_refused(sip):
    plan = sip.to("active")
    with refused("Insatsens start kan inte vara före") as info:
        services.intervention_save(
            **sip.as_alice,
            plan=fresh(plan),
            what="Boendestöd",
            organization=sip.municipality,
            start=datetime.date(1800, 1, 1),
        )
    assert info.value.field == "start"
    assert not Intervention.objects.filter(plan=plan, what="Boendestöd").exists()
    with refused("Nästa uppföljning kan inte vara efter") as info:
        sip.follow_up(plan, next_follow_up=datetime.date(9999, 1, 1))
    assert info.value.field == "next_follow_up"


def test_a_reservnummer_born_in_9999_is_refused_at_the_date_of_birth(client, alice):
    login(client, alice)
    response = client.post(
        "/individer/registrera/",
        {
            "number_kind": "reservnummer",
            "number": "R123456",
            "birth_date": "9999-01-01",
            "given_name": "Okänd",
            "family_name": "Person",
        },
    )
    text = response.content.decode()
    assert response.status_code == 400, text[:2000]
    assert "Ett födelsedatum kan inte vara efter" in text
    assert not Person.objects.filter(given_name="Okänd").exists()


def test_closing_through_a_follow_up_needs_a_chosen_reason(sip):
    plan = sip.to("active")
    with refused("Välj ett skäl") as info:
        sip.follow_up(plan, decision="close", next_follow_up=None)
    assert info.value.field == "closing_reason"
    assert not fresh(plan).is_closed
