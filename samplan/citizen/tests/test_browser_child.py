"""A 16-year-old in Min SIP, in Debian's Chromium: he reads his plan in a child's words and may
write to the person responsible, but is not offered to approve it, end it or invite anyone."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from samplan.people.models import Relation
from samplan.plans.models import CitizenMessage, Plan
from samplan.testing.cast import make_person

pytestmark = pytest.mark.browser


@pytest.fixture
def teenager_plan(transactional_db, settings) -> Plan:
    """Elias's established plan of the demo world, given to a 16-year-old."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo", quiet_logins=True)
    born = timezone.localdate() - datetime.timedelta(days=365 * 16 + 30)
    teenager = make_person(born.strftime("%Y%m%d"), "993", "Oskar", "Lund")
    mother = make_person("19800202", "994", "Lena", "Lund")
    Relation.objects.create(person=teenager, related=mother, kind="guardian", basis="court")
    elias = Plan.objects.get(person__given_name="Elias")
    Plan.objects.filter(pk=elias.pk).update(person=teenager)
    return Plan.objects.get(pk=elias.pk)


def test_a_16_year_old_reads_his_plan_and_is_not_offered_to_approve_or_end_it(
    teenager_plan, page: Page
):
    plan = teenager_plan
    page.goto(page.base_url + "/min-sip/logga-in/demo/")
    page.get_by_role("button", name="Logga in som Oskar Lund").first.click()
    expect(page.locator(".who__name")).to_have_text("Oskar Lund")
    page.get_by_role("link", name="Din SIP").click()

    expect(page.get_by_role("heading", name="Din SIP", exact=True)).to_be_visible()
    expect(page.get_by_text("Det här är din plan.")).to_be_visible()
    expect(page.get_by_text("En ny plan väntar på ditt svar")).to_have_count(0)
    expect(page.locator("input[name=approved]")).to_have_count(0)
    expect(page.get_by_role("link", name="Avsluta din SIP")).to_have_count(0)
    expect(page.get_by_role("link", name="Bjud in eller ta bort en närstående")).to_have_count(0)

    page.locator("textarea[name=text]").fill("Kan mötet vara efter skolan?")
    page.get_by_role("button", name="Skicka", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Tack")
    assert CitizenMessage.objects.get(plan=plan, text="Kan mötet vara efter skolan?")

    response = page.request.post(page.base_url + f"/min-sip/{plan.pk}/avsluta/")
    assert response.status in {403, 404}  # without a CSRF token or the right: never a close
    assert Plan.objects.get(pk=plan.pk).state != Plan.State.CLOSED
