"""`make bench`: every page measured against the floor view, on the national-scale world.

How (docs/performance.md): gunicorn is started as in production (2 sync workers, DEBUG off)
on the database in DATABASE_URL; real users log in through the login form; each page is
requested interleaved with the floor view (a signed-in page with one query), so that both
see the same machine at the same moment. A page's figures are the median over three rounds
of its p50, p95 and ratio (page p50 / floor p50). A page is over budget when, at concurrency
1, its p95 exceeds 100 ms or its ratio exceeds 3.

The benchmark only reads (it posts searches, which change nothing but the access log).
"""

import contextlib
import http.client
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.db.models import Count, Q
from django.test import RequestFactory
from django.urls import reverse

BUDGET_P95_MS = 100.0
BUDGET_RATIO = 3.0
ROUNDS = 3
STAFF_PASSWORD = "samplan-skala"


# --- HTTP --------------------------------------------------------------------------------


@dataclass
class Session:
    """One browser: its cookies, talking to the server over plain HTTP (the proxy's side)."""

    host: str
    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    location: str = ""

    def request(self, method: str, path: str, data: dict | None = None) -> tuple[int, bytes]:
        body = urllib.parse.urlencode(data or {}, doseq=True) if method == "POST" else None
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            content = response.read()
            self.location = response.getheader("Location", "")
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, content
        finally:
            conn.close()

    def form_post(self, path: str, data: dict) -> tuple[int, bytes]:
        """POST with the CSRF token of the cookie (Django accepts it unmasked)."""
        if "csrftoken" not in self.cookies:
            self.request("GET", reverse("accounts:login"))
        return self.request(
            "POST", path, {**data, "csrfmiddlewaretoken": self.cookies["csrftoken"]}
        )


def staff_session(host: str, port: int, username: str, unit_id: int | None = None) -> Session:
    """Log in through the login form, and choose the acting unit if asked to."""
    session = Session(host, port)
    session.request("GET", reverse("accounts:login"))
    status, _body = session.form_post(
        reverse("accounts:login"), {"username": username, "password": STAFF_PASSWORD}
    )
    if status != 302:
        raise RuntimeError(f"login as {username} failed with HTTP {status}")
    if unit_id is not None:
        session.form_post(reverse("accounts:choose_unit"), {"unit": unit_id})
    status, _body = session.request("GET", reverse("core:floor"))
    if status != 200:
        raise RuntimeError(f"{username} is not signed in (floor answered {status})")
    return session


def citizen_session(host: str, port: int, person) -> Session:
    """A Min SIP session made the way the login does (citizen_login), without an e-ID broker."""
    from samplan.people.session import citizen_login

    request = RequestFactory().get("/")
    request.session = SessionStore()
    citizen_login(request, person, method="bench", acr="bench")
    request.session.save()
    session = Session(host, port, {settings.SESSION_COOKIE_NAME: request.session.session_key})
    status, _body = session.request("GET", reverse("citizen:home"))
    if status != 200:
        raise RuntimeError(f"the Min SIP session does not work (HTTP {status})")
    return session


# --- What is measured --------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    name: str
    who: str  # the key of the session in the sessions dict
    method: str
    path: str
    data: dict | None = None


