"""Every page of the demo world in Debian's Chromium at 320 and 1280 px: no horizontal page
scroll and no word broken in the middle.

A word here is a run of letters and digits. It is broken when the browser lays it out on more
than one line: a Range over it gives client rects on two lines. Only an e-mail or web address
and a string of more than 30 characters without a space (an identifier) may break, and text
inside a box that scrolls sideways on its own (a wide table in `.table-wrap`) is not looked at:
that box, not the page, scrolls.

The crawl prints `layout crawl: N pages, M broken words, K horizontal scrolls` in pytest's
terminal summary. Set SAMPLAN_LAYOUT_SHOTS to a folder to keep a screenshot of each page at
each width.
"""

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Page

from samplan.accounts.models import Membership, User
from samplan.plans.models import Participant, Plan
from samplan.testing.browser import citizen_log_in, post_from_page, staff_log_in
from samplan.testing.world import RESULTS

pytestmark = pytest.mark.browser

WIDTHS = (1280, 320)
LONGEST_UNBROKEN = 30  # a string without spaces longer than this may break anywhere
MAX_PAGES_PER_PLAN = 25
UNIT = "Biståndshandläggning Åsby"
UNKNOWN_PLAN = "/sip/00000000-0000-0000-0000-000000000000/"

# One pass over the laid-out page: the page's own width, and every word of visible text.
LOOK = r"""(longest) => {
  const width = window.innerWidth;
  const root = document.documentElement;
  const describe = el => {
    const classes = el.classList.length ? '.' + [...el.classList].join('.') : '';
    return el.tagName.toLowerCase() + classes;
  };
  const result = {scrollWidth: root.scrollWidth, width, wide: [], broken: [], words: 0};
  // Inside a box that scrolls (or clips) sideways on its own, nothing widens the page.
  const scrolls = new Map();
  const inScroller = (el, overflowing) => {
    if (!el || el === document.body) return false;
    if (!scrolls.has(el)) scrolls.set(el, new Map());
    const known = scrolls.get(el);
    if (!known.has(overflowing)) {
      const own = getComputedStyle(el).overflowX !== 'visible'
        && (!overflowing || el.scrollWidth > el.clientWidth + 1);
      known.set(overflowing, own || inScroller(el.parentElement, overflowing));
    }
    return known.get(overflowing);
  };
  if (root.scrollWidth > width + 1) {
    // What sticks out of a box that itself fits: the cause, not its ancestors.
    for (const el of document.body.querySelectorAll('*')) {
      const parent = el.parentElement;
      if (el.getBoundingClientRect().right > width + 1 && el.checkVisibility()
          && parent.getBoundingClientRect().right <= width + 1
          && (!inScroller(parent, false) || getComputedStyle(el).position === 'absolute')) {
        result.wide.push(describe(el) + ' “' + el.textContent.trim().slice(0, 40) + '”');
      }
    }
  }
  const skip = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'OPTION', 'TEXTAREA', 'TITLE']);
  const range = document.createRange();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || skip.has(el.tagName) || !/[\p{L}\p{N}]{2}/u.test(node.data)) continue;
    if (!el.checkVisibility({visibilityProperty: true}) || inScroller(el, true)) continue;
    for (const token of node.data.matchAll(/\S+/g)) {
      // An address, e-mail or identifier may break where it must.
      if (token[0].length > longest || /@|:\/\//.test(token[0])) continue;
      for (const word of token[0].matchAll(/[\p{L}\p{N}]{2,}/gu)) {
        const start = token.index + word.index;
        range.setStart(node, start);
        range.setEnd(node, start + word[0].length);
        const rects = [...range.getClientRects()].filter(r => r.width > 0 && r.height > 0);
        result.words += 1;
        if (rects.some(r => Math.abs(r.top - rects[0].top) > rects[0].height / 2)) {
          result.broken.push('“' + token[0] + '” in ' + describe(el));
        }
      }
    }
  }
  result.links = [...document.querySelectorAll('main a[href]')]
    .filter(a => a.origin === location.origin).map(a => a.pathname + a.search);
  return result;
}"""


@dataclass
class Crawl:
    page: Page
    shots: Path | None = None
    pages: int = 0
    words: int = 0
    broken: list[str] = field(default_factory=list)
    scrolls: list[str] = field(default_factory=list)

    def visit(self, path: str, *, status: int = 200) -> list[str]:
        """Open the page and look at it at both widths; the links in its main content."""
        response = self.page.goto(self.page.base_url + path)
        assert response.status == status, f"{path}: {response.status}"
        return self.look(path)

    def look(self, label: str) -> list[str]:
        """Look at the page now shown at both widths (the current one first, to resize once)."""
        self.pages += 1
        current = self.page.viewport_size["width"]
        links = []
        for width in sorted(WIDTHS, key=lambda w: w != current):
            if width != current:
                self.page.set_viewport_size({"width": width, "height": 900})
            seen = self.page.evaluate(LOOK, LONGEST_UNBROKEN)
            self.words += seen["words"]
            self.broken += [f"{label} at {width} px: {word}" for word in seen["broken"]]
            if seen["scrollWidth"] > width + 1:
                wide = "; ".join(seen["wide"][:3])
                self.scrolls.append(f"{label} at {width} px: {seen['scrollWidth']} px ({wide})")
            if self.shots:
                name = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-") or "start"
                shot = self.shots / f"{self.pages:03}-{name}-{width}.png"
                self.page.screenshot(path=shot, full_page=True)
            links = seen["links"]
        return links

    def spread(self, start: str, within: str, limit: int = MAX_PAGES_PER_PLAN) -> None:
        """Every page reachable by links from `start` whose path begins with `within`."""
        queue, seen = [start], set()
        while queue and len(seen) < limit:
            path = queue.pop(0)
            if path in seen:
                continue
            seen.add(path)
            for link in self.visit(path):
                if link.startswith(within) and not link.endswith(".pdf") and link not in seen:
                    queue.append(link)


