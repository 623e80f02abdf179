"""The approved plan and the working draft, in Debian's Chromium, in Swedish.

Ulla Gustafsson declines version 2 of her plan in Min SIP. Her lead, Maria Nilsson at
Vårdcentralen Åsby, still sees version 1 in force, with Ulla's comment. Maria's edit to the
established plan waits as an unapproved change that Ulla does not see; an empty form cannot
take away the lead. The change reaches Ulla as version 3, which she approves.
"""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from samplan.plans.models import Plan
from samplan.testing.axe import scan
from samplan.testing.browser import citizen_log_in, staff_log_in

pytestmark = pytest.mark.browser


def test_a_declined_revision_and_an_unapproved_edit(demo_world, page: Page):
    plan = Plan.objects.get(person__given_name="Ulla")
    assert (plan.state, plan.current_version) == ("revision", 1)

    # Ulla says no to version 2.
    citizen_log_in(page, "Ulla Gustafsson")
    page.get_by_role("link", name="Din SIP").click()
    expect(page.get_by_role("heading", name="En ny plan väntar på ditt svar")).to_be_visible()
    page.locator("input[name=approved][value=no]").check()
    page.locator("textarea[name=comment]").fill("Jag vill inte byta fysioterapeut.")
    page.get_by_role("button", name="Skicka mitt svar").click()
    expect(page.get_by_role("status")).to_be_visible()
    expect(page.get_by_text("Version 1,")).to_be_visible()

    # Maria still sees version 1 in force, and why version 2 is not.
    staff_log_in(page, "maria.nilsson")
    page.goto(page.base_url + f"/sip/{plan.pk}/")
    badges = page.locator(".plan-head__badges")
    expect(badges).to_contain_text("Version 1 gäller")
    expect(badges).not_to_contain_text("Version 2")
    notice = page.locator(".draft-notice")
    expect(notice).to_contain_text("Den enskilde sa nej till version 2")
    expect(notice).to_contain_text("Jag vill inte byta fysioterapeut.")

    # Her edit to the established plan waits, marked, for Ulla's approval.
    page.locator("nav.tabs a[href$='/plan/']").click()
    goal = page.locator("form:has(input[name='form'][value='goal'])")
    goal.locator("input[name='goal-term'][value=short]").check()
    goal.locator("textarea[name='goal-text']").fill("Jag vill kunna gå på bingo på torsdagar")
    goal.get_by_role("button", name="Lägg till mål").click()
    expect(page.locator(".draft-notice h2")).to_contain_text(
        "Ändringar som den enskilde inte har godkänt"
    )
    page.locator(".draft-notice").get_by_role("link", name="Se ändringarna").click()
    expect(page.locator("#draft table.diff")).to_contain_text("Arbetsutkast, inte godkänt")
    expect(page.locator("#draft table.diff")).to_contain_text("Jag vill kunna gå på bingo")
    scan(page)  # the comparison, field by field

    # An empty form cannot take the lead away: the error stands at the field.
    page.locator("nav.tabs a[href$='/plan/']").click()
    details = page.locator("form:has(input[name='form'][value='details'])")
    details.locator("select[name='details-lead']").select_option("")
    details.get_by_role("button", name="Spara").click()
    error = page.locator("#id_details-lead_error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("måste ha en huvudansvarig")
    lead = page.locator("#id_details-lead")
    assert "id_details-lead_error" in lead.get_attribute("aria-describedby")
    assert Plan.objects.get(pk=plan.pk).lead_id is not None

    # Ulla does not see the draft.
    citizen_log_in(page, "Ulla Gustafsson")
    page.goto(page.base_url + f"/min-sip/{plan.pk}/")
    expect(page.get_by_text("bingo")).to_have_count(0)

    # A follow-up revises the plan: the draft becomes version 3, waiting for her.
    staff_log_in(page, "maria.nilsson")
    page.goto(page.base_url + f"/sip/{plan.pk}/uppfoljning/")
    page.locator("#id_how_it_went").fill("Promenaderna fungerar.")
    page.locator("#id_helped_hindered").fill("Hemtjänstens stöd.")
    page.locator("input[name=coordination_needed][value=yes]").check()
    page.locator("#id_continue_interventions").fill("Ja.")
    page.locator("input[name=decision][value=revise]").check()
    later = timezone.localdate() + datetime.timedelta(days=60)
    page.locator("#id_next_follow_up").fill(later.isoformat())
    page.get_by_role("button", name="Registrera uppföljningen").click()
    expect(page.locator(".plan-head__badges")).to_contain_text("Version 1 gäller")

    citizen_log_in(page, "Ulla Gustafsson")
    page.goto(page.base_url + f"/min-sip/{plan.pk}/")
    changes = page.locator("ul.changes")
    expect(changes).to_contain_text("Nytt mål: ”Jag vill kunna gå på bingo på torsdagar”.")
    page.locator("input[name=approved][value=yes]").check()
    page.get_by_role("button", name="Skicka mitt svar").click()
    expect(page.get_by_text("Version 3,")).to_be_visible()
    expect(page.get_by_text("Jag vill kunna gå på bingo på torsdagar")).to_be_visible()
    plan = Plan.objects.get(pk=plan.pk)
    assert (plan.state, plan.current_version, plan.unapproved_changes) == ("active", 3, 0)
