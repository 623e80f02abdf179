"""Every form, sent empty and sent with an impossible date, shows its errors where a person
sees them: the summary is focused and in view, every message is tied to its field
(`aria-describedby` resolves to it), and every summary link reaches a field that then has the
focus and is in view.

Staff forms are found on the pages of demo plans in each state a form belongs to, Min SIP
forms on the individual's pages; the forms themselves come from the pages, so a new form is
checked without changing this test. Forms that only act (remove, cancel, log out, language)
and forms without fields of their own are skipped. The totals are printed in pytest's
terminal summary: `form errors: N forms, M not tied`.
"""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from playwright.sync_api import Page

from samplan.accounts.models import Membership
from samplan.people.models import Person
from samplan.plans.models import Plan
from samplan.testing.browser import citizen_log_in, staff_log_in
from samplan.testing.world import record_results

State = Plan.State

# The plan pages with forms, and the state a plan needs for the page to offer its form.
STAFF_PLAN_PAGES = [
    (State.INITIATED, ["samtycke"]),
    (State.CONSENTED, ["plan", "moten", "narstaende", "forberedelse"]),
    (State.INVITED, ["faststall", "{meeting}", "{meeting_mode}"]),
    (State.ACTIVE, ["{goal}", "{intervention}", "uppfoljning", "avsluta", "samtycke/aterkalla"]),
    (State.REVISION, ["godkannande"]),
    (State.CLOSED, ["informerade"]),
]
STAFF_PAGES = ["/sip/", "/sip/ny/", "/individer/sok/", "/individer/registrera/", "/inkorg/"]
CITIZEN_PAGES = ["", "narstaende/", "avsluta/"]

# Forms that act without fields of their own, or are not the page's own.
SKIP = (
    ".inline-form, .language-form, .session-dialog__stay, .session-dialog__logout, "
    ".pagination__form, :has(.link-button), :has(.button--danger.button--small)"
)
FIELDS = "input:not([type=hidden]):not([type=submit]):not([type=button]), textarea, select"

CHECK = r"""(dateIds) => {
  const summary = document.querySelector('.error-summary');
  if (!summary) return null;
  const box = summary.getBoundingClientRect();
  const problems = [];
  if (document.activeElement !== summary) problems.push('summary not focused');
  if (box.top < 0 || box.top >= innerHeight) problems.push('summary out of view');
  for (const error of document.querySelectorAll('.field__error')) {
    if (!error.id || !document.querySelector(`[aria-describedby~="${error.id}"]`))
      problems.push('message not tied: ' + (error.id || error.textContent.trim().slice(0, 40)));
    const shown = error.getBoundingClientRect();
    if (shown.width === 0 || shown.height === 0) problems.push('message hidden: ' + error.id);
  }
  const links = [...summary.querySelectorAll('a[href^="#"]')].map(a => a.hash.slice(1));
  for (const id of links) if (!document.getElementById(id)) problems.push('dead link: #' + id);
  const dated = dateIds.filter(id => document.getElementById(id + '_error'));
  return {problems, links, dated, text: summary.innerText.replace(/\s+/g, ' ')};
}"""

FOLLOW = """(id) => {
  const target = document.getElementById(id);
  const active = document.activeElement;
  const box = target.getBoundingClientRect();
  const focused = active === target || target.contains(active);
  return {focused, inView: box.bottom > 0 && box.top < innerHeight};
}"""


@dataclass
class Tally:
    forms: set = field(default_factory=set)
    not_tied: dict = field(default_factory=dict)

    def problem(self, where: str, what: str) -> None:
        self.not_tied.setdefault(where, []).append(what)


def own_forms(page: Page):
    forms = page.locator("main form[method=post]")
    return [
        i
        for i in range(forms.count())
        if forms.nth(i).locator(FIELDS).count()
        and not forms.nth(i).evaluate(f"f => f.matches({SKIP!r})")
    ]


def empty_it(form) -> list[str]:
    """Clear what a person types; return the ids of its date fields."""
    dates = []
    for box in form.locator("input[type=text], input[type=email], input[type=tel], textarea").all():
        if box.is_visible() and box.is_editable():
            box.fill("")
    for box in form.locator("input[type=date], input[type=datetime-local]").all():
        if box.is_visible():
            box.fill("")
            dates.append(box.get_attribute("id"))
    return dates


def fill_with_a_bad_date(form) -> list[str]:
    """What the form requires filled sensibly, the dates two hundred years ago."""
    for box in form.locator("input[type=text][required], textarea[required]").all():
        if box.is_visible() and box.is_editable() and not box.input_value():
            number = "number" in (box.get_attribute("name") or "")
            box.fill("19121212-1212" if number else "Prov")
    for box in form.locator("input[type=checkbox][required]").all():
        if box.is_visible():
            box.check()
    for group in set(form.locator("input[type=radio]").evaluate_all("rs => rs.map(r => r.name)")):
        choice = form.locator(f"input[type=radio][name='{group}']").first
        if choice.is_visible() and not form.locator(f"input[name='{group}']:checked").count():
            choice.check()
    for select in form.locator("select[required]").all():
        values = select.evaluate("s => [...s.options].map(o => o.value).filter(v => v)")
        if select.is_visible() and values and not select.input_value():
            select.select_option(values[0])
    dates = []
    for box in form.locator("input[type=date]").all():
        if box.is_visible():
            box.fill("1800-01-01")
            dates.append(box.get_attribute("id"))
    for box in form.locator("input[type=datetime-local]").all():
        if box.is_visible():
            box.fill("1800-01-01T10:00")
            dates.append(box.get_attribute("id"))
    return dates


