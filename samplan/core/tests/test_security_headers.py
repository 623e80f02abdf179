"""Every HTML page carries the security headers, and no template needs an unsafe CSP.

The page walk loads the demo world, logs in through the login form as a member of the unit
that sees most SIPs, and requests every route (each SIP's pages with a real id), then does
the same in the admin as a system administrator.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

from samplan.accounts.models import Membership, Unit
from samplan.conftest import login
from samplan.core.tests.test_deny_by_default import ROUTES, example_path
from samplan.demo.world import DEMO_PASSWORD
from samplan.plans.access import plans_of_unit

UUID = "00000000-0000-4000-8000-000000000001"


def assert_security_headers(response, path: str) -> None:
    where = f"{path} ({response.status_code})"
    csp = response["Content-Security-Policy"]
    for header in ("Content-Security-Policy", "Content-Security-Policy-Report-Only"):
        value = response.get(header, "")
        assert "'unsafe-inline'" not in value and "'unsafe-eval'" not in value, where
    assert "frame-ancestors 'none'" in csp, where
    assert response["X-Content-Type-Options"] == "nosniff", where
    assert response["Referrer-Policy"] == "same-origin", where
    assert "no-store" in response["Cache-Control"], where


def get_html(client, paths) -> dict[str, int]:
    """GET each path, check every HTML answer; return the statuses of the HTML answers."""
    statuses = {}
    for path in paths:
        response = client.get(path)
        if response.get("Content-Type", "").startswith("text/html"):
            assert_security_headers(response, path)
            statuses[path] = response.status_code
    return statuses


@pytest.fixture
def demo_world(db):
    call_command("load_demo", quiet_logins=True)


def test_every_html_page_for_a_logged_in_user_has_the_security_headers(client, demo_world):
    unit = max(Unit.objects.all(), key=lambda u: plans_of_unit(u).count())
    # One plan in each state: the busy demo unit has forty, whose pages differ only by state.
    plans = list({plan.state: plan for plan in plans_of_unit(unit).order_by("pk")}.values())
    assert plans
    member = Membership.objects.filter(unit=unit, is_active=True).first().user
    response = client.post(
        "/konto/logga-in/", {"username": member.username, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    client.post("/konto/enhet/", {"unit": unit.pk})

    paths = []
    for route, _name in ROUTES:
        if route.startswith("admin/"):
            continue
        path = example_path(route)
        if UUID in path:
            paths += [path.replace(UUID, str(plan.pk)) for plan in plans]
        else:
            paths.append(path)
    statuses = get_html(client, paths)
    ok = [path for path, status in statuses.items() if status == 200]
    assert "/" in ok and "/sip/" in ok and "/individer/sok/" in ok
    assert sum(str(plans[0].pk) in path for path in ok) >= 5  # a SIP's own pages were seen


def test_every_admin_page_has_the_security_headers(client, adam):
    login(client, adam)
    paths = [reverse("admin:index")]
    for model in admin.site._registry:
        opts = model._meta
        paths.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        paths.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    statuses = get_html(client, paths)
    assert statuses[reverse("admin:index")] == 200
    assert list(statuses.values()).count(200) >= len(admin.site._registry)


def test_the_login_page_and_the_lockout_page_have_the_security_headers(client, alice):
    assert_security_headers(client.get("/konto/logga-in/"), "login")
    for _ in range(5):
        response = client.post("/konto/logga-in/", {"username": "alice", "password": "x"})
    assert response.status_code == 429
    assert_security_headers(response, "lockout")


# --- Templates: nothing that style-src 'self' or script-src 'self' + nonce would block. ---

TEMPLATE_DIRS = [Path(settings.BASE_DIR) / "templates"] + sorted(
    Path(settings.BASE_DIR, "samplan").glob("*/templates")
)
# Templates rendered to PDF by WeasyPrint are never sent to a browser; they carry their own CSS.
PDF_TEMPLATES = {"plan_pdf.html", "invitation_pdf.html", "report_pdf.html"}
TEMPLATES = sorted(
    path
    for root in TEMPLATE_DIRS
    for path in root.rglob("*.html")
    if path.name not in PDF_TEMPLATES
)
TAG = re.compile(r"<[a-zA-Z][^>]*>", re.DOTALL)
PROBLEMS = {
    "inline <script>": lambda tag: re.match(r"<script\b", tag, re.I) and "src=" not in tag,
    "inline event handler": lambda tag: re.search(r"\son[a-z]+\s*=", tag, re.I),
    "style attribute": lambda tag: re.search(r"\sstyle\s*=", tag, re.I),
    "<style> element": lambda tag: re.match(r"<style\b", tag, re.I),
    "javascript: URL": lambda tag: re.search(r"=\s*[\"']?\s*javascript:", tag, re.I),
}


def test_there_are_templates_to_scan():
    assert len(TEMPLATES) > 20


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(settings.BASE_DIR)))
def test_no_template_has_inline_script_event_handlers_or_styles(template):
    found = [
        f"{kind}: {tag[:80]}"
        for tag in TAG.findall(template.read_text(encoding="utf-8"))
        for kind, check in PROBLEMS.items()
        if check(tag)
    ]
    assert not found, found