def pages_of_the_world() -> tuple[list[Page], dict[str, tuple]]:
    """The pages and who requests them, found in the generated world through the ORM."""
    from samplan.accounts.models import Membership, User
    from samplan.people.models import Person
    from samplan.plans import access
    from samplan.plans.models import Plan

    def member(username: str) -> Membership:
        user = User.objects.get(username=username)
        return user.memberships.filter(is_active=True).select_related("unit").first()

    normal, heavy, manager = member("skala.normal"), member("skala.tung"), member("skala.chef")
    visible = access.plans_of_unit(normal.unit).filter(state=Plan.State.ACTIVE)
    plan = (
        visible.annotate(n_versions=Count("versions"), n_meetings=Count("meetings"))
        .filter(n_versions__gte=2, n_meetings__gte=1)
        .order_by("pk")
        .first()
    ) or visible.order_by("pk").first()
    if plan is None:
        raise RuntimeError("skala.normal sees no established plan: generate the world again")
    meeting = plan.meetings.order_by("-starts_at").first()
    versions = list(plan.versions.order_by("number").values_list("number", flat=True))
    big = (
        Plan.objects.annotate(goals_count=Count("goals"))
        .filter(goals_count__gte=30)
        .order_by("pk")
        .first()
    )
    big_who = None
    if big is not None:
        for who, membership in (("normal", normal), ("heavy", heavy)):
            if access.plans_of_unit(membership.unit).filter(pk=big.pk).exists():
                big_who = who
    person = _min_sip_person(Person, Plan)
    child_or_relative_plan = access.plans_visible_to(_citizen(person)).exclude(person=person)
    own_plan = Plan.objects.filter(person=person).order_by("pk").first()
    sample = plan.person
    p = reverse
    heavy_surname = (
        access.plans_of_unit(heavy.unit)
        .order_by("pk")
        .values_list("person__family_name", flat=True)
    ).first() or "Andersson"
    pages = [
        Page("start page", "normal", "GET", p("start")),
        Page("worklist, normal unit", "normal", "GET", p("plans:worklist")),
        Page("worklist, heavy unit", "heavy", "GET", p("plans:worklist")),
        Page("worklist, heavy unit, page 3", "heavy", "GET", p("plans:worklist") + "?sida=3"),
        Page(
            "worklist, heavy unit, state established (active)",
            "heavy",
            "GET",
            p("plans:worklist") + "?state=active",
        ),
        Page(
            "worklist, heavy unit, overdue", "heavy", "GET", p("plans:worklist") + "?flag=overdue"
        ),
        Page(
            "worklist, heavy unit, due soon", "heavy", "GET", p("plans:worklist") + "?flag=due_soon"
        ),
        Page(
            "worklist, heavy unit, meetings", "heavy", "GET", p("plans:worklist") + "?flag=meetings"
        ),
        Page(
            "worklist, heavy unit, waiting", "heavy", "GET", p("plans:worklist") + "?flag=waiting"
        ),
        Page(
            "worklist, heavy unit, search by name",
            "heavy",
            "POST",
            p("plans:worklist"),
            {"query": heavy_surname},
        ),
        Page("plan overview", "normal", "GET", p("plans:overview", args=[plan.pk])),
        Page("plan content", "normal", "GET", p("plans:content", args=[plan.pk])),
        Page("meetings", "normal", "GET", p("plans:meetings", args=[plan.pk])),
        Page("versions", "normal", "GET", p("plans:versions", args=[plan.pk])),
        Page("history", "normal", "GET", p("plans:history", args=[plan.pk])),
        Page("consent", "normal", "GET", p("plans:consent", args=[plan.pk])),
        Page(
            "person search",
            "normal",
            "POST",
            p("people:search"),
            {"identity_number": sample.identity_number},
        ),
        Page("inbox", "normal", "GET", p("notifications:inbox")),
        Page("log review", "manager", "GET", p("audit:review")),
        Page("PDF copy", "normal", "GET", p("plans:pdf", args=[plan.pk])),
        Page("Min SIP home", "citizen", "GET", p("citizen:home")),
    ]
    if meeting is not None:
        pages.append(
            Page(
                "meeting mode",
                "normal",
                "GET",
                p("plans:meeting_mode", args=[plan.pk, meeting.pk]),
            )
        )
    if len(versions) >= 2:
        pages.append(
            Page(
                "version comparison",
                "normal",
                "GET",
                p("plans:versions", args=[plan.pk]) + f"?a={versions[0]}&b={versions[-1]}",
            )
        )
    if big_who is not None:
        pages.append(
            Page("plan content, 30 goals", big_who, "GET", p("plans:content", args=[big.pk]))
        )
        pages.append(
            Page("plan overview, 30 goals", big_who, "GET", p("plans:overview", args=[big.pk]))
        )
    if own_plan is not None:
        pages.append(Page("Min SIP plan", "citizen", "GET", p("citizen:plan", args=[own_plan.pk])))
        pages.append(
            Page("Min SIP PDF copy", "citizen", "GET", p("citizen:pdf", args=[own_plan.pk]))
        )
    if child_or_relative_plan.exists():
        other = child_or_relative_plan.order_by("pk").first()
        pages.append(
            Page(
                "Min SIP plan, a child's or relative's",
                "citizen",
                "GET",
                p("citizen:plan", args=[other.pk]),
            )
        )
    whom = {
        "normal": ("staff", "skala.normal", normal.unit_id),
        "heavy": ("staff", "skala.tung", heavy.unit_id),
        "manager": ("staff", "skala.chef", manager.unit_id),
        "citizen": ("citizen", person),
    }
    pages += _statistics_pages(member, whom)
    return pages, whom


