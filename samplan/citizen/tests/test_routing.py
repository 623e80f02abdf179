"""Receiving units and routing (issue 14, part 2): a receiving unit that accepts a request can
bring in the right unit of its organisation, which starts the SIP and is told; a staff member
who does not know which unit of another organisation should start a SIP sends the request to
that organisation's receiving unit, which answers it the same way, and the referring unit is
told."""

import re

import pytest

from samplan.citizen import services
from samplan.citizen.models import SipRequest
from samplan.notifications.models import Notification
from samplan.plans.models import Plan
from samplan.plans.rules import RuleViolation
from samplan.policy import Citizen
from samplan.testing.cast import citizen_client, staff
from samplan.testing.world import staff_client

Kind = Notification.Kind
TEXT = "Jag behöver hjälp från flera håll."
WHY = "Hon behöver stöd från både kommunen och vården och vet inte vart hon ska vända sig."


@pytest.fixture
def receiving(sip, social_psychiatry, carl):
    sip.needs_assessment.receives_requests = True
    sip.needs_assessment.save(update_fields=["receives_requests"])
    sip.social_psychiatry, sip.carl = social_psychiatry, carl
    return sip


def ask(sip, organizations=None):
    return services.sip_request_send(
        actor=Citizen(person=sip.person),
        person=sip.person,
        organizations=organizations if organizations is not None else [sip.municipality],
        text=TEXT,
        contact_way="phone",
        contact_detail="070-111 11 11",
    )


def told(kind: str) -> set[str]:
    found = set()
    for n in Notification.objects.filter(kind=kind).select_related("user"):
        found.add(f"email:{n.email}" if n.channel == "email" else f"user:{n.user.username}")
    return found


def refer(client, organization, text=WHY):
    """Find the individual in the start flow, follow the referral link, and send it."""
    found = client.post("/sip/ny/", {"step": "find", "identity_number": "198112189876"})
    start = client.get(found["Location"]).content.decode()
    link = re.search(r'href="(/forfragningar/skicka/\?sok=[^"]+)"', start)
    assert link and "Vet du inte vilken enhet?" in start
    url = link.group(1)
    assert "Skicka till en organisations mottagning" in client.get(url).content.decode()
    return client.post(url, {"organization": organization.pk, "text": text})


# --- Bringing in the right unit ---------------------------------------------------------------


def test_the_receiving_unit_hands_the_sip_to_the_unit_it_chooses(receiving):
    sip = receiving
    request = ask(sip)
    alice = staff_client(sip.alice, sip.needs_assessment)
    page = alice.get(f"/forfragningar/{request.pk}/").content.decode()
    assert "Vilken enhet ska ta hand om SIP:en?" in page and sip.social_psychiatry.name in page
    assert sip.primary_care.name not in page  # only units of its own organisation
    response = alice.post(
        f"/forfragningar/{request.pk}/", {"answer": "accept", "unit": sip.social_psychiatry.pk}
    )
    assert response.status_code == 302 and response["Location"] == "/forfragningar/"
    listing = alice.get("/forfragningar/").content.decode()
    assert f"{sip.social_psychiatry.name} har fått SIP:en" in listing
    request.refresh_from_db()
    plan = request.plan
    assert (plan.initiating_unit, plan.initiated_by, plan.initiative_source) == (
        sip.social_psychiatry, sip.alice, Plan.Source.INDIVIDUAL,
    )  # fmt: skip
    assert (request.state, request.handled_unit, request.handed_to) == (
        "accepted", sip.needs_assessment, sip.social_psychiatry,
    )  # fmt: skip
    # The unit it was handed to is told (functional e-mail, inbox items), with a link to it.
    assert told(Kind.SIP_HANDED_OVER) == {"user:carl", "email:enhet@example.invalid"}
    item = Notification.objects.get(kind=Kind.SIP_HANDED_OVER, channel="inbox")
    assert item.unit == sip.social_psychiatry and item.link == f"/sip/{plan.pk}/"
    assert sip.person.given_name not in item.subject + item.body
    # The SIP is the chosen unit's before the consent: the receiving unit no longer sees it.
    assert alice.get(f"/sip/{plan.pk}/").status_code == 404
    assert staff_client(sip.carl, sip.social_psychiatry).get(f"/sip/{plan.pk}/").status_code == 200
    # The individual hears from the organisation, as before; no staff member is told of it.
    answered = Notification.objects.filter(kind=Kind.SIP_REQUEST_ANSWERED)
    assert {n.person for n in answered} == {sip.person}


