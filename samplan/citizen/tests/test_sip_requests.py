"""Asking for a SIP from Min SIP without having one (issue 14, parts 2 and 3): the individual
or a guardian for a child asks; the receiving units of the organisations chosen get it; one
accepts it (which starts the SIP) or declines it with a reason; Min SIP shows the state."""

import datetime

import pytest
from django.utils import timezone

from samplan.citizen import forms as f
from samplan.citizen import services
from samplan.citizen.models import SipRequest
from samplan.people.models import Relation
from samplan.plans.models import Plan
from samplan.plans.rules import RuleViolation
from samplan.policy import Citizen
from samplan.testing.cast import citizen_client, make_person, staff
from samplan.testing.world import staff_client

FORM = {"text": "Jag behöver hjälp från flera håll.", "contact_way": "phone"}


def born_years_ago(years: int) -> str:
    day = timezone.localdate() - datetime.timedelta(days=365 * years + 40)
    return day.strftime("%Y%m%d")


@pytest.fixture
def receiving(sip):
    sip.needs_assessment.receives_requests = True
    sip.needs_assessment.save(update_fields=["receives_requests"])
    return sip


def send(person, asker=None, organizations=(), **extra):
    return services.sip_request_send(
        actor=Citizen(person=asker or person),
        person=person,
        organizations=organizations,
        text=extra.get("text", FORM["text"]),
        contact_way=extra.get("contact_way", "phone"),
        contact_detail=extra.get("contact_detail", "070-111 11 11"),
    )


def test_the_individual_asks_in_min_sip_and_sees_the_request_sent(receiving):
    sip = receiving
    client = citizen_client(sip.person)
    home = client.get("/min-sip/").content.decode()
    assert f"/min-sip/be-om-sip/{sip.person.pk}/" in home
    page = client.get(f"/min-sip/be-om-sip/{sip.person.pk}/").content.decode()
    assert sip.municipality.name in page and sip.region.name not in page  # no receiving unit
    response = client.post(
        f"/min-sip/be-om-sip/{sip.person.pk}/",
        {**FORM, "organizations": [sip.municipality.pk], "contact_detail": "070-1"},
    )
    assert response.status_code == 302
    request = SipRequest.objects.get()
    assert (request.person, request.asked_by, request.state) == (sip.person, sip.person, "sent")
    assert list(request.organizations.all()) == [sip.municipality]
    home = client.get("/min-sip/").content.decode()
    assert f"till {sip.municipality.name}" in home and "Väntar på svar" in home


def test_a_choice_is_needed_and_i_dont_know_sends_to_every_receiving_unit(receiving):
    sip = receiving
    client = citizen_client(sip.person)
    url = f"/min-sip/be-om-sip/{sip.person.pk}/"
    response = client.post(url, {**FORM, "contact_detail": "070-1"})
    assert response.status_code == 400 and not SipRequest.objects.exists()
    assert (
        client.post(url, {**FORM, "contact_detail": "070-1", "dont_know": "on"}).status_code == 302
    )
    request = SipRequest.objects.get()
    assert not request.organizations.exists()
    assert list(services.requests_to_unit(sip.needs_assessment)) == [request]


def test_a_guardian_asks_for_a_child(receiving):
    sip = receiving
    child = make_person(born_years_ago(10), "118", "Erik", "Barnsson")
    mother = make_person("19800101", "239", "Maja", "Barnsson")
    Relation.objects.create(person=child, related=mother, kind="guardian")
    client = citizen_client(mother)
    assert f"/min-sip/be-om-sip/{child.pk}/" in client.get("/min-sip/").content.decode()
    response = client.post(
        f"/min-sip/be-om-sip/{child.pk}/",
        {**FORM, "organizations": [sip.municipality.pk], "contact_detail": "maja@example.se",
         "contact_way": "email"},
    )  # fmt: skip
    assert response.status_code == 302
    request = SipRequest.objects.get()
    assert (request.person, request.asked_by) == (child, mother)
    assert "Erik" in client.get("/min-sip/").content.decode()
    # The child does not ask for himself.
    assert citizen_client(child).get(f"/min-sip/be-om-sip/{child.pk}/").status_code == 404


@pytest.mark.parametrize("kind", ["relative", "god_man", "ombud"])
def test_a_relative_or_a_representative_cannot_ask(receiving, kind):
    sip = receiving
    other = make_person("19700101", "237", "Olle", "Annan")
    Relation.objects.create(person=sip.person, related=other, kind=kind)
    client = citizen_client(other)
    assert f"/min-sip/be-om-sip/{sip.person.pk}/" not in client.get("/min-sip/").content.decode()
    url = f"/min-sip/be-om-sip/{sip.person.pk}/"
    assert client.get(url).status_code == 404
    assert client.post(url, {**FORM, "dont_know": "on", "contact_detail": "1"}).status_code == 404
    with pytest.raises(RuleViolation, match="Endast den enskilde"):
        send(sip.person, asker=other)
    assert not SipRequest.objects.exists()


def test_staff_cannot_use_the_min_sip_page(receiving):
    sip = receiving
    client = staff_client(sip.alice, sip.needs_assessment)
    response = client.get(f"/min-sip/be-om-sip/{sip.person.pk}/")
    assert response.status_code == 302 and "/min-sip/logga-in/" in response["Location"]


def test_someone_with_an_open_sip_is_not_offered_it_and_cannot_ask(receiving):
    sip = receiving
    sip.initiate(sip.person)
    client = citizen_client(sip.person)
    assert "be-om-sip" not in client.get("/min-sip/").content.decode()
    with pytest.raises(RuleViolation, match="redan en SIP"):
        send(sip.person, organizations=[sip.municipality])


