"""The session timeout in Debian's Chromium: the warning, "stay logged in", and a message that
survives the timeout and a new login (static/samplan/session.js).

The session is made short (idle 10 s, warned 5 s before), so the test waits seconds, not
minutes. The dialog is scanned with axe (WCAG 2.1 AA rules) while it is open.
"""

import re
import time

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import Page, expect

from samplan.plans.models import CitizenMessage, Plan
from samplan.testing.axe import scan

pytestmark = pytest.mark.browser

IDLE = 10
WARNING = 5
MARGIN = 2  # the script goes to the login page this long after the server's timeout
TEXT = "Kan vi ses på torsdag i stället?"


@pytest.fixture
def short_sessions(settings):
    settings.SESSION_IDLE_SECONDS = IDLE
    settings.SESSION_WARNING_SECONDS = WARNING
    settings.CITIZEN_DEMO_LOGIN = True


def status_of(page: Page, path: str) -> int:
    """The status of a GET from the page's own session, without following a redirect (a GET
    within a minute of the last one does not restart the idle clock)."""
    return page.evaluate(
        "path => fetch(path, {redirect: 'manual'}).then(r => r.type === 'opaqueredirect' ? 302 : r.status)",
        path,
    )


def test_a_citizen_is_warned_stays_and_gets_the_message_back_after_a_new_login(
    demo_world, short_sessions, page: Page
):
    plan = Plan.objects.get(person__given_name="Ulla", person__family_name="Gustafsson")
    back = f"/min-sip/{plan.pk}/"
    page.goto(page.base_url + f"/min-sip/logga-in/demo/?next={back}")
    page.get_by_role("button", name="Logga in som Ulla Gustafsson").first.click()
    logged_in_at = time.time()
    expect(page).to_have_url(page.base_url + back)

    # She starts writing to her contact person.
    page.locator("input[name=kind][value=change]").check()
    page.locator("textarea[name=text]").fill(TEXT)

    # The warning: a modal dialog with focus on "stay logged in".
    dialog = page.get_by_role("dialog", name="Du loggas snart ut")
    expect(dialog).to_be_visible(timeout=(IDLE - WARNING + 3) * 1000)
    stay = dialog.get_by_role("button", name="Fortsätt vara inloggad")
    expect(stay).to_be_focused()
    expect(dialog).to_contain_text("loggas du ut om")
    expect(dialog.get_by_role("button", name="Logga ut")).to_be_visible()
    scan(page)  # 0 violations with the dialog open

    # By keyboard: Enter on the focused button keeps the session.
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(page.locator("textarea[name=text]")).to_be_focused()  # focus returns

    # Past the end the session had before: still logged in, on the same page.
    page.wait_for_timeout(max(0, logged_in_at + IDLE + MARGIN + 1 - time.time()) * 1000)
    assert page.url == page.base_url + back
    assert status_of(page, "/min-sip/") == 200

    # Escape keeps it too.
    expect(dialog).to_be_visible(timeout=(IDLE + 2) * 1000)
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    # Now she is away: the session runs out and the page goes to the login, which says why.
    expect(page).to_have_url(
        re.compile(r"/min-sip/logga-in/\?next=" + re.escape(back)),
        timeout=(IDLE + MARGIN + 3) * 1000,
    )
    expect(page.get_by_role("status")).to_contain_text("Du loggades ut")
    assert status_of(page, "/min-sip/") == 302

    # She logs in again (the demo login stands for e-identification) and is back on the page,
    # with what she wrote.
    page.get_by_role("link", name="Demoinloggning – inte för riktiga personuppgifter").click()
    page.get_by_role("button", name="Logga in som Ulla Gustafsson").first.click()
    expect(page).to_have_url(page.base_url + back)
    expect(page.locator("textarea[name=text]")).to_have_value(TEXT)
    expect(page.locator("input[name=kind][value=change]")).to_be_checked()
    expect(page.get_by_text("Det du skrev tidigare har fyllts i igen.")).to_be_visible()

    # Sent, the text is forgotten: the page shown again has an empty form.
    page.get_by_role("button", name="Skicka", exact=True).click()
    expect(page.locator(".message--success")).to_contain_text("Tack")
    assert CitizenMessage.objects.filter(plan=plan, text=TEXT, kind="change").exists()
    expect(page.locator("textarea[name=text]")).to_have_value("")
    assert (
        page.evaluate("Object.keys(sessionStorage).filter(k => k.startsWith('samplan.form'))") == []
    )


def test_a_message_sent_after_the_session_ended_elsewhere_is_back_after_login(
    demo_world, short_sessions, page: Page
):
    """The page did not know the session had ended (another tab logged out, say): the post goes
    to the login, back to the page the form was on (not the POST-only URL), text and all."""
    plan = Plan.objects.get(person__given_name="Ulla", person__family_name="Gustafsson")
    back = f"/min-sip/{plan.pk}/"
    page.goto(page.base_url + f"/min-sip/logga-in/demo/?next={back}")
    page.get_by_role("button", name="Logga in som Ulla Gustafsson").first.click()
    page.locator("textarea[name=text]").fill(TEXT)
    Session.objects.all().delete()
    page.get_by_role("button", name="Skicka", exact=True).click()

    expect(page).to_have_url(page.base_url + f"/min-sip/logga-in/?next={back}")
    page.get_by_role("link", name="Demoinloggning – inte för riktiga personuppgifter").click()
    page.get_by_role("button", name="Logga in som Ulla Gustafsson").first.click()
    expect(page).to_have_url(page.base_url + back)
    expect(page.locator("textarea[name=text]")).to_have_value(TEXT)
    assert not CitizenMessage.objects.filter(text=TEXT).exists()
