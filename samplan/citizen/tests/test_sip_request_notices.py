"""Who hears of a request for a SIP from Min SIP (issue 14): the receiving units it went to
get an inbox item (and their functional e-mail) when it is sent; the person who asked gets a
Min SIP inbox item (and an e-mail, if agreed) when it is accepted or declined. No e-mail says
SIP in its subject or first line, and none carries the person's name or words."""

import datetime

import pytest
from django.utils import timezone

from samplan.citizen import services
from samplan.notifications import services as notifications
from samplan.notifications.models import Notification
from samplan.people.models import Relation
from samplan.policy import Citizen
from samplan.testing.cast import make_person, staff

Kind = Notification.Kind
TEXT = "Jag behöver hjälp från flera håll."


@pytest.fixture
def receiving(sip):
    sip.needs_assessment.receives_requests = True
    sip.needs_assessment.email = "bistand@kommun.test"
    sip.needs_assessment.save(update_fields=["receives_requests", "email"])
    sip.primary_care.receives_requests = True
    sip.primary_care.email = "vc@region.test"
    sip.primary_care.save(update_fields=["receives_requests", "email"])
    sip.person.email = "eva.exempel@mejl.test"
    sip.person.save(update_fields=["email"])
    return sip


def send(person, asker=None, organizations=()):
    return services.sip_request_send(
        actor=Citizen(person=asker or person),
        person=person,
        organizations=organizations,
        text=TEXT,
        contact_way="phone",
        contact_detail="070-111 11 11",
    )


def told(kind: str) -> set[str]:
    """'user:alice', 'person:Eva', 'email:bistand@kommun.test'."""
    found = set()
    for n in Notification.objects.filter(kind=kind).select_related("user", "person"):
        if n.channel == "email":
            found.add(f"email:{n.email}")
        elif n.user_id:
            found.add(f"user:{n.user.username}")
        else:
            found.add(f"person:{n.person.given_name}")
    return found


def assert_nothing_personal(sip, notification: Notification) -> None:
    text = notification.subject + notification.body
    for value in (sip.person.given_name, sip.person.family_name, "070-111", TEXT):
        assert value not in text


def test_sending_tells_the_receiving_units_it_went_to(receiving):
    sip = receiving
    request = send(sip.person, organizations=[sip.municipality])
    assert told(Kind.SIP_REQUEST) == {"user:alice", "email:bistand@kommun.test"}
    item = Notification.objects.get(kind=Kind.SIP_REQUEST, channel="inbox")
    assert item.link == f"/forfragningar/{request.pk}/"
    email = Notification.objects.get(kind=Kind.SIP_REQUEST, channel="email")
    assert email.status == "pending" and email.unit == sip.needs_assessment
    for notification in (item, email):
        assert_nothing_personal(sip, notification)


def test_i_dont_know_tells_every_receiving_unit(receiving):
    sip = receiving
    send(sip.person)
    assert told(Kind.SIP_REQUEST) == {
        "user:alice",
        "email:bistand@kommun.test",
        "user:bob",
        "email:vc@region.test",
    }


def test_an_accepted_request_tells_the_individual_in_min_sip_and_by_agreed_email(receiving):
    sip = receiving
    notifications.email_preference_set(person=sip.person, email_ok=True)
    request = send(sip.person, organizations=[sip.municipality])
    services.sip_request_accept(actor=staff(sip.alice, sip.needs_assessment), request=request)
    assert told(Kind.SIP_REQUEST_ANSWERED) == {"person:Eva", "email:eva.exempel@mejl.test"}
    item = Notification.objects.get(kind=Kind.SIP_REQUEST_ANSWERED, channel="inbox")
    assert item.person == sip.person and "accepterats" in item.body
    email = Notification.objects.get(kind=Kind.SIP_REQUEST_ANSWERED, channel="email")
    assert email.subject == f"Meddelande från {sip.municipality.name}"
    first_line = email.body.split("\n\n")[0]
    assert "SIP" not in email.subject and "SIP" not in first_line
    assert_nothing_personal(sip, email)
    assert notifications.inbox_for_person(sip.person).filter(pk=item.pk).exists()


def test_a_declined_request_tells_the_individual_in_min_sip_only_without_email_consent(
    receiving,
):
    sip = receiving
    request = send(sip.person, organizations=[sip.municipality])
    services.sip_request_decline(
        actor=staff(sip.alice, sip.needs_assessment), request=request, reason="Ring oss."
    )
    assert told(Kind.SIP_REQUEST_ANSWERED) == {"person:Eva"}
    item = Notification.objects.get(kind=Kind.SIP_REQUEST_ANSWERED)
    assert "avböjts" in item.body and item.link == "/min-sip/"
    assert item.subject == f"Meddelande från {sip.municipality.name}"


def test_the_guardian_who_asked_for_a_child_is_the_one_told(receiving):
    sip = receiving
    born = timezone.localdate() - datetime.timedelta(days=365 * 10 + 3)
    child = make_person(born.strftime("%Y%m%d"), "118", "Erik", "Barnsson")
    mother = make_person("19800101", "239", "Maja", "Barnsson")
    Relation.objects.create(person=child, related=mother, kind="guardian")
    request = send(child, asker=mother, organizations=[sip.municipality])
    services.sip_request_decline(
        actor=staff(sip.alice, sip.needs_assessment), request=request, reason="Ring oss."
    )
    assert told(Kind.SIP_REQUEST_ANSWERED) == {"person:Maja"}
