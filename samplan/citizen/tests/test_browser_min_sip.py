"""Min SIP in Debian's Chromium: the individual, a guardian and an invited relative, with an axe
scan (WCAG 2.1 AA rules) of every citizen page, at 320 px and by keyboard."""

import io
from urllib.parse import urljoin

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from samplan.people.models import Person
from samplan.plans.models import Plan
from samplan.testing.axe import scan

pytestmark = pytest.mark.browser


def demo_login(page: Page, given: str, family: str) -> None:
    page.goto(page.base_url + "/min-sip/logga-in/")
    scan(page)
    page.goto(page.base_url + "/min-sip/logga-in/demo/")
    scan(page)
    name = f"{given} {family}"
    page.get_by_role("button", name=f"Logga in som {name}").first.click()
    expect(page.locator(".who__name")).to_have_text(name)


@pytest.mark.parametrize("width", [1280, 320])
def test_the_individual_answers_comments_downloads_and_ends_the_sip(demo_world, page: Page, width):
    page.set_viewport_size({"width": width, "height": 900})
    demo_login(page, "Ulla", "Gustafsson")
    scan(page)
    page.get_by_role("link", name="Din SIP").click()
    expect(page.get_by_role("heading", name="En ny plan väntar på ditt svar")).to_be_visible()
    scan(page)
    # By keyboard alone: choose "yes" and send.
    page.locator("input[name=approved][value=yes]").focus()
    page.keyboard.press("Space")
    page.locator("textarea[name=comment]").focus()
    page.keyboard.type("Det här blir bra.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Tack")
    plan = Plan.objects.get(person__given_name="Ulla")
    assert plan.state == "active" and plan.versions.get(number=2).approval_method == "digital"

    page.locator("input[name=kind][value=comment]").check()
    page.locator("textarea[name=text]").fill("Kan mötet vara hemma hos mig?")
    page.get_by_role("button", name="Skicka", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Tack")

    pdf = page.request.get(urljoin(page.url, "kopia.pdf"))
    assert pdf.headers["content-type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    assert "Version 2" in text and "Vad kommunen gör" in text

    page.get_by_role("link", name="Se vem som har läst din plan").click()
    scan(page)
    page.go_back()
    page.get_by_role("link", name="Bjud in eller ta bort en närstående").click()
    scan(page)
    page.go_back()
    page.get_by_role("link", name="Avsluta din SIP").click()
    scan(page)
    page.get_by_label("Ja, jag vill avsluta min SIP.").check()
    page.get_by_role("button", name="Avsluta min SIP").click()
    expect(page.locator(".notice--closed")).to_be_visible()
    plan.refresh_from_db()
    assert (plan.state, plan.closing_reason) == ("closed", "consent_withdrawn")


def test_staff_see_the_sip_closed_with_the_reason(demo_world, page: Page):
    erik = Person.objects.get(given_name="Erik", family_name="Andersson")
    demo_login(page, "Erik", "Andersson")
    page.get_by_role("link", name="Din SIP").click()
    page.get_by_role("link", name="Avsluta din SIP").click()
    page.get_by_label("Ja, jag vill avsluta min SIP.").check()
    page.get_by_role("button", name="Avsluta min SIP").click()
    page.get_by_role("button", name="Logga ut").click()

    page.goto(page.base_url + "/konto/logga-in/")
    page.get_by_label("Användarnamn").fill("anna.lind")
    page.get_by_label("Lösenord").fill("samplan-demo")
    page.get_by_role("button", name="Logga in").click()
    page.get_by_label("Biståndshandläggning Åsby, Åsby kommun").check()
    page.get_by_role("button", name="Fortsätt").click()
    page.goto(page.base_url + f"/sip/{erik.plans.get().pk}/")
    expect(page.locator(".notice--closed")).to_contain_text("Samtycke återkallat")
    expect(page.get_by_text("Samtycke återkallat i Min SIP").first).to_be_visible()


def test_a_guardian_acts_for_a_child(demo_world, page: Page):
    demo_login(page, "Camilla", "Andersson")
    page.get_by_role("link", name="Elias SIP").click()
    expect(page.get_by_role("heading", name="Elias Anderssons SIP")).to_be_visible()
    scan(page)
    page.locator("textarea[name=text]").fill("Elias vill att mötet är efter skolan.")
    page.get_by_role("button", name="Skicka", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Tack")


def test_an_invited_relative_sees_only_the_granted_parts(demo_world, page: Page):
    demo_login(page, "Camilla", "Andersson")  # Erik's sister: invited to see goals and meetings
    page.get_by_role("link", name="Eriks SIP").click()
    scan(page)
    expect(page.get_by_role("heading", name="Eriks mål")).to_be_visible()
    expect(page.get_by_role("heading", name="Nästa möte")).to_be_visible()
    expect(page.get_by_role("heading", name="Vem gör vad")).to_have_count(0)
    expect(page.get_by_role("link", name="Avsluta din SIP")).to_have_count(0)