def test_only_receiving_units_of_the_chosen_organisation_get_it(receiving):
    sip = receiving
    with pytest.raises(RuleViolation):  # the region has no receiving unit
        send(sip.person, organizations=[sip.region])
    request = send(sip.person, organizations=[sip.municipality])
    assert list(services.requests_to_unit(sip.needs_assessment)) == [request]
    assert not services.requests_to_unit(sip.primary_care).exists()
    bob = staff_client(sip.bob, sip.primary_care)
    assert bob.get("/forfragningar/").status_code == 404
    assert bob.get(f"/forfragningar/{request.pk}/").status_code == 404
    response = bob.post(f"/forfragningar/{request.pk}/", {"answer": "accept"})
    assert response.status_code == 404
    with pytest.raises(RuleViolation):
        services.sip_request_accept(actor=staff(sip.bob, sip.primary_care), request=request)
    assert SipRequest.objects.get().state == "sent" and not Plan.objects.exists()
    # A citizen is not let into the staff pages.
    citizen = citizen_client(sip.person)
    assert citizen.get("/forfragningar/").status_code in {302, 404}


def test_the_receiving_unit_accepts_and_the_sip_starts(receiving):
    sip = receiving
    request = send(sip.person, organizations=[sip.municipality])
    client = staff_client(sip.alice, sip.needs_assessment)
    listing = client.get("/forfragningar/").content.decode()
    assert sip.person.full_name in listing and "Samtycke utan dröjsmål" in listing
    assert sip.person.full_name in client.get(f"/forfragningar/{request.pk}/").content.decode()
    response = client.post(f"/forfragningar/{request.pk}/", {"answer": "accept"})
    request.refresh_from_db()
    plan = request.plan
    assert response.status_code == 302 and response["Location"] == f"/sip/{plan.pk}/samtycke/"
    assert (request.state, request.handled_unit, request.handled_by) == (
        "accepted", sip.needs_assessment, sip.alice,
    )  # fmt: skip
    assert (plan.person, plan.initiating_unit, plan.initiative_source) == (
        sip.person, sip.needs_assessment, "individual",
    )  # fmt: skip
    assert plan.reason_text == FORM["text"]
    home = citizen_client(sip.person).get("/min-sip/").content.decode()
    assert "Accepterad: din SIP har startats" in home
    # Answered once only.
    assert (
        client.post(
            f"/forfragningar/{request.pk}/", {"answer": "decline", "reason": "x"}
        ).status_code
        == 400
    )


def test_declining_needs_a_reason_that_the_individual_reads(receiving):
    sip = receiving
    request = send(sip.person, organizations=[sip.municipality])
    client = staff_client(sip.alice, sip.needs_assessment)
    response = client.post(f"/forfragningar/{request.pk}/", {"answer": "decline"})
    assert response.status_code == 400
    with pytest.raises(RuleViolation):
        services.sip_request_decline(
            actor=staff(sip.alice, sip.needs_assessment), request=request, reason=" "
        )
    reason = "Du får redan hjälp av oss, ring oss."
    response = client.post(f"/forfragningar/{request.pk}/", {"answer": "decline", "reason": reason})
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.state, request.decline_reason, request.plan) == ("declined", reason, None)
    assert f"Avböjd: {reason}" in citizen_client(sip.person).get("/min-sip/").content.decode()


def test_reads_of_requests_are_access_logged(receiving):
    from samplan.audit.models import AccessLogEntry

    sip = receiving
    request = send(sip.person, organizations=[sip.municipality])
    client = staff_client(sip.alice, sip.needs_assessment)
    client.get("/forfragningar/")
    client.get(f"/forfragningar/{request.pk}/")
    actions = set(AccessLogEntry.objects.filter(person=sip.person).values_list("action", flat=True))
    assert {"sip_request.list", "sip_request.view"} <= actions


def test_mass_assignment_the_answer_sets_only_the_answer(receiving):
    sip = receiving
    request = send(sip.person, organizations=[sip.municipality])
    client = staff_client(sip.alice, sip.needs_assessment)
    data = {"answer": "decline", "reason": "Inte nu", "state": "accepted", "person": "x",
            "handled_by": sip.bob.pk, "handled_unit": sip.primary_care.pk}  # fmt: skip
    assert client.post(f"/forfragningar/{request.pk}/", data).status_code == 302
    request.refresh_from_db()
    assert (request.state, request.handled_by, request.handled_unit, request.person) == (
        "declined", sip.alice, sip.needs_assessment, sip.person,
    )  # fmt: skip


def test_the_listed_primary_care_centre_is_on_the_card_and_its_organisation_offered_first(
    receiving,
):
    sip = receiving
    sip.primary_care.receives_requests = True
    sip.primary_care.save(update_fields=["receives_requests"])
    sip.person.listed_primary_care = sip.primary_care
    sip.person.save(update_fields=["listed_primary_care"])
    form = f.SipRequestForm(person=sip.person)
    assert [name for _pk, name in form.fields["organizations"].choices][0] == sip.region.name
    client = staff_client(sip.alice, sip.needs_assessment)
    result = client.post("/individer/sok/", {"identity_number": "198112189876"})["Location"]
    page = client.get(result).content.decode()
    assert "Listad på" in page and sip.primary_care.name in page


def test_the_admin_shows_and_sets_the_receiving_unit():
    from samplan.accounts.admin import UnitAdmin, UnitInline

    assert "receives_requests" in UnitAdmin.list_display
    assert "receives_requests" in UnitInline.fields
