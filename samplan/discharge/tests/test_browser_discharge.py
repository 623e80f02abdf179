"""A SIP after discharge from inpatient care, in Debian's Chromium, in Swedish (issue 14).

Hanna Wik, a nurse at Avdelning 14, registers Amina Warsame's admission and sends the notices
to Hemtjänst Åsby and Vårdcentralen Åsby; Amina is discharged and consents to a SIP. Maria
Nilsson, her designated care contact at the primary care centre, sees the new SIP with the
discharge deadline and invites the home care, which accepts; the meeting is held and the plan
established. The deadline goes from due to met.
"""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from samplan.core import dates
from samplan.demo.world import PEOPLE, demo_identity_number
from samplan.discharge.models import Admission
from samplan.plans.models import Plan
from samplan.testing.axe import scan
from samplan.testing.browser import (
    invite_to_first_meeting,
    staff_log_in,
    write_plan_in_meeting_mode,
)

pytestmark = pytest.mark.browser
AMINA = next(p for p in PEOPLE if p.key == "amina")


def test_a_ward_nurse_discharges_a_patient_and_the_care_contact_runs_the_sip(
    demo_world, page: Page
):
    today = timezone.localdate()
    staff_log_in(page, "hanna.wik")
    page.get_by_role("link", name="Utskrivning").click()
    expect(page.get_by_role("heading", name="Inskrivna patienter")).to_be_visible()
    scan(page)
    page.get_by_role("link", name="Registrera inskrivning").click()
    scan(page)
    # A wrong number is refused at its field
    page.get_by_label("Personnummer eller samordningsnummer").fill("19950708-0000")
    page.get_by_role("button", name="Registrera och skicka meddelandet").click()
    expect(page.locator("#id_identity_number_error")).to_be_visible()
    page.get_by_label("Personnummer eller samordningsnummer").fill(demo_identity_number(AMINA))
    page.get_by_label("Vilka insatser väntas patienten behöva efter utskrivningen?").fill(
        "Hemtjänst morgon och kväll och uppföljning av diabetes på vårdcentralen."
    )
    page.get_by_label("Hemtjänst Åsby (Åsby kommun)").check()
    page.get_by_label("Vårdcentralen Åsby (Region Mälardalen)").check()
    page.get_by_role("button", name="Registrera och skicka meddelandet").click()
    expect(page.get_by_role("status")).to_contain_text("Inskrivningen är registrerad")
    expect(page.get_by_role("heading", name="Amina Warsame")).to_be_visible()
    scan(page)

    # The notices: planned discharge, ready for discharge, the designated care contact
    page.locator("#id_planned_discharge").first.fill(today.isoformat())
    page.get_by_label("Information till de berörda enheterna").fill("Behöver rollator hemma.")
    page.get_by_role("button", name="Skicka planerad utskrivning").click()
    expect(page.get_by_role("status")).to_contain_text("Planerad utskrivning är skickad")
    page.get_by_role("button", name="Skicka meddelandet: utskrivningsklar").click()
    expect(page.get_by_role("status")).to_contain_text("utskrivningsklar")
    page.get_by_role("combobox", name="Fast vårdkontakt").select_option(
        label="Maria Nilsson (Distriktssköterska)"
    )
    page.get_by_role("button", name="Utse").click()
    expect(page.get_by_role("status")).to_contain_text("fasta vårdkontakten är utsedd")

    # Discharge: without the consent ticked, no SIP starts and the error is at the field
    page.get_by_label("Ja, och patienten samtycker: starta SIP:en").check()
    page.get_by_role("button", name="Registrera utskrivningen").click()
    expect(page.locator("#id_consent_error")).to_be_visible()
    assert not Plan.objects.filter(person__given_name="Amina").exists()
    page.get_by_label("Patienten samtycker till en SIP").check()
    page.get_by_role("button", name="Registrera utskrivningen").click()
    expect(page.get_by_role("status")).to_contain_text("Utskrivningen är registrerad")
    due = today + datetime.timedelta(days=3)  # the demo agreement: three calendar days
    deadline = page.locator(".discharge-deadline")
    expect(deadline).to_contain_text(dates.day(due))
    expect(deadline.locator(".badge")).to_have_text("väntar")
    history = page.locator("ol.timeline")
    for step in [
        "Inskrivningsmeddelande skickat",
        "Utskrivningsklar",
        "Maria Nilsson",
        "SIP startad",
    ]:
        expect(history).to_contain_text(step)
    scan(page)
    admission = Admission.objects.get(person__given_name="Amina")
    plan = admission.plan
    assert plan.state == "consented" and plan.care_contact.username == "maria.nilsson"

    # The designated care contact sees the new SIP with the discharge deadline
    staff_log_in(page, "maria.nilsson")
    page.get_by_role("link", name="Mina SIP").first.click()
    row = page.locator("tr", has=page.get_by_role("link", name="Amina Warsame"))
    expect(row).to_contain_text("Kallelse efter utskrivning")
    row.get_by_role("link", name="Amina Warsame").click()
    expect(page.locator(".discharge-deadline .badge")).to_have_text("väntar")
    invite_to_first_meeting(page, "Vårdcentralen Åsby, rum 4")
    page.goto(page.base_url + f"/sip/{plan.pk}/")
    expect(page.locator(".discharge-deadline .badge")).to_have_text("uppfylld")
    scan(page)

    # The municipality's home care accepts the invitation
    staff_log_in(page, "sanna.moberg")
    page.goto(page.base_url + f"/sip/{plan.pk}/")
    page.get_by_label("Vi kommer").check()
    page.get_by_role("button", name="Skicka svar").click()
    expect(page.get_by_role("status")).to_be_visible()

    # The meeting is held in meeting mode and the plan is established
    staff_log_in(page, "maria.nilsson")
    page.goto(page.base_url + f"/sip/{plan.pk}/")
    page.get_by_role("link", name="Öppna mötesläge").click()
    write_plan_in_meeting_mode(
        page,
        goal="Jag vill klara mig hemma igen",
        interventions=[
            ("Åsby kommun", "Hemtjänst Åsby, Åsby kommun", "Hemtjänst morgon och kväll"),
            ("Region Mälardalen", "Vårdcentralen Åsby, Region Mälardalen", "Diabetesuppföljning"),
        ],
        overall="Region Mälardalen",
        lead="Maria Nilsson (Distriktssköterska)",
        follow_up=(today + datetime.timedelta(days=30)).isoformat(),
        self_actions="Jag tar mina mediciner själv.",
        no_other_actors=True,
    )  # fmt: skip
    page.locator("input[name=approval_method][value=meeting_oral]").check()
    page.locator("input[name=approved]").check()
    page.get_by_role("button", name="Upprätta som version 1").click()
    expect(page.locator(".badge--state-active")).to_be_visible()
    plan.refresh_from_db()
    assert (plan.state, plan.current_version) == ("active", 1)

    # Back on the ward, the deadline is met
    staff_log_in(page, "hanna.wik")
    page.get_by_role("link", name="Utskrivning").click()
    page.get_by_role("link", name="Utskrivna").click()
    row = page.locator("tr", has=page.get_by_role("link", name="Amina Warsame"))
    expect(row.locator(".badge")).to_contain_text("uppfylld")
