"""A collaboration failure reported and handled together, in Debian's Chromium, in Swedish
(issue 15).

Maria Nilsson, a district nurse at Vårdcentralen Åsby, takes part in Birgitta Karlsson's SIP.
The municipality's needs assessment did not answer the invitation to the SIP meeting, so she
reports it from the SIP's overview (first with an identity number in the text, which is refused
at its field). Sara Holm, the needs assessment's unit manager, finds it in her list and agrees
an action with an owner and a day; Eva Strand, the primary care centre's unit manager, finds it
in hers, comments and concludes it as resolved. The history shows every step.
"""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from samplan.deviations.models import Deviation
from samplan.plans.models import Plan
from samplan.testing.axe import scan
from samplan.testing.browser import staff_log_in

pytestmark = pytest.mark.browser


def open_the_report_from_the_list(page: Page, deviation: Deviation) -> None:
    page.get_by_role("link", name="Brister i samverkan", exact=True).click()
    expect(page.get_by_role("heading", name="Brister i samverkan", level=1)).to_be_visible()
    row = page.locator("tr", has=page.locator(f"a[href='/brister/{deviation.pk}/']"))
    expect(row).to_contain_text("Birgitta Karlsson")
    scan(page)
    row.get_by_role("link", name="En kallelse besvarades inte i tid").click()
    expect(page.get_by_role("heading", name="En kallelse besvarades inte i tid")).to_be_visible()


def test_a_nurse_reports_a_failure_and_both_unit_managers_handle_it(demo_world, page: Page):
    today = timezone.localdate()
    plan = Plan.objects.get(person__given_name="Birgitta", person__family_name="Karlsson")
    before = set(Deviation.objects.values_list("pk", flat=True))  # the demo's own reports

    # The nurse reports from the SIP she takes part in
    staff_log_in(page, "maria.nilsson")
    page.goto(page.base_url + f"/sip/{plan.pk}/")
    page.get_by_role("link", name="Rapportera brist i samverkan").click()
    expect(page.get_by_role("heading", name="Rapportera brist i samverkan")).to_be_visible()
    expect(page.get_by_role("group", name="Den SIP det gäller")).to_contain_text(
        "Birgitta Karlsson"
    )
    page.get_by_label("En kallelse besvarades inte i tid").check()
    page.locator("#id_what_happened").fill(
        "Biståndshandläggningen svarade inte på kallelsen till SIP-mötet (gäller 194802039846)."
    )
    page.locator("#id_happened_on").fill((today - datetime.timedelta(days=3)).isoformat())
    page.locator("#id_consequence").fill("Mötet fick skjutas upp och hemtjänsten dröjde.")
    page.get_by_label("Biståndshandläggning Åsby (Åsby kommun)").check()
    page.get_by_role("button", name="Skicka rapporten").click()
    expect(page.locator("#id_what_happened_error")).to_contain_text("Skriv inget personnummer")
    scan(page)
    assert not Deviation.objects.exclude(pk__in=before).exists()
    page.locator("#id_what_happened").fill(
        "Biståndshandläggningen svarade inte på kallelsen till SIP-mötet."
    )
    page.get_by_role("button", name="Skicka rapporten").click()
    expect(page.get_by_role("status")).to_contain_text("Bristen är rapporterad")
    deviation = Deviation.objects.exclude(pk__in=before).get()
    assert (deviation.plan, deviation.reporter.username) == (plan, "maria.nilsson")
    assert {u.name for u in deviation.units.all()} == {
        "Vårdcentralen Åsby",
        "Biståndshandläggning Åsby",
    }
    scan(page)

    # The municipality's unit manager agrees an action with an owner and a day
    staff_log_in(page, "sara.holm")
    open_the_report_from_the_list(page, deviation)
    expect(page.locator(".facts")).to_contain_text("Birgitta Karlsson")
    due = today + datetime.timedelta(days=14)
    page.locator("#id_what").fill("Kallelser till SIP-möten går till funktionsbrevlådan")
    page.locator("#id_owner").select_option(label="Sara Holm (Enhetschef)")
    page.locator("#id_due").fill(due.isoformat())
    page.get_by_role("button", name="Lägg till åtgärden").click()
    expect(page.get_by_role("status")).to_contain_text("Åtgärden är överenskommen")
    scan(page)

    # The region's unit manager comments and concludes it as resolved
    staff_log_in(page, "eva.strand")
    open_the_report_from_the_list(page, deviation)
    page.locator("#id_text").fill("Tack, vi påminner också i kallelsen.")
    page.get_by_role("button", name="Lägg till kommentaren").click()
    expect(page.get_by_role("status")).to_contain_text("Kommentaren är tillagd")
    page.get_by_label("Åtgärdad").check()
    page.locator("#id_conclusion_text").fill("Rutinen för kallelser är ändrad.")
    page.get_by_role("button", name="Avsluta", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Rapporten är avslutad")
    history = page.locator("ol.timeline")
    for step in [
        "Rapporterad; berör Biståndshandläggning Åsby",
        "Åtgärd överenskommen: Kallelser till SIP-möten går till funktionsbrevlådan",
        "Tack, vi påminner också i kallelsen.",
        "Avslutad: Åtgärdad",
    ]:
        expect(history).to_contain_text(step)
    expect(history.locator("li")).to_have_count(4)
    scan(page)
    deviation.refresh_from_db()
    assert (deviation.state, deviation.conclusion) == ("concluded", "resolved")

    # Concluded, it leaves the open list and shows under the concluded
    page.get_by_role("link", name="Brister i samverkan", exact=True).click()
    expect(page.locator(f"a[href='/brister/{deviation.pk}/']")).to_have_count(0)
    page.get_by_role("link", name="Avslutade").click()
    expect(page.locator(f"a[href='/brister/{deviation.pk}/']")).to_be_visible()