def test_accepting_at_the_receiving_unit_itself_starts_the_sip_there_and_tells_no_one_else(
    receiving,
):
    sip = receiving
    request = ask(sip)
    alice = staff_client(sip.alice, sip.needs_assessment)
    response = alice.post(
        f"/forfragningar/{request.pk}/", {"answer": "accept", "unit": sip.needs_assessment.pk}
    )
    request.refresh_from_db()
    assert response["Location"] == f"/sip/{request.plan.pk}/samtycke/"
    assert request.handed_to == sip.needs_assessment
    assert request.plan.initiating_unit == sip.needs_assessment
    assert not Notification.objects.filter(kind=Kind.SIP_HANDED_OVER).exists()


def test_the_listed_primary_care_centre_is_offered_first_when_it_is_of_the_organisation(
    receiving,
):
    sip = receiving
    sip.primary_care.receives_requests = True
    sip.primary_care.save(update_fields=["receives_requests"])
    other = sip.primary_care.__class__.objects.create(
        organization=sip.region, name="Allmänmedicin A", kind="primary_care", phone="1"
    )
    sip.person.listed_primary_care = sip.primary_care
    sip.person.save(update_fields=["listed_primary_care"])
    units = list(services.handover_units(other, sip.person))
    assert units[0] == sip.primary_care and other in units
    assert sip.needs_assessment not in units


def test_a_unit_of_another_organisation_is_refused(receiving):
    sip = receiving
    request = ask(sip)
    alice = staff_client(sip.alice, sip.needs_assessment)
    response = alice.post(
        f"/forfragningar/{request.pk}/", {"answer": "accept", "unit": sip.primary_care.pk}
    )
    assert response.status_code == 400
    assert "Välj en enhet i din egen organisation." in response.content.decode()
    with pytest.raises(RuleViolation) as refused:
        services.sip_request_accept(
            actor=staff(sip.alice, sip.needs_assessment), request=request, unit=sip.primary_care
        )
    assert refused.value.field == "unit"
    request.refresh_from_db()
    assert request.state == "sent" and not Plan.objects.exists()
    assert not Notification.objects.filter(kind=Kind.SIP_HANDED_OVER).exists()


# --- A staff referral to another organisation's receiving unit -------------------------------


def test_a_staff_referral_reaches_only_the_named_organisations_receiving_unit(receiving, olle):
    sip = receiving
    sip.psychiatry = olle.memberships.get().unit
    sip.psychiatry.receives_requests = True  # the region's receiving unit
    sip.psychiatry.save(update_fields=["receives_requests"])
    bob = staff_client(sip.bob, sip.primary_care)
    response = refer(bob, sip.municipality)
    assert response.status_code == 302
    request = SipRequest.objects.get()
    assert (request.referred_by, request.referring_unit, request.asked_by) == (
        sip.bob, sip.primary_care, None,
    )  # fmt: skip
    assert list(request.organizations.all()) == [sip.municipality]
    assert (request.contact_way, request.contact_detail, request.text) == ("", "", WHY)
    assert list(services.requests_to_unit(sip.needs_assessment)) == [request]
    assert not services.requests_to_unit(sip.psychiatry).exists()
    assert told(Kind.SIP_REQUEST) == {"user:alice", "user:carl", "email:enhet@example.invalid"}
    email = Notification.objects.get(kind=Kind.SIP_REQUEST, channel="email")
    assert "Min SIP" not in email.body and sip.person.given_name not in email.body
    # The receiving unit sees where it came from.
    alice = staff_client(sip.alice, sip.needs_assessment)
    assert f"Från {sip.primary_care.name}" in alice.get("/forfragningar/").content.decode()
    page = alice.get(f"/forfragningar/{request.pk}/").content.decode()
    assert WHY in page and sip.primary_care.name in page
    # Another organisation's receiving unit does not get it.
    olle_client = staff_client(olle, sip.psychiatry)
    assert olle_client.get(f"/forfragningar/{request.pk}/").status_code == 404
    assert sip.person.full_name not in olle_client.get("/forfragningar/").content.decode()
    # It is not the individual's own request: Min SIP does not show it, and he or she can ask.
    home = citizen_client(sip.person).get("/min-sip/").content.decode()
    assert "Dina förfrågningar om SIP" not in home
    ask(sip)


