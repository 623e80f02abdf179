"""A person logs in, chooses an acting unit and switches it, in Debian's Chromium."""

import pytest
from playwright.sync_api import expect

from samplan.audit.models import SecurityEvent
from samplan.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_a_caseworker_logs_in_chooses_a_unit_and_switches_it(page, carl):
    page.goto(page.base_url + "/")
    expect(page.get_by_role("heading", name="Logga in i Samplan")).to_be_visible()
    page.get_by_label("Användarnamn").fill("carl")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()

    expect(page.get_by_role("heading", name="Vilken enhet arbetar du för nu?")).to_be_visible()
    page.get_by_label("Socialpsykiatri, Testby kommun").check()
    page.get_by_role("button", name="Fortsätt").click()

    expect(page.get_by_role("heading", name="Välkommen, Carl")).to_be_visible()
    expect(page.locator(".who__unit")).to_contain_text("Socialpsykiatri")

    page.get_by_role("link", name="Byt enhet").first.click()
    page.get_by_label("Biståndshandläggning, Testby kommun").check()
    page.get_by_role("button", name="Fortsätt").click()
    expect(page.locator(".who__unit")).to_contain_text("Biståndshandläggning")
    expect(page.get_by_role("status")).to_contain_text("Du arbetar nu för Biståndshandläggning")

    page.get_by_role("button", name="Logga ut").click()
    expect(page.get_by_role("heading", name="Logga in i Samplan")).to_be_visible()
    kinds = list(SecurityEvent.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == ["login", "acting_unit_chosen", "acting_unit_switched", "logout"]


def test_the_skip_link_is_the_first_thing_the_keyboard_reaches(page, db):
    page.goto(page.base_url + "/konto/logga-in/")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Hoppa till innehållet")
    page.keyboard.press("Enter")
    expect(page.locator(":focus")).to_have_id("main")


def test_pages_fit_a_320_pixel_screen(page, alice):
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(page.base_url + "/konto/logga-in/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.get_by_label("Användarnamn").fill("alice")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("heading", name="Välkommen, Alice")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
