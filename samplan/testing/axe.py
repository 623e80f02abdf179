"""Axe accessibility scans (WCAG 2.1 AA rules) of browser-test pages, and their totals in this
test run for pytest's terminal summary."""

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

AXE_RESULTS = {"pages": 0, "violations": 0}


WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def scan(page: Page) -> None:
    """Run axe on the page; record and assert 0 violations."""
    results = Axe().run(page, options=WCAG_AA)
    violations = results.response["violations"]
    AXE_RESULTS["pages"] += 1
    AXE_RESULTS["violations"] += len(violations)
    details = [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in violations]
    assert not violations, f"{page.url}: {details}"
    assert page.evaluate("document.documentElement.lang") == "sv"
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