def a_plan_of_each_state() -> list[tuple[Plan, Membership]]:
    """A plan of each state in the demo world, and one of a child and one of a protected
    identity, each with a caseworker of a unit that writes in it."""
    chosen: dict[str, tuple[Plan, Membership]] = {}
    plans = Plan.objects.select_related("person").order_by("person__family_name", "pk")
    for plan in plans:
        kinds = {plan.state, "child" if plan.person.is_child else "", "protected" if plan.person.protected_identity else ""}  # fmt: skip
        if kinds - {""} <= set(chosen):
            continue
        writer = (
            Membership.objects.filter(
                unit__participations__plan=plan,
                unit__participations__access=Participant.Access.EDIT,
                role=Membership.Role.CASEWORKER,
                is_active=True,
            )
            .select_related("user", "unit__organization")
            .order_by("user__username")
            .first()
        )
        if writer:
            for kind in kinds - {""}:
                chosen.setdefault(kind, (plan, writer))
    unique = {plan.pk: (plan, writer) for plan, writer in chosen.values()}
    return sorted(unique.values(), key=lambda chosen: chosen[1].pk)


def log_in_as(page: Page, membership: Membership) -> None:
    user = membership.user
    several = user.memberships.filter(is_active=True).count() > 1
    unit = membership.unit
    staff_log_in(page, user.username, f"{unit.name}, {unit.organization.name}" if several else None)


def test_no_page_scrolls_sideways_or_breaks_a_word_at_320_or_1280_px(demo_world, page: Page):
    shots = os.environ.get("SAMPLAN_LAYOUT_SHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
    crawl = Crawl(page, Path(shots) if shots else None)
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})

    # Logged out: the logins and a page that does not exist.
    for path in ("/konto/logga-in/", "/min-sip/logga-in/", "/min-sip/logga-in/demo/"):
        crawl.visit(path)
    crawl.visit("/finns-inte/", status=404)

    # A caseworker with two units: the staff pages.
    staff_log_in(page, "anna.lind", unit=f"{UNIT}, Åsby kommun")
    for path in ("/", "/sip/", "/sip/ny/", "/individer/sok/", "/individer/registrera/"):
        crawl.visit(path)
    crawl.visit("/inkorg/")
    crawl.visit("/konto/enhet/")
    page.goto(page.base_url + "/individer/sok/")
    page.locator("#id_identity_number").fill(Plan.objects.first().person.identity_number)
    page.get_by_role("button", name="Sök", exact=True).click()
    crawl.look("/individer/sok/ (a person found)")
    crawl.visit(UNKNOWN_PLAN, status=404)
    crawl.visit("/inkorg/las/", status=405)

    # Every page of a plan in each state, as a caseworker of a unit that writes in it.
    chosen = a_plan_of_each_state()
    states = {plan.state for plan, _writer in chosen}
    assert len(states) >= 6 and "closed" in states, states
    acting = None
    for plan, writer in chosen:
        if writer != acting:
            log_in_as(page, writer)
            acting = writer
        crawl.spread(f"/sip/{plan.pk}/", within=f"/sip/{plan.pk}/")
        if plan.is_closed:  # a page that no longer takes changes, and a refused answer (403)
            crawl.visit(f"/sip/{plan.pk}/uppfoljning/", status=403)
            for meeting in plan.meetings.all()[:1]:
                answer = f"/sip/{plan.pk}/moten/{meeting.pk}/svar/"
                assert post_from_page(page, answer, {"person": str(plan.person_id)}).status == 403
                crawl.look("403")

    # A unit manager: the log review.
    manager = User.objects.get(username="sara.holm")
    staff_log_in(page, manager.username)
    for path in ("/", "/granskning/", "/granskning/utdrag/"):
        crawl.visit(path)

    # Min SIP: the individual, a guardian who is also an invited relative, and others.
    for name in ("Ulla Gustafsson", "Camilla Andersson", "Erik Andersson"):
        citizen_log_in(page, name)
        crawl.spread("/min-sip/", within="/min-sip/")
        crawl.visit("/inkorg/min-sip/")

    RESULTS.setdefault("layout", {"pages": 0, "broken": 0, "scrolls": 0})
    RESULTS["layout"]["pages"] += crawl.pages
    RESULTS["layout"]["broken"] += len(crawl.broken)
    RESULTS["layout"]["scrolls"] += len(crawl.scrolls)
    print(f"\n{crawl.pages} pages, {crawl.words} words looked at; plans: {sorted(states)}")
    assert crawl.pages > 60
    assert not crawl.broken, "\n".join(crawl.broken)
    assert not crawl.scrolls, "\n".join(crawl.scrolls)


def test_the_crawl_sees_a_word_broken_mid_word_and_a_page_too_wide(db, page: Page):
    """The check itself: a word forced to break, and a page wider than the screen."""
    page.set_viewport_size({"width": 320, "height": 600})
    page.set_content(
        '<main><p style="width: 6rem; overflow-wrap: anywhere">Biståndshandläggning</p>'
        '<p style="width: 6rem; overflow-wrap: break-word">Närvarade vid mötet</p>'
        '<p style="width: 6rem; overflow-wrap: break-word">anna.lind@exempel.invalid</p>'
        '<div style="width: 400px">x</div></main>'
    )
    seen = page.evaluate(LOOK, LONGEST_UNBROKEN)
    assert seen["broken"] == ["“Biståndshandläggning” in p"]
    assert seen["scrollWidth"] > 320 and seen["wide"] == ["div “x”"]
