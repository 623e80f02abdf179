"""Min SIP: what the individual, a guardian and an invited relative can see and do.

The cast (samplan/testing/cast.py): Eva has an established SIP under follow-up, written by
Alice's unit with Bob's and Frida's; her brother Erik is a registered relative; Ulla's SIP
waits for her answer to a revision; the child Elsa has a SIP her guardians Maja and Jonas
consented to; Noah is a child with protected identity, Maja is his guardian too.
"""

import io
import time
from dataclasses import dataclass

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from pypdf import PdfReader

from samplan.audit.models import AccessLogEntry, SecurityEvent
from samplan.people.models import Person, Relation
from samplan.people.session import citizen_login
from samplan.plans import services
from samplan.plans.models import CitizenMessage, Plan, PlanVersion, RelativeAccess
from samplan.testing.cast import Sip, citizen_client, fresh, login, make_person


@dataclass
class MinSip:
    eva: Person
    eva_plan: Plan
    erik: Person
    ulla: Person
    ulla_plan: Plan
    maja: Person
    elsa_plan: Plan
    noah: Person


@pytest.fixture
def world(sip: Sip, relative, guardians, child) -> MinSip:
    eva_plan = sip.to("follow_up")
    ulla = make_person("19620203", "567", "Ulla", "Gustafsson")
    ulla_plan = sip.to("revision", person=ulla)
    elsa_plan = sip.initiate(child)
    sip.consent(elsa_plan, given_by="guardians", guardians=guardians)
    noah = make_person("20180305", "678", "Noah", "Barnsson")
    Person.objects.filter(pk=noah.pk).update(protected_identity=True)
    Relation.objects.create(person=noah, related=guardians[0], kind="guardian")
    return MinSip(
        eva=sip.person,
        eva_plan=fresh(eva_plan),
        erik=relative,
        ulla=ulla,
        ulla_plan=fresh(ulla_plan),
        maja=guardians[0],
        elsa_plan=fresh(elsa_plan),
        noah=Person.objects.get(pk=noah.pk),
    )


citizen = citizen_client


def test_the_individual_sees_her_plan_in_plain_swedish(world):
    page = citizen(world.eva).get(f"/min-sip/{world.eva_plan.pk}/").content.decode()
    assert "Din SIP" in page and "Dina mål" in page and "Vem gör vad" in page
    assert "Jag vill bo kvar hemma" in page
    assert "Boendestöd två dagar" in page
    assert "Alice" in page  # the lead, with contact details
    assert '<html lang="sv">' in page


def test_an_individual_can_never_reach_anothers_plan(world):
    other = world.ulla_plan
    client = citizen(world.eva)
    for path in (
        "",
        "svara/",
        "meddelande/",
        "narstaende/",
        "avsluta/",
        "vem-har-last/",
        "kopia.pdf",
    ):
        assert client.get(f"/min-sip/{other.pk}/{path}").status_code in {404, 405}, path
    assert (
        client.post(
            f"/min-sip/{other.pk}/meddelande/", {"kind": "comment", "text": "x"}
        ).status_code
        == 404
    )


def test_min_sip_needs_a_citizen_login_not_a_staff_login(world):
    response = Client().get(f"/min-sip/{world.eva_plan.pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/min-sip/logga-in/")


def test_every_citizen_read_is_in_the_access_log(world):
    eva, plan = world.eva, world.eva_plan
    before = AccessLogEntry.objects.filter(person=eva).count()
    citizen(eva).get(f"/min-sip/{plan.pk}/")
    assert AccessLogEntry.objects.filter(person=eva).count() == before + 1


def test_the_individual_approves_a_new_version(world):
    plan = world.ulla_plan
    client = citizen(world.ulla)
    assert "En ny plan väntar på ditt svar" in client.get(f"/min-sip/{plan.pk}/").content.decode()
    response = client.post(f"/min-sip/{plan.pk}/svara/", {"approved": "yes", "comment": "Bra"})
    assert response.status_code == 302
    plan.refresh_from_db()
    version = plan.versions.get(number=2)
    assert plan.state == "active"
    assert (version.approval, version.approval_method) == (PlanVersion.Approval.APPROVED, "digital")
    assert version.approved_at is not None


