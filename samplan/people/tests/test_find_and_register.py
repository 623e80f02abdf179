from django.test import Client

from samplan.conftest import login
from samplan.people.models import ContactGrant, Person, Relation


def test_staff_find_an_individual_by_identity_number_sent_by_post(client, alice, person):
    login(client, alice)
    response = client.post("/individer/sok/", {"identity_number": "198112189876"}, follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Eva Exempel" in page and "19811218-9876" in page
    assert "Hemliga gatan 1" in page


def test_the_result_is_a_get_page_that_back_and_reload_show_again(client, alice, person):
    login(client, alice)
    response = client.post("/individer/sok/", {"identity_number": "198112189876"})
    assert response.status_code == 302
    result = response["Location"]
    assert "?sok=" in result and "1981" not in result and "9876" not in result
    for _again in range(2):  # Back and reload are plain GETs
        assert "Eva Exempel" in client.get(result).content.decode()
    start = client.get(result).content.decode()
    assert "/sip/ny/?sok=" in start  # and the next step is offered
    initiative = client.get("/sip/ny/" + result[result.index("?") :]).content.decode()
    assert "Eva Exempel" in initiative and 'name="step" value="initiate"' in initiative


def test_a_search_id_is_private_to_the_session_and_expires(client, alice, bob, person):
    login(client, alice)
    result = client.post("/individer/sok/", {"identity_number": "198112189876"})["Location"]
    other = login(Client(), bob)
    page = other.get(result).content.decode()
    assert "Eva Exempel" not in page and "Sökningen har gått ut" in page


def test_the_search_never_reads_the_number_from_the_url(client, alice, person):
    login(client, alice)
    page = client.get("/individer/sok/?identity_number=198112189876").content.decode()
    assert "Eva Exempel" not in page


def test_a_malformed_number_gets_a_swedish_message_next_to_the_field(client, alice):
    login(client, alice)
    response = client.post("/individer/sok/", {"identity_number": "19811218-9877"}, follow=True)
    assert response.status_code == 400
    assert "Kontrollsiffran är fel" in response.content.decode()


def test_an_unknown_number_offers_to_register_the_individual(client, alice, db):
    login(client, alice)
    page = client.post(
        "/individer/sok/", {"identity_number": "19811218-9876"}, follow=True
    ).content.decode()
    assert "Ingen individ med det numret" in page and "/individer/registrera/" in page


def test_protected_contact_details_are_hidden_without_a_grant(client, alice, adam, person):
    person.protected_identity = True
    person.save()
    login(client, alice)
    page = client.post(
        "/individer/sok/", {"identity_number": "198112189876"}, follow=True
    ).content.decode()
    assert "Hemliga gatan" not in page and "070-111 11 11" not in page
    assert "Skyddade personuppgifter" in page
    ContactGrant.objects.create(person=person, user=alice, granted_by=adam, reason="Hembesök")
    page = client.post(
        "/individer/sok/", {"identity_number": "198112189876"}, follow=True
    ).content.decode()
    assert "Hemliga gatan" in page


def test_a_child_shows_its_guardians(client, alice, person):
    child = Person.objects.create(
        identity_kind="personnummer",
        identity_number="201306159813",
        birth_date="2013-06-15",
        given_name="Elias",
        family_name="Exempel",
    )
    Relation.objects.create(person=child, related=person, kind="guardian")
    login(client, alice)
    page = client.post(
        "/individer/sok/", {"identity_number": "201306159813"}, follow=True
    ).content.decode()
    assert "Vårdnadshavare" in page and "Eva Exempel" in page


def register(client, **fields):
    data = {
        "number_kind": "number",
        "number": "19811218-9876",
        "given_name": "Nils",
        "family_name": "Ny",
        "email": "",
        "phone": "",
        "street_address": "",
        "postal_code": "",
        "city": "",
    }
    follow = fields.pop("follow", False)
    return client.post("/individer/registrera/", {**data, **fields}, follow=follow)


def test_staff_register_a_new_individual(client, alice, db):
    login(client, alice)
    response = register(client, follow=True)
    assert response.status_code == 200
    assert "1981" not in response.redirect_chain[0][0]  # the result is a GET without the number
    assert "Starta SIP för Nils Ny" in response.content.decode()
    person = Person.objects.get()
    assert (person.identity_kind, person.identity_number) == ("personnummer", "198112189876")
    assert str(person.birth_date) == "1981-12-18"
    assert "Nils Ny är registrerad." in response.content.decode()


def test_registering_with_a_wrong_check_digit_keeps_the_input_and_explains(client, alice, db):
    login(client, alice)
    response = register(client, number="19811218-9877")
    page = response.content.decode()
    assert response.status_code == 400
    assert "Kontrollsiffran är fel" in page and 'value="Nils"' in page
    assert not Person.objects.exists()


def test_registering_a_duplicate_is_refused(client, alice, person):
    login(client, alice)
    response = register(client)
    assert "redan registrerad" in response.content.decode()
    assert Person.objects.count() == 1


def test_a_reservnummer_needs_a_date_of_birth(client, alice, db):
    login(client, alice)
    response = register(client, number_kind="reservnummer", number="RM-1234")
    assert "Ange födelsedatum för ett reservnummer." in response.content.decode()
    response = register(
        client, number_kind="reservnummer", number="rm-1234", birth_date="1970-05-01"
    )
    assert Person.objects.get().identity_number == "RM-1234"


def test_a_person_is_never_shown_by_identity_number_in_its_string_form(person):
    assert "9876" not in str(person)
