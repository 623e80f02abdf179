"""A representative in Min SIP: a god man, förvaltare or ombud acts for the individual as far as
the appointment or power of attorney covers the SIP (read; read and write; read, write and
answer new versions), while it is valid. Ending the SIP and inviting others stay the
individual's own decisions; a protected individual has no proxy in Min SIP."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from samplan.audit.models import AccessLogEntry
from samplan.people.models import Person, Relation
from samplan.plans import services
from samplan.plans.models import CitizenMessage, Plan, PlanEvent, PlanVersion
from samplan.policy import Staff
from samplan.testing.cast import citizen_client, fresh, login, make_person


@pytest.fixture
def ulla(sip):
    """Ulla's SIP waits for her answer to a revision."""
    person = make_person("19620203", "567", "Ulla", "Gustafsson")
    return fresh(sip.to("revision", person=person))


@pytest.fixture
def leif():
    return make_person("19590122", "990", "Leif", "Holmgren")


def appoint(plan: Plan, representative: Person, min_sip: str, kind: str = "god_man", **extra):
    return Relation.objects.create(
        person=plan.person,
        related=representative,
        kind=kind,
        basis="overformyndare",
        scope="Sörja för person",
        min_sip=min_sip,
        **extra,
    )


def page(client, plan) -> str:
    response = client.get(f"/min-sip/{plan.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_god_man_without_access_in_min_sip_does_not_see_the_plan(ulla, leif):
    appoint(ulla, leif, "none")
    client = citizen_client(leif)
    assert client.get(f"/min-sip/{ulla.pk}/").status_code == 404
    assert "Du har ingen SIP i Samplan" in client.get("/min-sip/").content.decode()


def test_a_god_man_who_reads_sees_the_plan_in_force_and_nothing_to_do(ulla, leif):
    appoint(ulla, leif, "read")
    client = citizen_client(leif)
    home = client.get("/min-sip/").content.decode()
    assert "Ullas SIP" in home and "som god man, förvaltare eller ombud" in home
    assert "En ny plan väntar på ditt svar" not in home
    text = page(client, ulla)
    assert "Du företräder Ulla Gustafsson som god man" in text
    assert "läser planen" in text
    assert "En ny plan väntar på ditt svar" not in text  # the plan in force, not the proposal
    assert "Skriv till den som är ansvarig" not in text
    assert "Avsluta din SIP" not in text
    assert client.post(f"/min-sip/{ulla.pk}/svara/", {"approved": "yes"}).status_code == 403
    message = {"kind": "comment", "text": "Hej", "to_units": []}
    assert client.post(f"/min-sip/{ulla.pk}/meddelande/", message).status_code == 403
    for path in ("avsluta/", "narstaende/", "vem-har-last/"):
        assert client.get(f"/min-sip/{ulla.pk}/{path}").status_code == 403, path
    # Every read is logged, under the individual the plan is about.
    assert AccessLogEntry.objects.filter(person=ulla.person).exists()


def test_a_god_man_who_writes_sends_a_message_in_his_own_name(ulla, leif, sip):
    appoint(ulla, leif, "write")
    client = citizen_client(leif)
    assert "Skriv till den som är ansvarig" in page(client, ulla)
    response = client.post(
        f"/min-sip/{ulla.pk}/meddelande/",
        {
            "kind": "comment",
            "text": "Ulla vill ha mötet på förmiddagen.",
            "to_units": [sip.needs_assessment.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    message = CitizenMessage.objects.get(plan=ulla)
    assert message.author == leif
    assert client.post(f"/min-sip/{ulla.pk}/svara/", {"approved": "yes"}).status_code == 403


def test_an_ombud_who_answers_approves_a_new_version_and_the_history_names_him(ulla, leif):
    until = timezone.localdate() + datetime.timedelta(days=200)
    appoint(ulla, leif, "answer", kind="ombud", valid_until=until)
    client = citizen_client(leif)
    text = page(client, ulla)
    assert "En ny plan väntar på ditt svar" in text
    assert "Du företräder Ulla Gustafsson som ombud med fullmakt" in text
    assert "Avsluta din SIP" not in text and "Bjud in eller ta bort en närstående" not in text
    response = client.post(f"/min-sip/{ulla.pk}/svara/", {"approved": "yes", "comment": ""})
    assert response.status_code == 302
    version = fresh(ulla).versions.get(number=2)
    assert (version.approval, version.approval_method) == (PlanVersion.Approval.APPROVED, "digital")
    event = PlanEvent.objects.filter(plan=ulla).order_by("-pk").first()
    assert "Leif Holmgren" in event.summary
    # Ending the SIP stays Ulla's own decision.
    assert client.post(f"/min-sip/{ulla.pk}/avsluta/", {"confirm": "on"}).status_code == 403
    assert fresh(ulla).state != Plan.State.CLOSED


def test_an_appointment_that_has_ended_gives_no_access(ulla, leif):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    relation = appoint(ulla, leif, "answer")
    Relation.objects.filter(pk=relation.pk).update(valid_until=yesterday)
    assert citizen_client(leif).get(f"/min-sip/{ulla.pk}/").status_code == 404


def test_no_representative_acts_for_a_protected_individual(ulla, leif):
    appoint(ulla, leif, "answer")
    Person.objects.filter(pk=ulla.person_id).update(protected_identity=True)
    client = citizen_client(leif)
    assert client.get(f"/min-sip/{ulla.pk}/").status_code == 404
    assert "Ullas SIP" not in client.get("/min-sip/").content.decode()


def test_ending_the_relation_ends_the_access(ulla, leif, sip):
    relation = appoint(ulla, leif, "write")
    client = citizen_client(leif)
    assert client.get(f"/min-sip/{ulla.pk}/").status_code == 200
    actor = Staff(user=sip.alice, unit=sip.needs_assessment, role="caseworker")
    services.plan_relation_end(actor=actor, plan=ulla, relation=relation)
    assert client.get(f"/min-sip/{ulla.pk}/").status_code == 404


def register_leif(client, plan, **fields):
    """Staff register Leif Holmgren (not yet known to Samplan) on the plan's relations page."""
    leif = {"add": "1", "number": "19590122-9905", "given_name": "Leif", "family_name": "Holmgren"}
    return client.post(f"/sip/{plan.pk}/narstaende/", {**leif, **fields})


def test_staff_register_a_representative_with_his_access_in_min_sip(ulla, sip):
    client = login(Client(), sip.alice)
    response = register_leif(
        client,
        ulla,
        kind="ombud",
        basis="power_of_attorney",
        scope="Företräda mig i min SIP",
        min_sip="answer",
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    relation = Relation.objects.get(person=ulla.person, kind="ombud")
    assert relation.min_sip == "answer"
    listing = client.get(f"/sip/{ulla.pk}/narstaende/").content.decode()
    assert "Min SIP: läser, skriver och svarar på nya versioner av planen" in listing
    assert citizen_client(relation.related).get(f"/min-sip/{ulla.pk}/").status_code == 200


def test_a_relative_cannot_be_given_access_as_a_representative(ulla, sip):
    response = register_leif(login(Client(), sip.alice), ulla, kind="relative", min_sip="read")
    assert response.status_code == 400
    text = response.content.decode()
    assert "Bara en god man, förvaltare eller ombud företräder den enskilde i Min SIP" in text
    assert 'aria-describedby="id_min_sip_errors' in text or "id_min_sip" in text
    assert not Relation.objects.filter(person=ulla.person).exists()