def test_declining_needs_a_reason_and_reaches_the_lead(world):
    plan = world.ulla_plan
    client = citizen(world.ulla)
    response = client.post(f"/min-sip/{plan.pk}/svara/", {"approved": "no", "comment": ""})
    assert response.status_code == 400 and "Skriv vad du vill ändra." in response.content.decode()
    client.post(
        f"/min-sip/{plan.pk}/svara/", {"approved": "no", "comment": "Jag vill ha fler promenader"}
    )
    assert (
        CitizenMessage.objects.get(plan=plan, kind="change").text == "Jag vill ha fler promenader"
    )


def test_the_individual_comments_and_asks_for_a_new_sip(world):
    plan = world.eva_plan
    client = citizen(world.eva)
    to = {"to_units": [u.pk for u in services.lead_units(plan)]}
    client.post(
        f"/min-sip/{plan.pk}/meddelande/", {"kind": "comment", "text": "Tack för senast", **to}
    )
    client.post(
        f"/min-sip/{plan.pk}/meddelande/",
        {"kind": "new_sip", "text": "Jag behöver en ny plan", **to},
    )
    kinds = set(CitizenMessage.objects.filter(plan=plan).values_list("kind", flat=True))
    assert kinds == {"comment", "new_sip"}
    empty = client.post(f"/min-sip/{plan.pk}/meddelande/", {"kind": "comment", "text": ""})
    assert empty.status_code == 400 and "Skriv ditt meddelande." in empty.content.decode()


def test_withdrawing_consent_ends_the_sip_and_staff_see_why(world):
    plan = world.eva_plan
    client = citizen(world.eva)
    page = client.get(f"/min-sip/{plan.pk}/avsluta/").content.decode()
    assert "Du kan avsluta din SIP när som helst" in page
    assert client.post(f"/min-sip/{plan.pk}/avsluta/", {}).status_code == 400
    client.post(f"/min-sip/{plan.pk}/avsluta/", {"confirm": "on"})
    plan.refresh_from_db()
    assert (plan.state, plan.closing_reason, plan.closing_text) == (
        "closed",
        "consent_withdrawn",
        "samtycke återkallat",
    )
    assert plan.events.filter(kind="consent_withdrawn", citizen=world.eva).exists()
    assert CitizenMessage.objects.filter(plan=plan, kind="withdrawal").exists()


