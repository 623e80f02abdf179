"""A child's SIP with a guardian registered through the UI, in Debian's Chromium, in Swedish.

Alva Nyberg (12) is new in Samplan and has no registered guardian. Anna Lind registers her
mother on the plan's "Närstående" page, records the mother's consent, and takes the SIP
through invitation and the meeting to an established plan.
"""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from samplan.accounts.models import Unit, User
from samplan.people import identity
from samplan.people.models import Person, Relation
from samplan.plans import services
from samplan.plans.models import Plan
from samplan.testing.browser import (
    invite_to_first_meeting,
    staff_log_in,
    write_plan_in_meeting_mode,
)
from samplan.testing.cast import make_person, staff

pytestmark = pytest.mark.browser
MOTHER = identity.identity_number_with_check_digit("19850815987")


@pytest.fixture
def child_plan(transactional_db, settings) -> Plan:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo", quiet_logins=True)
    born = (timezone.localdate() - datetime.timedelta(days=365 * 12 + 30)).strftime("%Y%m%d")
    alva = make_person(born, "992", "Alva", "Nyberg")
    anna = User.objects.get(username="anna.lind")
    unit = Unit.objects.get(name="Biståndshandläggning Åsby")
    return services.plan_initiate(actor=staff(anna, unit), person=alva, reasons=["several_units"])


def test_a_guardian_registered_in_the_ui_consents_and_the_sip_is_established(
    child_plan, page: Page
):
    plan = child_plan
    staff_log_in(page, "anna.lind", unit="Biståndshandläggning Åsby, Åsby kommun")

    # No guardian yet: the consent page says so and leads to the register.
    page.goto(page.base_url + f"/sip/{plan.pk}/samtycke/")
    expect(page.get_by_text("Ingen vårdnadshavare är registrerad.")).to_be_visible()
    page.get_by_role("link", name="Registrera vårdnadshavare och andra runt den enskilde").click()

    # A mistake first: a guardian needs a basis.
    page.locator("#id_number").fill(MOTHER)
    page.locator("#id_given_name").fill("Lisa")
    page.locator("#id_family_name").fill("Nyberg")
    page.locator("input[name=kind][value=guardian]").check()
    page.locator("#id_description").fill("mamma")
    page.get_by_role("button", name="Registrera", exact=True).click()
    expect(page.locator("#id_basis_error")).to_contain_text("Ange vad vårdnaden grundas på")
    page.locator("#id_basis").select_option("population_register")
    page.get_by_role("button", name="Registrera", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Personen är registrerad")
    expect(page.locator("table")).to_contain_text("Lisa Nyberg (mamma)")
    mother = Person.objects.get(identity_number=MOTHER)
    assert Relation.objects.get(related=mother).created_by.username == "anna.lind"

    # The mother consents.
    page.locator("nav.tabs a[href$='/samtycke/']").click()
    page.locator("input[name=decision][value=given]").check()
    page.locator("input[name=mode][value=written]").check()
    page.get_by_label("Lisa Nyberg").check()
    page.locator("#id_child_view").fill("Alva vill ha hjälp med skolan.")
    page.get_by_label("Vårdcentralen Åsby (Region Mälardalen)").check()
    page.get_by_role("button", name="Registrera samtycke").click()
    expect(page.locator(".badge--state-consented")).to_be_visible()

    # Invitation, meeting mode, the plan's content, established with approval.
    invite_to_first_meeting(page, "Biståndshandläggningen, rum 2")
    follow_up = timezone.localdate() + datetime.timedelta(days=40)
    write_plan_in_meeting_mode(
        page,
        goal="Jag vill orka gå i skolan varje dag",
        interventions=[
            ("Åsby kommun", "Biståndshandläggning Åsby, Åsby kommun", "Stödsamtal varannan vecka"),
            ("Region Mälardalen", "Vårdcentralen Åsby, Region Mälardalen", "Läkarbesök"),
        ],
        overall="Åsby kommun",
        lead="Anna Lind (Socialsekreterare)",
        follow_up=follow_up.isoformat(),
        no_other_actors=True,
    )
    page.locator("input[name=approval_method][value=meeting_oral]").check()
    page.locator("input[name=approved]").check()
    page.get_by_role("button", name="Upprätta som version 1").click()
    expect(page.locator(".badge--state-active")).to_be_visible()

    plan = Plan.objects.get(pk=plan.pk)
    assert (plan.state, plan.current_version) == ("active", 1)
    assert plan.consents.get().guardians.get() == mother
