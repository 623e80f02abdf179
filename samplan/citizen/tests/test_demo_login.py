"""The demo login: development only, clearly marked, and 404 when it is off."""

import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import timezone

from samplan.citizen.auth_views import DEMO_PLANS_SHOWN, demo_people
from samplan.people.models import Relation
from samplan.people.session import CITIZEN_SESSION_KEY
from samplan.plans import services
from samplan.plans.models import Plan
from samplan.testing.cast import make_person, staff

DEMO = "/min-sip/logga-in/demo/"
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def demo_on(settings):
    settings.CITIZEN_DEMO_LOGIN = True
    settings.OIDC_CLIENT_SECRET = ""
    return settings


@pytest.fixture
def cast(db, alice, needs_assessment, person):
    """Eva has a SIP with consent covering her brother Erik; Elias (8) has a SIP and a
    guardian, Camilla; Olof is registered but in no SIP."""
    as_alice = {"actor": staff(alice, needs_assessment)}
    erik = make_person("19790402", "123", "Erik", "Exempel")
    Relation.objects.create(person=person, related=erik, kind="relative", description="bror")
    plan = services.plan_initiate(**as_alice, person=person, reasons=[Plan.Reason.SEVERAL_UNITS])
    services.consent_record(
        **as_alice,
        plan=plan,
        decision="given",
        decided_on=timezone.localdate(),
        mode="written",
        given_by="individual",
        units=[needs_assessment],
        relatives=[erik],
    )
    born = timezone.localdate() - datetime.timedelta(days=8 * 365)
    elias = make_person(born.strftime("%Y%m%d"), "456", "Elias", "Barnsson")
    camilla = make_person("19850612", "234", "Camilla", "Barnsson")
    Relation.objects.create(person=elias, related=camilla, kind="guardian", description="mamma")
    services.plan_initiate(**as_alice, person=elias, reasons=[Plan.Reason.SEVERAL_UNITS])
    olof = make_person("19600101", "345", "Olof", "Utanför")
    return {"eva": person, "erik": erik, "elias": elias, "camilla": camilla, "olof": olof}


def test_the_demo_login_is_404_when_turned_off(client, settings, cast):
    settings.CITIZEN_DEMO_LOGIN = False

    assert client.get(DEMO).status_code == 404
    assert client.post(DEMO, {"person": str(cast["eva"].pk)}).status_code == 404
    assert CITIZEN_SESSION_KEY not in client.session


def test_the_login_page_links_to_the_demo_only_when_it_is_on(client, settings):
    settings.CITIZEN_DEMO_LOGIN = False
    assert DEMO not in client.get("/min-sip/logga-in/").content.decode()

    settings.CITIZEN_DEMO_LOGIN = True
    assert DEMO in client.get("/min-sip/logga-in/").content.decode()


def test_the_demo_page_is_clearly_marked_and_lists_the_people_in_a_sip(client, demo_on, cast):
    response = client.get(DEMO)
    text = response.content.decode()

    assert response.status_code == 200
    assert "Demoinloggning – inte för riktiga personuppgifter" in text
    people = {entry["person"].given_name: entry["role"] for entry in response.context["people"]}
    assert people == {
        "Eva": "individ",
        "Erik": "närstående till Eva",
        "Elias": "individ",
        "Camilla": "vårdnadshavare till Elias",
    }
    assert "Olof" not in text
    for person in (cast["eva"], cast["erik"]):  # buttons carry the id, never the number
        assert str(person.pk) in text
        assert person.identity_number not in text


def test_get_on_the_demo_page_changes_nothing(client, demo_on, cast):
    client.get("/min-sip/logga-in/")  # a session may exist before
    before = dict(client.session.items())

    response = client.get(DEMO, {"person": str(cast["eva"].pk)})

    assert response.status_code == 200
    assert dict(client.session.items()) == before
    assert CITIZEN_SESSION_KEY not in client.session


def test_posting_a_person_logs_in_as_that_person(client, demo_on, cast):
    response = client.post(DEMO, {"person": str(cast["camilla"].pk)})

    assert response.status_code == 302 and response["Location"] == "/min-sip/"
    session = client.session[CITIZEN_SESSION_KEY]
    assert session["person"] == str(cast["camilla"].pk)
    assert (session["method"], session["acr"]) == ("demo", "demo")


def test_the_demo_login_goes_on_to_a_min_sip_page_only(client, demo_on, cast):
    person = str(cast["eva"].pk)
    ok = client.post(DEMO, {"person": person, "next": "/min-sip/sip/1/"})
    assert ok["Location"] == "/min-sip/sip/1/"
    elsewhere = client.post(DEMO, {"person": person, "next": "https://evil.example/"})
    assert elsewhere["Location"] == "/min-sip/"


@pytest.mark.parametrize("chosen", ["olof", "nobody", "not-a-uuid"])
def test_only_people_in_the_list_can_be_chosen(client, demo_on, cast, chosen):
    value = str(cast[chosen].pk) if chosen in cast else chosen
    if chosen == "nobody":
        value = "00000000-0000-0000-0000-000000000000"

    response = client.post(DEMO, {"person": value})
    assert response.status_code == 400
    assert CITIZEN_SESSION_KEY not in client.session


def test_the_demo_login_is_off_by_default_in_production():
    env = {k: v for k, v in os.environ.items() if k != "CITIZEN_DEMO_LOGIN"}
    env.update(
        DJANGO_SETTINGS_MODULE="samplan.settings",
        SAMPLAN_ENV="production",
        SECRET_KEY="x" * 60,
        ALLOWED_HOSTS="samplan.example.se",
    )
    code = "import django; django.setup(); from django.conf import settings as s; "
    code += "print(s.CITIZEN_DEMO_LOGIN)"
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_the_demo_login_reads_only_the_newest_plans(settings, alice, needs_assessment):
    """At national scale the page must not read every plan in the database."""
    people = [make_person("19700101", f"{200 + n:03d}", f"Demo{n}", "Testsson") for n in range(130)]
    Plan.objects.bulk_create(
        Plan(person=p, initiated_by=alice, initiating_unit=needs_assessment) for p in people
    )
    assert len(demo_people()) == DEMO_PLANS_SHOWN