def try_every_form(page: Page, url: str, tally: Tally) -> None:
    page.goto(page.base_url + url)
    for index in own_forms(page):
        for variant in ("empty", "bad date"):
            page.goto(page.base_url + url)
            form = page.locator("main form[method=post]").nth(index)
            name = f"{url.split('?')[0]} #{index} ({variant})"
            dates = empty_it(form) if variant == "empty" else fill_with_a_bad_date(form)
            if variant == "bad date" and not dates:
                continue
            form.locator("button[type=submit], input[type=submit]").first.click()
            page.wait_for_load_state()
            seen = page.evaluate(CHECK, dates)
            if seen is None:
                if variant == "bad date":
                    tally.problem(name, "an impossible date was accepted")
                continue  # nothing was needed: the form went through
            tally.forms.add(name)
            for problem in seen["problems"]:
                tally.problem(name, problem)
            if variant == "bad date" and not (seen["dated"] or seen["links"]):
                # Other fields may be refused first; a date refused alone must be at its field.
                tally.problem(name, f"no message at the date field: {seen['text']}")
            if seen["links"]:
                first = seen["links"][0]
                page.locator(f".error-summary a[href='#{first}']").click()
                reached = page.evaluate(FOLLOW, first)
                if not (reached["focused"] and reached["inView"]):
                    tally.problem(name, f"summary link #{first} does not reach its field")


def plans_with_staff() -> list[tuple[str, str, bool, Plan, list[str]]]:
    """For each state a form page needs: a plan in it, and a caseworker of a unit that writes
    in it (username, unit name, whether he or she has several units)."""
    found = []
    for state, pages in STAFF_PLAN_PAGES:
        plan = (
            Plan.objects.filter(state=state, person__protected_identity=False)
            .order_by("initiated_at")
            .first()
        )
        assert plan is not None, state
        member = (
            Membership.objects.filter(
                unit__participations__plan=plan,
                unit__participations__access="edit",
                is_active=True,
            )
            .select_related("user", "unit")
            .order_by("user__username")
            .first()
        )
        several = Membership.objects.filter(user=member.user).count() > 1
        found.append((member.user.username, member.unit.name, several, plan, pages))
    return found


def first_unit(username: str) -> str | None:
    units = Membership.objects.filter(user__username=username).order_by("unit__name")
    return units[0].unit.name if units.count() > 1 else None


def item_page(plan: Plan, tab: str) -> str | None:
    """A page of one goal, intervention or meeting of the plan (its first)."""
    goal = plan.goals.order_by("pk").first()
    intervention = plan.interventions.order_by("pk").first()
    meeting = plan.meetings.filter(status="scheduled").order_by("pk").first()
    pages = {
        "{goal}": goal and f"mal/{goal.pk}",
        "{intervention}": intervention and f"insatser/{intervention.pk}",
        "{meeting}": meeting and f"moten/{meeting.pk}/andra",
        "{meeting_mode}": meeting and f"moten/{meeting.pk}/motesla",
    }
    return pages.get(tab, tab)


def test_every_form_shows_its_errors_where_they_are_seen(demo_world, page: Page):
    tally = Tally()
    page.goto(page.base_url + "/konto/logga-in/")
    try_every_form(page, "/konto/logga-in/", tally)
    for url in STAFF_PAGES:
        if url == STAFF_PAGES[0]:
            staff_log_in(page, "anna.lind", first_unit("anna.lind"))
        try_every_form(page, url, tally)
    for username, unit, several, plan, pages in plans_with_staff():
        staff_log_in(page, username, unit if several else None)
        for tab in pages:
            if tab := item_page(plan, tab):
                try_every_form(page, f"/sip/{plan.pk}/{tab}/", tally)

    adult = timezone.localdate() - datetime.timedelta(days=20 * 365)
    person = (
        Person.objects.filter(
            plans__state=State.ACTIVE, protected_identity=False, birth_date__lt=adult
        )
        .exclude(identity_kind="reservnummer")
        .order_by("family_name")
        .first()
    )
    plan = person.plans.get(state=State.ACTIVE)
    citizen_log_in(page, person.full_name)
    for tab in CITIZEN_PAGES:
        try_every_form(page, f"/min-sip/{plan.pk}/{tab}", tally)
    try_every_form(page, "/inkorg/min-sip/", tally)

    record_results("errors", cases=len(tally.forms), mismatches=len(tally.not_tied))
    assert len(tally.forms) >= 25, sorted(tally.forms)
    assert not tally.not_tied, "\n".join(f"{k}: {v}" for k, v in sorted(tally.not_tied.items()))
