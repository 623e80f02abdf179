"""No page, PDF or message of the demo world cites the repealed SoL paragraph: every plan in
it is current after 2025-07-01, when socialtjänstlagen (2025:400) replaced SoL (2001:453)."""

from types import SimpleNamespace

from django.core.management import call_command
from django.test import Client

from samplan.accounts.models import Membership
from samplan.demo.world import DEMO_PASSWORD, PEOPLE
from samplan.notifications.models import Notification
from samplan.plans.models import Plan
from samplan.testing.cast import citizen_client
from samplan.testing.world import (
    PlanObjects,
    crawl_staff_pages,
    staff_get_paths,
    stand_in_for_pdfs,
)

REPEALED = "2 kap. 7 §"


def staff_client(user, unit) -> Client:
    client = Client()
    client.post("/konto/logga-in/", {"username": user.username, "password": DEMO_PASSWORD})
    client.post("/konto/enhet/", {"unit": unit.pk})
    return client


def test_no_page_pdf_or_message_of_the_demo_world_cites_the_repealed_paragraph(
    db, monkeypatch, settings
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    stand_in_for_pdfs(monkeypatch)  # the PDF copies as their HTML, searchable
    call_command("load_demo", quiet_logins=True)
    # Every page of the oldest plan in each state, and of each named individual's plan: the
    # pages differ by the plan's state and dates, not by whose it is (the busy unit has forty).
    every = list(Plan.objects.select_related("person").order_by("-initiated_at"))
    named = {(p.given, p.family) for p in PEOPLE}
    oldest = {plan.state: plan for plan in every}.values()  # the last one of each state
    plans = [
        plan
        for plan in every
        if plan in oldest or (plan.person.given_name, plan.person.family_name) in named
    ]
    paths = staff_get_paths(
        SimpleNamespace(plans=plans), PlanObjects.load(plans), skip=("citizen",)
    )
    found, pages, citing = [], 0, 0

    def look(method, path, response):
        nonlocal pages, citing
        pages += 1
        citing += "HSL 16 kap. 4 §".encode() in response.content  # the citation is there
        if REPEALED.encode() in response.content:
            found.append(path)

    # Each plan's pages as a member of a unit that takes part in it (or initiated it).
    crawled = set()
    for plan in plans:
        unit_ids = [plan.initiating_unit_id, *plan.participants.values_list("unit_id", flat=True)]
        membership = Membership.objects.filter(unit_id__in=unit_ids, is_active=True).first()
        key = (membership.user_id, membership.unit_id)
        if key in crawled:
            continue
        crawled.add(key)
        crawl_staff_pages(staff_client(membership.user, membership.unit), paths, look)
    # Min SIP: every individual's pages and PDF copy.
    for plan in plans:
        client = citizen_client(plan.person)
        for suffix in ("", "vem-har-last/", "kopia.pdf"):
            path = f"/min-sip/{plan.pk}/{suffix}"
            look("GET", path, client.get(path))
        look("GET", "/min-sip/", client.get("/min-sip/"))

    messages = Notification.objects.filter(body__contains=REPEALED).values_list(
        "subject", flat=True
    )
    assert not found, found
    assert not list(messages)
    assert pages > 200 and citing > 200, (pages, citing)
