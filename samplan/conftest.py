"""The shared cast for tests: two principals and another actor, their units and staff.

Alice works at the municipality's needs assessment, Bob at the region's primary care centre,
Carl in two units of the municipality, Mona is unit manager, Adam is a system administrator.
"""

import datetime
import os
import shutil

import pytest
from django.core.management import call_command
from django.db import connections
from django.utils import timezone, translation
from playwright.sync_api import sync_playwright

from samplan.accounts.models import Membership, Organization, Unit, User
from samplan.people import identity
from samplan.people.models import Person, Relation
from samplan.testing.axe import AXE_RESULTS
from samplan.testing.cast import (  # noqa: F401 - tests import some of them from here
    CASEWORKER,
    PASSWORD,
    Sip,
    login,
    make_person,
    make_unit,
    make_user,
)
from samplan.testing.world import RESULTS


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Close connections after each request, so the live server leaves none behind."""
    from django.db import connections

    for connection in connections.all():
        connection.settings_dict["CONN_MAX_AGE"] = 0


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def municipality(db) -> Organization:
    return Organization.objects.create(
        name="Testby kommun",
        kind="municipality",
        organization_number="212000-0142",
        municipality_code="0180",
    )


@pytest.fixture
def region(db) -> Organization:
    return Organization.objects.create(
        name="Region Test", kind="region", organization_number="232100-0016"
    )


@pytest.fixture
def needs_assessment(municipality) -> Unit:
    return make_unit(municipality, "Biståndshandläggning", Unit.Kind.NEEDS_ASSESSMENT)


@pytest.fixture
def social_psychiatry(municipality) -> Unit:
    return make_unit(municipality, "Socialpsykiatri", Unit.Kind.SOCIAL_PSYCHIATRY)


@pytest.fixture
def primary_care(region) -> Unit:
    return make_unit(region, "Vårdcentralen", Unit.Kind.PRIMARY_CARE)


@pytest.fixture
def alice(needs_assessment) -> User:
    return make_user("alice", (needs_assessment, Membership.Role.CASEWORKER))


@pytest.fixture
def bob(primary_care) -> User:
    return make_user("bob", (primary_care, Membership.Role.CASEWORKER))


@pytest.fixture
def carl(needs_assessment, social_psychiatry) -> User:
    return make_user(
        "carl",
        (needs_assessment, Membership.Role.CASEWORKER),
        (social_psychiatry, Membership.Role.CASEWORKER),
    )


@pytest.fixture
def mona(needs_assessment) -> User:
    return make_user("mona", (needs_assessment, Membership.Role.UNIT_MANAGER))


@pytest.fixture
def adam(db) -> User:
    return make_user("adam", is_superuser=True, is_staff=True)


@pytest.fixture
def person(db) -> Person:
    number = identity.parse_identity_number("19811218-9876")
    return Person.objects.create(
        identity_kind=number.kind,
        identity_number=number.value,
        birth_date=number.birth_date,
        given_name="Eva",
        family_name="Exempel",
        street_address="Hemliga gatan 1",
        postal_code="111 11",
        city="Stockholm",
        phone="070-111 11 11",
    )


# The summary lines the suite prints (read by people and by CI), from samplan.testing.world.RESULTS.
SUMMARY_LINES = (
    ("matrix", "permission matrix: {cases} cases, {mismatches} mismatches"),
    ("items", "item visibility: {cases} cases, {mismatches} mismatches"),
    ("fuzz", "form fuzz: {cases} requests, {mismatches} server errors"),
    ("errors", "form errors: {cases} forms, {mismatches} not tied"),
    ("fuzz_errors", "form fuzz errors: {cases} forms, {mismatches} not tied"),
    ("once", "double submit: {cases} forms, {mismatches} duplicates"),
    ("baselines", "query baselines: {cases} pages, {mismatches} over"),
    ("statistics", "statistics: {cases} indicators checked, {mismatches} wrong"),
    ("fhir", "fhir: {cases} resources validated, {mismatches} invalid"),
    ("api_fuzz", "api fuzz: {cases} requests, {mismatches} server errors"),
    ("layout", "layout crawl: {pages} pages, {broken} broken words, {scrolls} horizontal scrolls"),
)


def pytest_terminal_summary(terminalreporter):
    from django.conf import settings

    vendor = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    terminalreporter.write_line(f"database: {vendor}")
    if AXE_RESULTS["pages"]:
        terminalreporter.write_line(
            f"axe: {AXE_RESULTS['pages']} pages, {AXE_RESULTS['violations']} violations"
        )
    for name, line in SUMMARY_LINES:
        if name in RESULTS:
            terminalreporter.write_line(line.format(**RESULTS[name]))


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture
def demo_world(transactional_db, settings):
    """The demo world (make run's) without the busy unit's caseload, for browser tests against
    the live server: the named individuals' SIPs cover every state, in a tenth of the time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo", quiet_logins=True, without_caseload=True)


@pytest.fixture
def page(live_server, monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are safe.
    # Only for this test: subprocesses of later tests must not inherit it.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    assert os.path.exists(CHROMIUM), "Debian's chromium is missing: run `make test`"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(locale="sv-SE")
        page = context.new_page()
        page.base_url = live_server.url
        yield page
        browser.close()
        # Playwright's greenlet gives this test its own database connection: close it too.
        connections.close_all()


@pytest.fixture
def messages_in_english():
    """The source messages are English: service tests assert on them whatever the Swedish
    catalogue says. Not autouse, so that view tests in this folder keep their Swedish."""
    with translation.override("en"):
        yield


# --- The rest of the cast -------------------------------------------------------------------


@pytest.fixture
def agency(db) -> Organization:
    return Organization.objects.create(
        name="Försäkringskassan", kind="other", organization_number="202100-5521"
    )


@pytest.fixture
def social_insurance(agency) -> Unit:
    return make_unit(agency, "Lokalkontoret", Unit.Kind.SOCIAL_INSURANCE)


@pytest.fixture
def frida(social_insurance):
    return make_user("frida", (social_insurance, CASEWORKER))


@pytest.fixture
def psychiatry(region) -> Unit:
    return make_unit(region, "Psykiatriska kliniken", Unit.Kind.PSYCHIATRIC_CLINIC)


@pytest.fixture
def olle(psychiatry):
    return make_user("olle", (psychiatry, CASEWORKER))


@pytest.fixture
def relative(person) -> Person:
    erik = make_person("19790402", "123", "Erik", "Exempel")
    Relation.objects.create(person=person, related=erik, kind="relative", description="bror")
    return erik


@pytest.fixture
def guardians(db) -> list[Person]:
    return [
        make_person("19850612", "234", "Maja", "Barnsson"),
        make_person("19830917", "345", "Jonas", "Barnsson"),
    ]


@pytest.fixture
def child(guardians) -> Person:
    born = timezone.localdate() - datetime.timedelta(days=8 * 365)
    elsa = make_person(born.strftime("%Y%m%d"), "456", "Elsa", "Barnsson")
    for guardian, description in zip(guardians, ["mamma", "pappa"], strict=True):
        Relation.objects.create(
            person=elsa, related=guardian, kind="guardian", description=description
        )
    return elsa


@pytest.fixture
def sip(
    alice,
    bob,
    frida,
    needs_assessment,
    primary_care,
    social_insurance,
    municipality,
    region,
    agency,
    person,
) -> Sip:
    # Named here, not fetched with request.getfixturevalue(): pytest-django sets up the test
    # database only for tests that ask for `db` statically; otherwise they reach var/db.sqlite3.
    return Sip(**locals())