def test_an_accepted_referral_starts_the_sip_and_the_referring_unit_is_told(receiving):
    sip = receiving
    bob = staff_client(sip.bob, sip.primary_care)
    refer(bob, sip.municipality)
    request = SipRequest.objects.get()
    alice = staff_client(sip.alice, sip.needs_assessment)
    response = alice.post(f"/forfragningar/{request.pk}/", {"answer": "accept"})
    request.refresh_from_db()
    plan = request.plan
    assert response["Location"] == f"/sip/{plan.pk}/samtycke/"
    # Bob works for a principal: his referral is the staff's initiative.
    assert (plan.initiating_unit, plan.initiative_source, plan.reason_text) == (
        sip.needs_assessment, Plan.Source.STAFF, WHY,
    )  # fmt: skip
    assert told(Kind.SIP_REQUEST_ANSWERED) == {"user:bob"}
    item = Notification.objects.get(kind=Kind.SIP_REQUEST_ANSWERED)
    assert item.link == f"/forfragningar/{request.pk}/" and "accepterat" in item.body
    assert sip.person.given_name not in item.subject + item.body
    # The referring unit reads its referral and the answer, and cannot answer it.
    page = bob.get(item.link)
    assert page.status_code == 200 and "Accepterad" in page.content.decode()
    assert "Skicka svaret" not in page.content.decode()
    assert bob.post(item.link, {"answer": "decline", "reason": "x"}).status_code == 404


def test_a_referral_from_another_actor_names_it_as_the_source(receiving):
    sip = receiving
    request = services.sip_request_refer(
        actor=staff(sip.frida, sip.social_insurance),
        person=sip.person,
        organization=sip.municipality,
        text=WHY,
    )
    plan = services.sip_request_accept(
        actor=staff(sip.alice, sip.needs_assessment), request=request
    )
    assert (plan.initiative_source, plan.initiative_source_detail) == (
        Plan.Source.OTHER_ACTOR, sip.social_insurance.name,
    )  # fmt: skip
    assert told(Kind.SIP_REQUEST_ANSWERED) == {"user:frida"}


def test_a_declined_referral_tells_the_referring_unit_which_reads_why(receiving):
    sip = receiving
    bob = staff_client(sip.bob, sip.primary_care)
    refer(bob, sip.municipality)
    request = SipRequest.objects.get()
    alice = staff_client(sip.alice, sip.needs_assessment)
    reason = "Hon har redan kontakt med oss; vi ringer er."
    response = alice.post(f"/forfragningar/{request.pk}/", {"answer": "decline", "reason": reason})
    assert response.status_code == 302
    assert told(Kind.SIP_REQUEST_ANSWERED) == {"user:bob"}
    item = Notification.objects.get(kind=Kind.SIP_REQUEST_ANSWERED)
    assert "avböjt" in item.body and reason not in item.body
    assert reason in bob.get(item.link).content.decode()


def test_a_referral_needs_an_organisation_with_a_receiving_unit_and_a_reason(receiving):
    sip = receiving
    bob = staff_client(sip.bob, sip.primary_care)
    assert refer(bob, sip.region).status_code == 400  # the region has no receiving unit
    assert refer(bob, sip.municipality, text=" ").status_code == 400
    assert not SipRequest.objects.exists()
    with pytest.raises(RuleViolation):
        services.sip_request_refer(
            actor=staff(sip.bob, sip.primary_care),
            person=sip.person,
            organization=sip.region,
            text=WHY,
        )
    # Sent once; the same referral again while it waits is refused.
    assert refer(bob, sip.municipality).status_code == 302
    assert refer(bob, sip.municipality).status_code == 400
    assert SipRequest.objects.count() == 1


def test_a_non_receiving_unit_cannot_open_or_answer_a_referral(receiving, olle):
    sip = receiving
    request = services.sip_request_refer(
        actor=staff(sip.bob, sip.primary_care),
        person=sip.person,
        organization=sip.municipality,
        text=WHY,
    )
    psychiatry = olle.memberships.get().unit
    client = staff_client(olle, psychiatry)
    assert client.get("/forfragningar/").status_code == 404
    assert client.get(f"/forfragningar/{request.pk}/").status_code == 404
    assert client.post(f"/forfragningar/{request.pk}/", {"answer": "accept"}).status_code == 404
    # Nor a unit of the receiving organisation that does not receive requests.
    carl = staff_client(sip.carl, sip.social_psychiatry)
    assert carl.get(f"/forfragningar/{request.pk}/").status_code == 404
    with pytest.raises(RuleViolation):
        services.sip_request_accept(actor=staff(sip.carl, sip.social_psychiatry), request=request)
    assert SipRequest.objects.get().state == "sent"


def test_the_referral_page_needs_a_live_search(receiving):
    sip = receiving
    bob = staff_client(sip.bob, sip.primary_care)
    response = bob.get("/forfragningar/skicka/?sok=nothing")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Sökningen har gått ut" in page and 'href="/sip/ny/"' in page
    assert "Skicka förfrågan" not in page
    assert bob.get("/forfragningar/skicka/").status_code == 200
    response = bob.post(
        "/forfragningar/skicka/", {"organization": sip.municipality.pk, "text": WHY}
    )
    assert response.status_code == 302 and not SipRequest.objects.exists()