def _statistics_pages(member, whom: dict) -> list[Page]:
    """The figures: the unit manager's unit, the organisation analyst's whole organisation and
    the joint-area analyst's joint area (in worlds built before the analysts, the first only)."""
    from samplan.accounts.models import User

    p = reverse
    pages = [
        Page("statistics, unit manager's unit", "manager", "GET", p("statistics:index")),
        Page(
            "statistics chart, unit manager's unit",
            "manager",
            "GET",
            p("statistics:chart", args=["by_month"]),
        ),
        Page("evaluation results, unit", "manager", "GET", p("evaluation:results")),
    ]
    for who, username in (("analyst", "skala.analytiker"), ("joint", "skala.samverkan")):
        if User.objects.filter(username=username).exists():
            whom[who] = ("staff", username, member(username).unit_id)
    if "analyst" in whom:
        pages += [
            Page("statistics, organisation analyst", "analyst", "GET", p("statistics:index")),
            Page(
                "statistics export, organisation (XLSX)",
                "analyst",
                "GET",
                p("statistics:export", args=["xlsx"]),
            ),
            Page("evaluation results, organisation", "analyst", "GET", p("evaluation:results")),
        ]
    if "joint" in whom:
        pages.append(Page("statistics, joint area", "joint", "GET", p("statistics:index")))
    return pages


def _citizen(person):
    from samplan import policy

    return policy.Citizen(person=person)


def _min_sip_person(Person, Plan):
    """The well-known individual of the generated world: own plans, a guarded child's plan and
    an invitation as a relative. Falls back to the person with the most plans."""
    from samplan.people.models import Relation

    guardian_ids = Relation.objects.filter(kind=Relation.Kind.GUARDIAN).values("related_id")
    guardians = Person.objects.filter(
        Q(pk__in=Plan.objects.values("person_id")) & Q(pk__in=guardian_ids)
    )
    found = guardians.annotate(n=Count("plans")).order_by("-n", "pk").first()
    if found is None:
        found = Person.objects.annotate(n=Count("plans")).order_by("-n", "pk").first()
    return found


# --- The server -------------------------------------------------------------------------


