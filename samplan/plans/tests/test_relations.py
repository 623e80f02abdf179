"""Registering the people around the individual from the plan: guardians of a child,
relatives and other close persons, representatives. Validated, attributed and in the plan's
history; a protected individual's relations only for those granted his or her details."""

from django.test import Client

from samplan.people import identity
from samplan.people.models import ContactGrant, Person, Relation
from samplan.testing.cast import fresh, login, make_person

MOTHER = identity.identity_number_with_check_digit("19800505986")


def page(client: Client, plan, data=None):
    url = f"/sip/{plan.pk}/narstaende/"
    return client.post(url, data) if data is not None else client.get(url)


def add(client, plan, **fields):
    return page(client, plan, {"add": "1", **fields})


def test_a_guardian_registered_here_can_give_the_childs_consent(sip, alice, child):
    Relation.objects.filter(person=child).delete()
    plan = sip.initiate(child)
    client = login(Client(), alice)
    consent_page = client.get(f"/sip/{plan.pk}/samtycke/").content.decode()
    assert "Ingen vårdnadshavare är registrerad." in consent_page

    response = add(
        client, plan, number=MOTHER, given_name="Lisa", family_name="Barnsson",
        kind="guardian", description="mamma", basis="population_register",
    )  # fmt: skip
    assert response.status_code == 302
    mother = Person.objects.get(identity_number=MOTHER)
    relation = Relation.objects.get(person=child, related=mother, kind="guardian")
    assert relation.created_by == alice and relation.basis == "population_register"
    event = plan.events.get(kind="relation_added")
    assert (event.actor, "Lisa Barnsson" in event.summary) == (alice, True)

    sip.consent(fresh(plan), given_by="guardians", guardians=[mother])
    assert fresh(plan).current_consent.guardians.get() == mother


def test_mistakes_get_a_message_at_the_field(sip, alice, person):
    plan = sip.initiate(person)
    client = login(Client(), alice)
    cases = [
        ({"number": "19800505-0000", "kind": "relative"}, "number"),
        ({"number": MOTHER, "kind": "relative"}, "given_name"),  # unknown: name needed
        ({"number": person.identity_number, "kind": "relative"}, "related"),  # himself
        ({"number": MOTHER, "given_name": "A", "family_name": "B", "kind": "guardian",
          "basis": "court"}, "kind"),  # an adult has no guardian
        ({"number": MOTHER, "given_name": "A", "family_name": "B", "kind": "ombud"}, "scope"),
        ({"number": MOTHER, "given_name": "A", "family_name": "B", "kind": "god_man",
          "valid_until": "2001-01-01"}, "valid_until"),
    ]  # fmt: skip
    for data, field in cases:
        response = add(client, plan, **data)
        assert response.status_code == 400, (data, response.status_code)
        text = response.content.decode()
        target = "related" if field == "related" else field
        if target == "related":
            assert 'class="error-summary"' in text, data
        else:
            assert f'id="id_{target}_error"' in text, (data, field)
    assert not Relation.objects.filter(person=person).exists()


def test_no_one_is_both_guardian_and_child_of_the_same_person(sip, alice, child, guardians):
    mother = guardians[0]
    plan = sip.initiate(mother)
    client = login(Client(), alice)
    # The mother's plan: her own child cannot be registered as her guardian.
    response = add(client, plan, number=child.identity_number, kind="guardian", basis="court")
    assert response.status_code == 400
    assert not Relation.objects.filter(person=mother, kind="guardian").exists()


def test_a_representative_with_scope_and_end_date_is_registered_and_ended(sip, alice, person):
    plan = sip.initiate(person)
    client = login(Client(), alice)
    add(
        client, plan, number=MOTHER, given_name="Gun", family_name="Godman", kind="ombud",
        scope="Kontakter med Försäkringskassan", basis="power_of_attorney", valid_until="2030-01-01",
    )  # fmt: skip
    relation = Relation.objects.get(person=person, kind="ombud")
    assert relation.scope == "Kontakter med Försäkringskassan"
    listed = page(client, plan).content.decode()
    assert "Gun Godman" in listed and "Ombud med fullmakt" in listed

    assert page(client, plan, {"end": relation.pk}).status_code == 302
    assert not Relation.objects.filter(pk=relation.pk).exists()
    ended = plan.events.get(kind="relation_ended")
    assert ended.actor == alice and ended.before["scope"] == "Kontakter med Försäkringskassan"


def test_a_read_only_participant_sees_but_cannot_register(sip, frida, person):
    plan = sip.to("consented", person=person)
    client = login(Client(), frida)
    assert page(client, plan).status_code == 200
    assert add(client, plan, number=MOTHER, kind="relative").status_code == 403


def test_an_outsider_gets_not_found(sip, olle, person):
    plan = sip.initiate(person)
    assert page(login(Client(), olle), plan).status_code == 404


def test_a_protected_individuals_relations_need_a_grant(sip, alice, person):
    Person.objects.filter(pk=person.pk).update(protected_identity=True)
    sister = make_person("19700101", "239", "Syster", "Skyddad")
    Relation.objects.create(person=person, related=sister, kind="relative")
    plan = sip.initiate(person)
    client = login(Client(), alice)
    text = page(client, plan).content.decode()
    assert "Syster Skyddad" not in text and "skyddad identitet" in text.lower()
    ContactGrant.objects.create(person=person, user=alice, reason="Handläggning", granted_by=alice)
    assert "Syster Skyddad" in page(client, plan).content.decode()
