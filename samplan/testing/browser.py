"""What the browser tests share: logging in as a demo staff member or a Min SIP individual,
finding a form on a plan page, and writing a plan in meeting mode as staff do at the meeting."""

import datetime
import re

from django.utils import timezone
from playwright.sync_api import Page, Response, expect

from samplan.demo.world import DEMO_PASSWORD
from samplan.plans.models import Meeting
from samplan.testing.cast import begin


def staff_log_in(page: Page, username: str, unit: str | None = None) -> None:
    """Log in through the login form (a new session); choose the acting unit when the user
    has several."""
    page.context.clear_cookies()
    page.goto(page.base_url + "/konto/logga-in/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    if unit:
        page.get_by_label(unit).check()
        page.get_by_role("button", name="Fortsätt").click()


def citizen_log_in(page: Page, name: str) -> None:
    """A new Min SIP session through the demo login (it ends any staff session)."""
    page.context.clear_cookies()
    page.goto(page.base_url + "/min-sip/logga-in/demo/")
    page.get_by_role("button", name=f"Logga in som {name}").first.click()
    expect(page.locator(".who__name")).to_have_text(name)


def post_from_page(page: Page, action: str, fields: dict[str, str]) -> Response:
    """A form post from the page shown, with its CSRF token when it has one, as a stale tab or
    a hand-made request would send it; the response the browser then shows."""
    with page.expect_navigation() as navigation:
        page.evaluate(
            """([action, fields]) => {
              const form = Object.assign(document.createElement('form'), {method: 'post', action});
              const token = document.querySelector('input[name=csrfmiddlewaretoken]');
              if (token) fields = {...fields, csrfmiddlewaretoken: token.value};
              for (const [name, value] of Object.entries(fields)) {
                form.append(Object.assign(document.createElement('input'), {type: 'hidden', name, value}));
              }
              document.body.append(form);
              form.submit();
            }""",
            [action, fields],
        )
    return navigation.value


def in_form(page: Page, hidden_value: str):
    """The form on a plan page whose hidden `form` field has this value."""
    return page.locator(f"form:has(input[name='form'][value='{hidden_value}'])")


def invite_to_first_meeting(page: Page, place: str) -> None:
    """Book the first meeting five days ahead and send the invitations, then open meeting
    mode as the meeting starts."""
    page.locator("nav.tabs a[href$='/moten/']").click()
    starts = (timezone.localtime() + datetime.timedelta(days=5)).replace(hour=13, minute=0)
    page.locator("#id_starts_at").fill(starts.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#id_place").fill(place)
    page.get_by_role("button", name="Boka och kalla").click()
    expect(page.locator(".badge--state-invited")).to_be_visible()
    page.get_by_role("link", name="Öppna mötesläge").click()


def write_plan_in_meeting_mode(
    page: Page,
    *,
    goal: str,
    interventions: list[tuple[str, str, str]],
    overall: str,
    lead: str,
    follow_up: str,
    self_actions: str = "",
    no_other_actors: bool = False,
) -> None:
    """In meeting mode: a goal, the interventions (organisation, unit, what), and who is
    responsible and when it is followed up; then the meeting is recorded as held."""
    form = in_form(page, "goal")
    form.locator("input[name='goal-term'][value=long]").check()
    form.locator("textarea[name='goal-text']").fill(goal)
    form.get_by_role("button", name="Lägg till mål").click()
    for organization, unit, what in interventions:
        form = in_form(page, "intervention")
        form.locator("textarea[name='intervention-what']").fill(what)
        form.locator("select[name='intervention-organization']").select_option(label=organization)
        form.locator("select[name='intervention-responsible_unit']").select_option(label=unit)
        form.locator("input[name='intervention-goals']").first.check()
        form.get_by_role("button", name="Lägg till insats").click()
        expect(page.get_by_text(what).first).to_be_visible()
    details = in_form(page, "details")
    details.locator("select[name='details-overall_responsibility']").select_option(label=overall)
    details.locator("select[name='details-lead']").select_option(label=lead)
    details.locator("input[name='details-next_follow_up']").fill(follow_up)
    if self_actions:
        details.locator("textarea[name='details-self_actions']").fill(self_actions)
    if no_other_actors:
        details.locator("input[name='details-no_other_actors']").check()
    details.get_by_role("button", name="Spara").click()
    # The meeting has now started (in the browser tests' time, it is moved to an hour ago).
    meeting_id = int(re.search(r"/moten/(\d+)/motesla/", page.url).group(1))
    begin(Meeting.objects.get(pk=meeting_id))
    page.get_by_role("button", name="Mötet är hållet: registrera det").click()
