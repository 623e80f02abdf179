"""Consent that is enforced, in Debian's Chromium, in Swedish, on the demo world.

Erik Andersson's consent keeps his economy and his earlier addiction from Försäkringskassan.
Mikael Sandberg at Försäkringskassan reads Erik's plan on every page and prints the copy: the
debt advice and the goal about debts are nowhere, his own intervention is there. Anna Lind, who
leads the plan, sees everything, with the topic and whom it is kept from; Erik sees his whole
plan in Min SIP.
"""

import io
from urllib.parse import urljoin

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from samplan.plans.models import Plan
from samplan.testing.axe import scan
from samplan.testing.browser import citizen_log_in, staff_log_in

pytestmark = pytest.mark.browser
DEBT_ADVICE = "Budget- och skuldrådgivning varannan vecka"
DEBT_GOAL = "Jag vill bli av med mina skulder"
OWN = "Utreda rätt till sjukersättning"


def pdf_text(page: Page, url: str) -> str:
    response = page.request.get(url)
    assert response.headers["content-type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(response.body())).pages
    return " ".join(" ".join(p.extract_text().split()) for p in pages)  # table cells wrap


def test_what_the_consent_keeps_from_a_unit_is_nowhere_on_its_pages(demo_world, page: Page):
    plan = Plan.objects.get(person__given_name="Erik", person__family_name="Andersson")
    base = page.base_url + f"/sip/{plan.pk}/"

    staff_log_in(page, "mikael.sandberg")
    for path in ["", "plan/", "versioner/", "versioner/1/", "historik/", "moten/"]:
        page.goto(base + path)
        expect(page.locator("main")).to_be_visible()
        body = page.locator("main").inner_text()
        assert DEBT_ADVICE not in body and DEBT_GOAL not in body, path
    page.goto(base + "plan/")
    expect(page.get_by_text(OWN).first).to_be_visible()
    scan(page)
    text = pdf_text(page, urljoin(page.url, "../kopia.pdf"))
    assert "skuld" not in text.lower() and OWN in text
    assert "UTDRAG" in text

    staff_log_in(page, "anna.lind", unit="Biståndshandläggning Åsby, Åsby kommun")
    page.goto(base + "plan/")
    item = page.locator("li, tr, article").filter(has_text=DEBT_ADVICE).last
    expect(item).to_be_visible()
    expect(item).to_contain_text("Ekonomi och skulder")
    expect(item).to_contain_text("Försäkringskassan")
    page.goto(base + "samtycke/")
    expect(page.locator("main")).to_contain_text("Ekonomi och skulder")
    scan(page)

    citizen_log_in(page, "Erik Andersson")
    page.get_by_role("link", name="Din SIP").click()
    expect(page.get_by_text(DEBT_ADVICE).first).to_be_visible()
