"""Min SIP: what the individual, a guardian and an invited relative can see and do."""

import io
import time

import pytest
from django.core.management import call_command
from django.test import Client
from pypdf import PdfReader

from samplan.accounts.models import Membership
from samplan.audit.models import AccessLogEntry
from samplan.people.models import Person
from samplan.people.session import CITIZEN_SESSION_KEY
from samplan.plans.models import CitizenMessage, Plan, PlanVersion, RelativeAccess


@pytest.fixture
def world(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo", quiet_logins=True)


def citizen(person: Person) -> Client:
    """A client logged in to Min SIP as this person (the login itself is tested elsewhere)."""
    client = Client()
    session = client.session
    session[CITIZEN_SESSION_KEY] = {
        "person": str(person.pk),
        "method": "test",
        "acr": "",
        "at": int(time.time()),
        "seen": int(time.time()),
    }
    session.save()
    return client


def person(given: str, family: str) -> Person:
    return Person.objects.get(given_name=given, family_name=family)


def test_the_individual_sees_his_plan_in_plain_swedish(world):
    erik = person("Erik", "Andersson")
    plan = erik.plans.get()
    page = citizen(erik).get(f"/min-sip/{plan.pk}/").content.decode()
    assert "Din SIP" in page and "Dina mål" in page and "Vem gör vad" in page
    assert "Jag vill ha ett eget jobb igen" in page
    assert "Boendestöd två gånger i veckan" in page
    assert "Anna Lind" in page  # the lead, with contact details
    assert '<html lang="sv">' in page


def test_an_individual_can_never_reach_anothers_plan(world):
    erik = person("Erik", "Andersson")
    other = Plan.objects.exclude(person=erik).exclude(person__relations__related=erik).first()
    client = citizen(erik)
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
    plan = Plan.objects.first()
    response = Client().get(f"/min-sip/{plan.pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/min-sip/logga-in/")


def test_every_citizen_read_is_in_the_access_log(world):
    erik = person("Erik", "Andersson")
    plan = erik.plans.get()
    before = AccessLogEntry.objects.filter(person=erik).count()
    citizen(erik).get(f"/min-sip/{plan.pk}/")
    assert AccessLogEntry.objects.filter(person=erik).count() == before + 1


def test_the_individual_approves_a_new_version(world):
    ulla = person("Ulla", "Gustafsson")
    plan = ulla.plans.get(state="revision")
    client = citizen(ulla)
    assert "En ny plan väntar på ditt svar" in client.get(f"/min-sip/{plan.pk}/").content.decode()
    response = client.post(f"/min-sip/{plan.pk}/svara/", {"approved": "yes", "comment": "Bra"})
    assert response.status_code == 302
    plan.refresh_from_db()
    version = plan.versions.get(number=2)
    assert plan.state == "active"
    assert (version.approval, version.approval_method) == (PlanVersion.Approval.APPROVED, "digital")
    assert version.approved_at is not None


def test_declining_needs_a_reason_and_reaches_the_lead(world):
    ulla = person("Ulla", "Gustafsson")
    plan = ulla.plans.get(state="revision")
    client = citizen(ulla)
    response = client.post(f"/min-sip/{plan.pk}/svara/", {"approved": "no", "comment": ""})
    assert response.status_code == 400 and "Skriv vad du vill ändra." in response.content.decode()
    client.post(
        f"/min-sip/{plan.pk}/svara/", {"approved": "no", "comment": "Jag vill ha fler promenader"}
    )
    assert (
        CitizenMessage.objects.get(plan=plan, kind="change").text == "Jag vill ha fler promenader"
    )


def test_the_individual_comments_and_asks_for_a_new_sip(world):
    erik = person("Erik", "Andersson")
    plan = erik.plans.get()
    client = citizen(erik)
    client.post(f"/min-sip/{plan.pk}/meddelande/", {"kind": "comment", "text": "Tack för senast"})
    client.post(
        f"/min-sip/{plan.pk}/meddelande/", {"kind": "new_sip", "text": "Jag behöver en ny plan"}
    )
    kinds = set(CitizenMessage.objects.filter(plan=plan).values_list("kind", flat=True))
    assert kinds == {"comment", "new_sip"}
    empty = client.post(f"/min-sip/{plan.pk}/meddelande/", {"kind": "comment", "text": ""})
    assert empty.status_code == 400 and "Skriv ditt meddelande." in empty.content.decode()


def test_withdrawing_consent_ends_the_sip_and_staff_see_why(world):
    erik = person("Erik", "Andersson")
    plan = erik.plans.get()
    client = citizen(erik)
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
    assert plan.events.filter(kind="consent_withdrawn", citizen=erik).exists()
    assert CitizenMessage.objects.filter(plan=plan, kind="withdrawal").exists()


def test_the_pdf_copy_has_the_laws_headings_and_the_version(world):
    erik = person("Erik", "Andersson")
    plan = erik.plans.get()
    response = citizen(erik).get(f"/min-sip/{plan.pk}/kopia.pdf")
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    for heading in (
        "Samordnad individuell plan",
        "Version 1",
        "insatser som behövs",
        "Vad kommunen gör",
        "Vad regionen",
        "Vad andra gör",
        "Huvudman med övergripande ansvar",
        "Anna Lind",
    ):
        assert heading in text, heading


def test_a_guardian_acts_for_a_child(world):
    camilla = person("Camilla", "Andersson")
    elias_plan = person("Elias", "Andersson").plans.get()
    client = citizen(camilla)
    assert "Elias" in client.get("/min-sip/").content.decode()
    assert client.get(f"/min-sip/{elias_plan.pk}/").status_code == 200
    client.post(
        f"/min-sip/{elias_plan.pk}/meddelande/", {"kind": "comment", "text": "Elias mår bättre"}
    )
    assert CitizenMessage.objects.filter(plan=elias_plan, author=camilla).exists()


def test_no_guardian_access_to_a_child_with_protected_identity(world):
    maja = person("Maja", "Hedlund")
    noah = person("Noah", "Hedlund")
    assert noah.protected_identity
    staff = Membership.objects.select_related("user", "unit").first()
    plan = Plan.objects.create(person=noah, initiated_by=staff.user, initiating_unit=staff.unit)
    assert citizen(maja).get(f"/min-sip/{plan.pk}/").status_code == 404


def test_an_invited_relative_sees_only_the_granted_parts(world):
    erik = person("Erik", "Andersson")
    camilla = person("Camilla", "Andersson")  # Erik's sister, a registered relative
    plan = erik.plans.get()
    consent = plan.current_consent
    consent.relatives.add(camilla)  # covered by the consent (recorded by staff)
    client = citizen(erik)
    response = client.post(
        f"/min-sip/{plan.pk}/narstaende/", {"relative": camilla.pk, "sections": ["meetings"]}
    )
    assert response.status_code == 302
    assert RelativeAccess.objects.get(plan=plan, relative=camilla, revoked_at=None).sections == [
        "meetings"
    ]
    page = citizen(camilla).get(f"/min-sip/{plan.pk}/").content.decode()
    assert "Nästa möte" in page
    assert "Jag vill ha ett eget jobb igen" not in page and "Boendestöd" not in page
    assert (
        citizen(camilla).post(f"/min-sip/{plan.pk}/avsluta/", {"confirm": "on"}).status_code == 403
    )
    client.post(f"/min-sip/{plan.pk}/narstaende/", {"remove": camilla.pk})
    assert citizen(camilla).get(f"/min-sip/{plan.pk}/").status_code == 404


def test_the_individual_sees_who_has_read_the_plan(world):
    erik = person("Erik", "Andersson")
    plan = erik.plans.get()
    from samplan.conftest import login  # noqa: F401

    page = citizen(erik).get(f"/min-sip/{plan.pk}/vem-har-last/").content.decode()
    assert "Vem har läst din plan" in page


def test_a_citizen_session_ends_after_30_minutes_without_activity(world, monkeypatch):
    erik = person("Erik", "Andersson")
    client = citizen(erik)
    assert client.get("/min-sip/").status_code == 200
    later = time.time() + 31 * 60
    monkeypatch.setattr("samplan.people.session.time.time", lambda: later)
    response = client.get("/min-sip/")
    assert response.status_code == 302 and response["Location"].startswith("/min-sip/logga-in/")


def test_a_citizen_login_is_a_security_event(world, rf):
    from django.contrib.sessions.backends.db import SessionStore

    from samplan.audit.models import SecurityEvent
    from samplan.people.session import citizen_login

    request = rf.get("/")
    request.session = SessionStore()
    erik = person("Erik", "Andersson")
    citizen_login(request, erik, method="demo")
    assert SecurityEvent.objects.filter(kind="citizen_login", person=erik).exists()
