"""The error pages in Debian's Chromium, each scanned with axe (WCAG 2.1 AA rules) at 1280 and
320 px: 400, 403 (refused, and an expired form), 404, 405 and 500, the page of a plan that no
longer takes a change, and the pages whose tables scroll in their own box on a small screen."""

import pytest
from playwright.sync_api import Page, expect

from samplan.conftest import PASSWORD
from samplan.testing.axe import scan
from samplan.testing.browser import post_from_page

pytestmark = pytest.mark.browser

UNKNOWN_PLAN = "/sip/00000000-0000-0000-0000-000000000000/"


def shows(page: Page, status: int, heading: str, response) -> None:
    """The response is the error page with this heading, and axe finds nothing on it."""
    assert response.status == status, (page.url, response.status)
    expect(page.locator("h1")).to_have_text(heading)
    scan(page)


def goto(page: Page, path: str):
    return page.goto(page.base_url + path)


@pytest.mark.parametrize("width", [1280, 320])
def test_every_error_page_passes_axe(page: Page, sip, alice, settings, width):
    settings.ROOT_URLCONF = "samplan.core.tests.failing_urls"  # adds a view that fails
    page.set_viewport_size({"width": width, "height": 800})
    closed = sip.to("closed")
    meeting = closed.meetings.first()

    # Logged out: a page that does not exist, a server error, a form sent after its time.
    shows(page, 404, "Sidan finns inte", goto(page, "/finns-inte/"))
    fields = {"person": "1", "coordination": "2", "reserve": "3"}
    shows(page, 500, "Något gick fel", post_from_page(page, "/test-fel/", fields))
    goto(page, "/konto/logga-in/")
    page.context.clear_cookies()  # the CSRF cookie is gone, as after a long pause
    page.get_by_label("Användarnamn").fill(alice.username)
    page.get_by_label("Lösenord").fill(PASSWORD)
    with page.expect_navigation() as expired:
        page.get_by_role("button", name="Logga in").click()
    shows(page, 403, "Formuläret har gått ut", expired.value)

    # Logged in.
    goto(page, "/konto/logga-in/")
    page.get_by_label("Användarnamn").fill(alice.username)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("heading", name="Välkommen, Alice")).to_be_visible()
    shows(page, 404, "Sidan finns inte", goto(page, UNKNOWN_PLAN))
    shows(page, 405, "Det går inte här", goto(page, "/inkorg/las/"))
    refused = goto(page, f"/sip/{closed.pk}/uppfoljning/")
    shows(page, 403, "Det går inte längre", refused)
    answer = f"/sip/{closed.pk}/moten/{meeting.pk}/svar/"
    forbidden = post_from_page(page, answer, {"person": str(closed.person_id)})
    shows(page, 403, "Du får inte göra det här", forbidden)
    # A body that cannot be read: the browser's form post, its body replaced on the way.
    page.route(
        "**/konto/enhet/",
        lambda route: route.continue_(
            post_data=b"garbage",
            headers={**route.request.headers, "content-type": "multipart/form-data"},
        ),
    )
    shows(page, 400, "Förfrågan kunde inte läsas", post_from_page(page, "/konto/enhet/", {}))


def test_tables_that_scroll_on_a_small_screen_pass_axe(page: Page, sip, alice):
    page.set_viewport_size({"width": 320, "height": 800})
    plan = sip.to("revision")
    goto(page, "/konto/logga-in/")
    page.get_by_label("Användarnamn").fill(alice.username)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    for path in ("/sip/", f"/sip/{plan.pk}/moten/", f"/sip/{plan.pk}/versioner/?utkast=1"):
        goto(page, path)
        expect(page.locator(".table-wrap[role=region]").first).to_be_visible()
        scan(page)