@contextlib.contextmanager
def gunicorn(port: int, workers: int = 2) -> Iterator[None]:
    """gunicorn as in production: sync workers, DEBUG off, the same database, and the
    background worker beside it."""
    env = {
        **os.environ,
        "SAMPLAN_ENV": "production",
        # The benchmark's own process signs the Min SIP sessions it makes: the same key.
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "PYTHONUNBUFFERED": "1",
    }
    gunicorn_bin = Path(sys.executable).with_name("gunicorn")
    subprocess.run(  # noqa: S603 - as a release does, with the production settings
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        env=env,
        cwd=settings.BASE_DIR,
        check=True,
    )
    process = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [
            str(gunicorn_bin),
            "samplan.wsgi",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "300",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=settings.BASE_DIR,
    )
    # The worker runs beside it as in production: it seals the access log the pages write
    # (every second), which the log review and the sealed-day counts rely on.
    worker = subprocess.Popen(  # noqa: S603 - our own worker, fixed arguments
        [sys.executable, "manage.py", "run_worker"],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", reverse("core:health"))
                if conn.getresponse().status == 200:
                    break
            time.sleep(0.3)
        else:
            raise RuntimeError("gunicorn did not answer within 60 seconds")
        yield
    finally:
        for child in (process, worker):
            child.send_signal(signal.SIGTERM)
        for child in (process, worker):
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()


# --- Measuring ----------------------------------------------------------------------------


@dataclass
class Figures:
    p50: float
    p95: float
    floor: float
    ratio: float
    queries: int | None = None

    @property
    def over(self) -> bool:
        return self.p95 > BUDGET_P95_MS or self.ratio > BUDGET_RATIO


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def _timed(session: Session, page: Page) -> float:
    start = time.perf_counter()
    status, _body = session.request(page.method, page.path, _with_csrf(session, page))
    if page.method == "POST" and status == 302:  # a search answers as a GET page
        status, _body = session.request("GET", session.location)
    elapsed = (time.perf_counter() - start) * 1000
    if status != 200:
        raise RuntimeError(f"{page.name}: HTTP {status} for {page.method} {page.path}")
    return elapsed


def _with_csrf(session: Session, page: Page) -> dict | None:
    if page.method != "POST":
        return None
    return {**(page.data or {}), "csrfmiddlewaretoken": session.cookies.get("csrftoken", "")}


def measure(
    page: Page,
    sessions: Callable[[str, int], Session],
    floor: Page,
    *,
    requests: int,
    concurrency: int,
) -> tuple[list[float], list[float]]:
    """`requests` page requests per client, each followed by a floor request, from
    `concurrency` clients at once. Returns the page's and the floor's times (ms)."""
    page_times: list[float] = []
    floor_times: list[float] = []
    lock = threading.Lock()
    errors: list[Exception] = []

    def client(index: int) -> None:
        session = sessions(page.who, index)
        mine_page, mine_floor = [], []
        try:
            for _ in range(requests):
                mine_page.append(_timed(session, page))
                mine_floor.append(_timed(sessions(floor.who, index), floor))
        except Exception as error:  # noqa: BLE001 - reported by the caller
            errors.append(error)
        with lock:
            page_times.extend(mine_page)
            floor_times.extend(mine_floor)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return page_times, floor_times


def figures_of(rounds: list[tuple[list[float], list[float]]]) -> Figures:
    """The median over the rounds of p50, p95, the floor's p50 and the ratio."""
    p50s, p95s, floors, ratios = [], [], [], []
    for page_times, floor_times in rounds:
        p50, floor = percentile(page_times, 0.5), percentile(floor_times, 0.5)
        p50s.append(p50)
        p95s.append(percentile(page_times, 0.95))
        floors.append(floor)
        ratios.append(p50 / floor if floor else float("inf"))
    return Figures(
        p50=statistics.median(p50s),
        p95=statistics.median(p95s),
        floor=statistics.median(floors),
        ratio=statistics.median(ratios),
    )


def queries_of(page: Page, whom: dict) -> int:
    """How many queries the page makes, counted in this process through the test client."""
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    kind, *rest = whom[page.who]
    client = Client()
    if kind == "staff":
        username, unit_id = rest
        client.post(reverse("accounts:login"), {"username": username, "password": STAFF_PASSWORD})
        client.post(reverse("accounts:choose_unit"), {"unit": unit_id})
    else:
        from samplan.people.session import citizen_login

        request = RequestFactory().get("/")
        request.session = SessionStore()
        citizen_login(request, rest[0], method="bench", acr="bench")
        request.session.save()
        client.cookies[settings.SESSION_COOKIE_NAME] = request.session.session_key
    call = client.post if page.method == "POST" else client.get
    with CaptureQueriesContext(connection) as captured:
        response = call(page.path, page.data or {}, follow=page.method == "POST")
    if response.status_code != 200:
        return -1
    return len(captured)


def line(name: str, figures: Figures) -> str:
    queries = "" if figures.queries is None else f", queries {figures.queries}"
    return (
        f"bench: {name} p50 {figures.p50:.1f} ms, p95 {figures.p95:.1f} ms, "
        f"floor {figures.floor:.1f} ms, ratio {figures.ratio:.2f}{queries}"
    )


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