def test_the_pdf_copy_has_the_laws_headings_and_the_version(world):
    plan = world.eva_plan
    response = citizen(world.eva).get(f"/min-sip/{plan.pk}/kopia.pdf")
    assert response["Content-Type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(response.content)).pages
    text = " ".join(" ".join(page.extract_text().split()) for page in pages)  # cells wrap
    for heading in (
        "Samordnad individuell plan",
        "Version 1",
        "insatser som behövs",
        "Vad kommunen gör",
        "Vad regionen",
        "Vad andra gör",
        "Huvudman med övergripande ansvar",
        "Alice",
    ):
        assert heading in text, heading


def test_a_guardian_acts_for_a_child(world):
    maja, elsa_plan = world.maja, world.elsa_plan
    client = citizen(maja)
    assert "Elsa" in client.get("/min-sip/").content.decode()
    assert client.get(f"/min-sip/{elsa_plan.pk}/").status_code == 200
    client.post(
        f"/min-sip/{elsa_plan.pk}/meddelande/",
        {
            "kind": "comment",
            "text": "Elsa mår bättre",
            "to_units": [u.pk for u in services.lead_units(elsa_plan)],
        },
    )
    assert CitizenMessage.objects.filter(plan=elsa_plan, author=maja).exists()


def test_no_guardian_access_to_a_child_with_protected_identity(world):
    noah = world.noah
    assert noah.protected_identity
    plan = Plan.objects.create(
        person=noah,
        initiated_by=world.eva_plan.initiated_by,
        initiating_unit=world.eva_plan.initiating_unit,
    )
    assert citizen(world.maja).get(f"/min-sip/{plan.pk}/").status_code == 404


def test_an_invited_relative_sees_only_the_granted_parts(world):
    erik = world.erik  # Eva's brother, a registered relative
    plan = world.eva_plan
    consent = plan.current_consent
    consent.relatives.add(erik)  # covered by the consent (recorded by staff)
    client = citizen(world.eva)
    response = client.post(
        f"/min-sip/{plan.pk}/narstaende/", {"relative": erik.pk, "sections": ["meetings"]}
    )
    assert response.status_code == 302
    assert RelativeAccess.objects.get(plan=plan, relative=erik, revoked_at=None).sections == [
        "meetings"
    ]
    page = citizen(erik).get(f"/min-sip/{plan.pk}/").content.decode()
    assert "Nästa möte" in page
    assert "Jag vill bo kvar hemma" not in page and "Boendestöd" not in page
    assert citizen(erik).post(f"/min-sip/{plan.pk}/avsluta/", {"confirm": "on"}).status_code == 403
    client.post(f"/min-sip/{plan.pk}/narstaende/", {"remove": erik.pk})
    assert citizen(erik).get(f"/min-sip/{plan.pk}/").status_code == 404


def test_the_individual_sees_who_has_read_the_plan(world):
    page = citizen(world.eva).get(f"/min-sip/{world.eva_plan.pk}/vem-har-last/").content.decode()
    assert "Vem har läst din plan" in page


def test_a_citizen_session_ends_after_30_minutes_without_activity(world, monkeypatch):
    client = citizen(world.eva)
    assert client.get("/min-sip/").status_code == 200
    later = time.time() + 31 * 60
    monkeypatch.setattr("samplan.people.session.time.time", lambda: later)
    response = client.get("/min-sip/")
    assert response.status_code == 302 and response["Location"].startswith("/min-sip/logga-in/")


def test_a_citizen_login_is_a_security_event(world, rf):
    request = rf.get("/")
    request.session = SessionStore()
    citizen_login(request, world.eva, method="demo")
    assert SecurityEvent.objects.filter(kind="citizen_login", person=world.eva).exists()


def test_a_message_reaches_only_the_units_the_individual_chose(world, sip):
    plan = world.eva_plan
    client = citizen(world.eva)
    page = client.get(f"/min-sip/{plan.pk}/").content.decode()
    assert "Vem ska få det?" in page
    # The lead's unit is chosen unless he or she chooses otherwise.
    response = client.post(
        f"/min-sip/{plan.pk}/meddelande/",
        {"kind": "comment", "text": "Bara till vårdcentralen", "to_units": [sip.primary_care.pk]},
    )
    assert response.status_code == 302
    message = CitizenMessage.objects.get(text="Bara till vårdcentralen")
    assert list(message.to_units.all()) == [sip.primary_care]

    alices = login(Client(), sip.alice)  # the lead's unit: not addressed
    assert "Bara till vårdcentralen" not in alices.get("/sip/").content.decode()
    assert "Bara till vårdcentralen" not in alices.get(f"/sip/{plan.pk}/").content.decode()
    handled = alices.post(f"/sip/{plan.pk}/meddelanden/{message.pk}/hanterat/")
    assert handled.status_code == 404
    bobs = login(Client(), sip.bob)
    assert "Bara till vårdcentralen" in bobs.get(f"/sip/{plan.pk}/").content.decode()


def test_a_message_to_a_unit_outside_the_plan_is_refused(world, sip, psychiatry):
    plan = world.eva_plan
    response = citizen(world.eva).post(
        f"/min-sip/{plan.pk}/meddelande/",
        {"kind": "comment", "text": "Till fel enhet", "to_units": [psychiatry.pk]},
    )
    assert response.status_code == 400
    assert 'id="id_to_units_error"' in response.content.decode()
    assert not CitizenMessage.objects.filter(text="Till fel enhet").exists()
