"""Asking for a SIP in Min SIP without having one, in Debian's Chromium (issue 14): the
individual asks, the municipality's receiving unit accepts and starts the SIP, and the
individual sees the state change."""

import time
from importlib import import_module

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from samplan.citizen.models import SipRequest
from samplan.people.models import Person
from samplan.people.session import CITIZEN_SESSION_KEY
from samplan.testing.axe import scan
from samplan.testing.browser import staff_log_in

pytestmark = pytest.mark.browser


def citizen_session(page: Page, person: Person) -> None:
    """Min SIP as this person: someone without a plan is not on the demo login page, so the
    session is made as citizen_client makes it (the login itself is tested elsewhere)."""
    page.context.clear_cookies()
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    now = int(time.time())
    session[CITIZEN_SESSION_KEY] = {
        "person": str(person.pk), "method": "test", "acr": "", "at": now, "seen": now,
    }  # fmt: skip
    session.save()
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key,
          "url": page.base_url}]
    )  # fmt: skip


def test_an_individual_without_a_plan_asks_and_the_receiving_unit_starts_the_sip(
    demo_world, page: Page
):
    person = next(
        p
        for p in Person.objects.filter(plans__isnull=True, protected_identity=False)
        .exclude(identity_kind=Person.IdentityKind.RESERVNUMMER)
        .order_by("family_name", "given_name")
        if not p.is_child()
    )
    citizen_session(page, person)
    page.goto(page.base_url + "/min-sip/")
    page.get_by_role("link", name="Be om en SIP").click()
    scan(page)
    page.get_by_label("Åsby kommun").check()
    page.get_by_label("Varför vill du ha en SIP?").fill(
        "Jag behöver hjälp med både vård och boende."
    )
    page.get_by_label("Telefon", exact=True).check()
    page.get_by_label("Telefonnummer, e-post eller adress").fill("070-123 45 67")
    page.get_by_role("button", name="Skicka förfrågan").click()
    expect(page.get_by_role("status")).to_contain_text("Din förfrågan är skickad")
    expect(page.locator(".sip-request-state")).to_contain_text("Väntar på svar")
    expect(page.get_by_text("till Åsby kommun")).to_be_visible()
    scan(page)

    staff_log_in(page, "elin.dahl")
    page.get_by_role("link", name="Förfrågningar").click()
    scan(page)
    page.get_by_role("link", name=person.full_name).click()
    scan(page)
    page.get_by_label("Acceptera och starta SIP:en").check()
    page.get_by_role("button", name="Skicka svaret").click()
    expect(page.get_by_role("status")).to_contain_text("SIP:en är startad")
    request = SipRequest.objects.get(person=person)
    assert request.state == "accepted" and request.plan is not None
    assert page.url.endswith(f"/sip/{request.plan.pk}/samtycke/")

    citizen_session(page, person)
    page.goto(page.base_url + "/min-sip/")
    expect(page.locator(".sip-request-state")).to_contain_text("Accepterad: din SIP har startats")
    expect(page.get_by_role("link", name="Be om en SIP")).to_have_count(0)
