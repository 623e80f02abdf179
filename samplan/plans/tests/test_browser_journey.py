"""The whole SIP in Debian's Chromium, in Swedish, as two staff members click through it.

Anna Lind (socialsekreterare, Biståndshandläggning Åsby) starts a SIP for Tove Sundberg,
records consent covering Vårdcentralen Åsby and Försäkringskassan, invites them, runs the
meeting in meeting mode and establishes the plan with Tove's approval. Maria Nilsson
(distriktssköterska, Vårdcentralen Åsby) finds it in her worklist and records a follow-up that
revises it to version 2, approved. Anna closes it; the history lists every step.
"""

import datetime
from urllib.parse import urlparse

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from samplan.audit.models import AccessLogEntry
from samplan.demo.world import PEOPLE, demo_identity_number
from samplan.plans.models import Plan
from samplan.testing.browser import (
    invite_to_first_meeting,
    staff_log_in,
    write_plan_in_meeting_mode,
)

pytestmark = pytest.mark.browser
TOVE = next(p for p in PEOPLE if p.key == "tove")


def searched(url: str) -> str:
    """A search's result page (?sok=<id>) apart from the page it is on."""
    return "?sok" if "sok=" in urlparse(url).query else ""


def test_staff_run_a_whole_sip_in_swedish(demo_world, page: Page):
    responses: list[tuple[str, str, int]] = []
    page.on(
        "response",
        lambda r: responses.append(
            (r.request.method, urlparse(r.url).path + searched(r.url), r.status)
        ),
    )
    staff_log_in(page, "anna.lind", unit="Biståndshandläggning Åsby, Åsby kommun")

    # Initiative
    page.get_by_role("link", name="Mina SIP").first.click()
    page.get_by_role("link", name="Starta ny SIP").click()
    page.locator("#id_identity_number").fill(demo_identity_number(TOVE))
    page.get_by_role("button", name="Sök", exact=True).click()
    expect(page.get_by_role("heading", name="Tove Sundberg")).to_be_visible()
    page.locator("input[name=reasons][value=several_units]").check()
    page.locator("input[name=reasons][value=order]").check()
    page.get_by_role("button", name="Starta SIP:en").click()

    # Consent covering a region unit and Försäkringskassan
    page.locator("input[name=decision][value=given]").check()
    page.locator("input[name=mode][value=written]").check()
    page.get_by_label("Vårdcentralen Åsby (Region Mälardalen)").check()
    page.get_by_label(
        "Försäkringskassan, lokalt försäkringscenter Åsby (Försäkringskassan)"
    ).check()
    page.locator("#id_exclusions").fill("Min ekonomi ska inte tas upp.")
    page.get_by_role("button", name="Registrera samtycke").click()
    expect(page.locator(".badge--state-consented")).to_be_visible()

    # Invitation
    invite_to_first_meeting(page, "Biståndshandläggningen, rum 2")
    follow_up = timezone.localdate() + datetime.timedelta(days=40)
    write_plan_in_meeting_mode(
        page,
        goal="Jag vill klara vardagen med min dotter",
        interventions=[
            ("Åsby kommun", "Biståndshandläggning Åsby, Åsby kommun", "Stöd i hemmet två gånger i veckan"),
            ("Region Mälardalen", "Vårdcentralen Åsby, Region Mälardalen", "Läkarbesök och läkemedelsgenomgång"),
            ("Försäkringskassan", "Försäkringskassan, lokalt försäkringscenter Åsby, Försäkringskassan", "Utreda rätt till bostadsbidrag"),
        ],
        overall="Åsby kommun",
        lead="Anna Lind (Socialsekreterare)",
        follow_up=follow_up.isoformat(),
        self_actions="Jag lämnar min dotter på förskolan.",
    )  # fmt: skip

    # Establish with the individual's approval
    page.locator("input[name=approval_method][value=meeting_oral]").check()
    page.locator("input[name=approved]").check()
    page.get_by_role("button", name="Upprätta som version 1").click()
    expect(page.locator(".badge--state-active")).to_be_visible()
    plan = Plan.objects.get(person__given_name="Tove")
    assert (plan.state, plan.current_version) == ("active", 1)

    # The nurse at the region unit follows up and revises to version 2, approved
    page.get_by_role("button", name="Logga ut").click()
    staff_log_in(page, "maria.nilsson")
    page.get_by_role("link", name="Mina SIP").first.click()
    page.get_by_role("link", name="Tove Sundberg").click()
    page.locator("a[href$='/uppfoljning/']").first.click()
    page.locator("#id_how_it_went").fill("Det har gått bra med stödet i hemmet.")
    page.locator("#id_helped_hindered").fill("Att alla visste vem som gör vad.")
    page.locator("input[name=coordination_needed][value=yes]").check()
    page.locator("#id_continue_interventions").fill("Ja, och läkarbesöken blir färre.")
    page.locator("input[name=decision][value=revise]").check()
    page.locator("#id_next_follow_up").fill((follow_up + datetime.timedelta(days=60)).isoformat())
    page.locator("input[name=approval_method][value=meeting_oral]").check()
    page.get_by_role("button", name="Registrera uppföljningen").click()
    expect(page.locator(".plan-head__badges")).to_contain_text("Version 2")
    page.locator("nav.tabs a[href$='/versioner/']").click()
    expect(page.locator("table.diff")).to_be_visible()

    # Anna closes the SIP; the history lists every step with who and when
    page.get_by_role("button", name="Logga ut").click()
    staff_log_in(page, "anna.lind", unit="Biståndshandläggning Åsby, Åsby kommun")
    page.goto(page.base_url + f"/sip/{plan.pk}/")
    page.locator("a[href$='/avsluta/']").click()
    page.locator("input[name=reason][value=works]").check()
    page.locator("form.card").get_by_role("button", name="Avsluta SIP:en").click()
    # Samplan has told every unit and the individual; the lead sees who and how
    expect(page.locator("ul.list")).to_contain_text("meddelande från Samplan")
    page.locator("nav.tabs a[href$='/historik/']").click()
    history = page.locator("ol.timeline")
    for step in [
        "SIP initierad",
        "Samtycke registrerat",
        "Anna Lind",
        "Maria Nilsson",
        "Planen upprättad som version 1",
        "Uppföljning registrerad",
        "version 2",
        "SIP avslutad",
    ]:
        expect(history).to_contain_text(step)
    plan.refresh_from_db()
    assert plan.state == "closed" and plan.versions.count() == 2

    # Exactly one access-log entry per disclosure of Tove: each plan page (GET or POST), the
    # person card when she was found (the search's GET page), and each worklist that listed her.
    plan_path = f"/sip/{plan.pk}/"
    first = next(i for i, (_m, path, _s) in enumerate(responses) if path.startswith(plan_path))
    expected = sum(
        1
        for _m, path, status in responses
        if path.startswith(plan_path) and status in (200, 302, 400)
    )
    expected += sum(
        1 for m, path, status in responses if (m, path, status) == ("GET", "/sip/ny/?sok", 200)
    )
    expected += sum(
        1 for m, path, status in responses[first:] if (m, path, status) == ("GET", "/sip/", 200)
    )
    assert AccessLogEntry.objects.filter(person=plan.person).count() == expected
