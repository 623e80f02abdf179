"""Form fuzz: every form answers malformed input with a 4xx, a redirect or the form again,
never with a server error.

The demo world is loaded; staff (caseworkers whose units see plans in every state, a unit
manager, an organisation's administrator, the system administrator), citizens (an individual
with an invited relative, one asked to approve a new version, a guardian who is also a relative)
and an anonymous visitor each crawl their pages, a few per route and plan. Every form found
(method post) and every route that takes a POST is a target; its fields come from the page, so a
new form is fuzzed without changing this test. The inputs the penetration test reported go first
(`reported_inputs`); then, up to at least 10,000 requests: random and huge values, Unicode
digits and letters, NUL and zero-width characters, lists where one value is expected, missing
and duplicated fields, malformed bodies and bad `next` values. Each runs inside a savepoint that
is rolled back, and the client's cookies are put back, so every request meets the same world.
No answer may be a server error, and no redirect may leave the site. A form shown again with
errors must tie every message to its field (`aria-describedby`) and every summary link to an
element that is there.

The totals are printed in pytest's terminal summary: `form fuzz: N requests, M server errors`
and `form fuzz errors: N forms, M not tied` (the browser test test_browser_form_errors prints
`form errors: …` for every form sent empty and with an impossible date).
"""

import os
import random
import re
import time
import traceback
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.core.management import call_command
from django.core.signals import got_request_exception
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve

from samplan.accounts.middleware import ACTING_UNIT_SESSION_KEY
from samplan.accounts.models import User
from samplan.people.models import Person
from samplan.people.session import CITIZEN_SESSION_KEY
from samplan.plans.models import Plan
from samplan.testing.world import (
    PARAMETER_RE,
    allowed_methods,
    record_results,
    stand_in_for_pdfs,
    url_patterns,
)

SEED = 20261204
REQUESTS = int(os.environ.get("FUZZ_REQUESTS", "10000"))
PAGES_PER_ACTOR = 250
PAGES_PER_KIND = 2  # pages opened per route and plan: the same form, but the state may differ
SHOWN = 20

UNICODE_DIGITS = ["²", "٣", "߁", "１２", "௫", "½", "Ⅻ", "𝟗"]
NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\u200b",
    "\u200b1\u200b",
    "\ufeff",
    "\u202e19811218-9876",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%00",
    "../../etc/passwd",
    "-1",
    "0",
    "1e309",
    "NaN",
    "99999999999999999999999999",
    "-99999999999999999999",
    "9223372036854775808",
    "2147483648",
    "9999-12-31",
    "0000-00-00",
    "2026-02-30",
    "31/12/2026",
    "9999-12-31T23:59",
    "1900-01-01T00:00",
    "00000000-0000-0000-0000-000000000000",
    "not-a-uuid",
    "19811218-9876",
    "true",
    "null",
    "{}",
    "[]",
    "åäö ÅÄÖ é ü ß ø",
    "😀" * 3,
]
BAD_NEXT = [
    "javascript:alert(1)",
    "//evil.example",
    "\\\\evil.example",
    "/\\evil.example",
    "https://evil.example/",
    "%00",
    "foo:bar",
    "foo",
    "plans:worklist",
    "start",
    "\x00/",
    "/" + "a" * 5000,
    "/min-sip/\u200b",
    "http://testserver/../",
]
RAW_BODIES = [
    (b'--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1', "multipart/form-data"),
    (b"garbage", "multipart/form-data; boundary=x"),
    (b"--x\r\nContent-Disposition: form-data\r\n\r\n\r\n--x--", "multipart/form-data; boundary=x"),
    (b"%%%%&&&===%zz", "application/x-www-form-urlencoded"),
    (b"a=%ff%fe%00&b=%c3%28", "application/x-www-form-urlencoded"),
    (b'{"unit": [1, 2], "next": {"a": 1}}', "application/x-www-form-urlencoded"),
    (b'{"unit": [1, 2]}', "application/json"),
    (b"\x00\x01\x02\xff" * 100, "application/octet-stream"),
    (b"a=" + b"x" * 200_000, "application/x-www-form-urlencoded"),
]
GENERIC_FIELDS = ["next", "person", "response", "remove", "notification", "all", "unit", "step"]


# --- Finding the forms -----------------------------------------------------------------------


@dataclass
class Field:
    name: str
    values: list = field(default_factory=list)  # values seen on the page (options, defaults)


@dataclass
class Target:
    actor: str
    path: str
    fields: dict  # name -> Field


class FormParser(HTMLParser):
    """The post forms of a page: action and fields with the values the page offers."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, dict]] = []
        self._current: dict | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._current = {}
            self.forms.append((attrs.get("action") or "", self._current))
        elif self._current is None:
            return
        elif tag in ("input", "textarea", "select", "button") and attrs.get("name"):
            name = attrs["name"]
            if name == "csrfmiddlewaretoken":
                return
            entry = self._current.setdefault(name, Field(name))
            if attrs.get("value") is not None:
                entry.values.append(attrs["value"])
            if tag == "select":
                self._select = name
        elif tag == "option" and self._select and attrs.get("value") is not None:
            self._current[self._select].values.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None
        elif tag == "select":
            self._select = None


LINK_RE = re.compile(r'href="(/[^"#?]*)"')


def page_kind(path: str) -> tuple:
    """Pages of one route show the same forms, except that the plan's state changes which."""
    try:
        match = resolve(path)
    except Resolver404:
        return (path, "")
    return (match.route, str(match.kwargs.get("plan_id", "")))


def crawl(client: Client, actor: str, start: list[str], prefixes: tuple) -> dict:
    """GET pages breadth-first from `start`, within `prefixes`, a few per route and plan;
    return path -> Target."""
    targets: dict = {}
    seen, queue, kinds = set(), list(start), {}
    while queue and len(seen) < PAGES_PER_ACTOR:
        path = queue.pop(0)
        if path in seen or not path.startswith(prefixes) or path.endswith(".pdf"):
            continue
        seen.add(path)
        kind = page_kind(path)
        if kinds.get(kind, 0) >= PAGES_PER_KIND:
            continue
        kinds[kind] = kinds.get(kind, 0) + 1
        response = client.get(path)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        parser = FormParser()
        parser.feed(html)
        for action, fields in parser.forms:
            target = targets.setdefault(action or path, Target(actor, action or path, {}))
            for name, found in fields.items():
                target.fields.setdefault(name, Field(name)).values.extend(found.values)
        queue.extend(link for link in LINK_RE.findall(html) if link not in seen)
    return targets


def post_routes(actor: str, plan_ids: list, prefixes: tuple) -> dict:
    """Every route that takes a POST, filled in with the actor's plans and small ids, so
    routes without a form on any page (or with parameters) are fuzzed too."""
    targets = {}
    for route, _namespace, _name, callback in url_patterns():
        if "POST" not in allowed_methods(callback):
            continue
        names = [m["name"] for m in PARAMETER_RE.finditer(route)]
        for plan_id in plan_ids[:2] if "plan_id" in names else [None]:
            path = "/" + route
            for name in names:
                value = plan_id if name == "plan_id" else 1
                path = re.sub(r"<(?:[^>:]+:)?" + name + ">", str(value), path)
            if "<" not in path and path.startswith(prefixes):
                targets[path] = Target(actor, path, {n: Field(n) for n in GENERIC_FIELDS})
    return targets


# --- Making bad input ------------------------------------------------------------------------


def bad_value(rng: random.Random, seen: list) -> object:
    roll = rng.random()
    if seen and roll < 0.25:
        value = rng.choice(seen)
        return value + rng.choice(UNICODE_DIGITS + ["\x00", "\u200b", "x"])
    if roll < 0.45:
        return rng.choice(NASTY)
    if roll < 0.6:
        return "".join(rng.choice(UNICODE_DIGITS) for _ in range(rng.randint(1, 6)))
    if roll < 0.7:
        return rng.choice(["x", "9", "å", "\u200b"]) * rng.choice([151, 256, 1001, 100_000])
    if roll < 0.8:
        return [rng.choice(NASTY) for _ in range(rng.randint(2, 4))]  # a list for one value
    if roll < 0.9:
        return "".join(chr(rng.randint(1, 0x2FFF)) for _ in range(rng.randint(1, 40)))
    return str(rng.randint(-(2**70), 2**70))


def bad_data(rng: random.Random, target: Target) -> dict:
    data = {}
    for name, found in target.fields.items():
        roll = rng.random()
        if roll < 0.1:
            continue  # missing
        if roll < 0.35 and found.values:
            data[name] = rng.choice(found.values)  # a value the page offered
        elif roll < 0.45 and found.values:
            data[name] = rng.sample(found.values, min(len(found.values), 2)) * 2  # duplicated
        else:
            data[name] = bad_value(rng, found.values)
    if rng.random() < 0.3:
        data["next"] = rng.choice(BAD_NEXT)
    if rng.random() < 0.05:
        data[rng.choice(NASTY) or "x"] = rng.choice(NASTY)  # a field nobody asked for
    return data


# --- The actors ------------------------------------------------------------------------------


def staff(username: str) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(username=username))
    units = list(User.objects.get(username=username).active_memberships())
    if units:
        client.post("/konto/enhet/", {"unit": units[0].unit_id})
    return client


def citizen(person: Person) -> Client:
    client = Client(raise_request_exception=False)
    session = client.session
    now = int(time.time())
    session[CITIZEN_SESSION_KEY] = {
        "person": str(person.pk),
        "method": "test",
        "acr": "",
        "at": now,
        "seen": now,
    }
    session.save()
    client.cookies["sessionid"] = session.session_key
    return client


def demo_person(given_name: str) -> Person:
    return Person.objects.get(given_name=given_name)


def actors() -> list[tuple[str, Client, list[str], tuple]]:
    """(label, client, start pages, path prefixes the actor's crawl stays within).

    Between them the staff's units see the demo plans in every state (initiated, consent
    recorded, invited, established, under follow-up, revised, closed, withdrawn). Erik has
    invited his sister Camilla, who is also Elias's guardian; Ulla is asked to approve a new
    version.
    """
    staff_prefixes = ("/",)
    min_sip = ("/min-sip/", "/inkorg/min-sip/")
    return [
        ("caseworker", staff("anna.lind"), ["/", "/sip/", "/sip/ny/", "/inkorg/"], staff_prefixes),
        ("caseworker, Norrby", staff("fatima.hassan"), ["/sip/"], ("/sip/",)),
        ("caseworker, ward", staff("karin.ek"), ["/sip/"], ("/sip/",)),
        (
            "nurse, ward",
            staff("hanna.wik"),
            ["/utskrivning/", "/utskrivning/ny/"],
            ("/utskrivning/",),
        ),
        ("home care", staff("lena.ahmadi"), ["/utskrivning/"], ("/utskrivning/",)),
        ("unit manager", staff("sara.holm"), ["/", "/granskning/"], staff_prefixes),
        ("organisation administrator", staff("ingrid.falk"), ["/admin/"], ("/admin/",)),
        ("system administrator", staff("admin"), ["/admin/"], ("/admin/",)),
        ("individual", citizen(demo_person("Erik")), ["/min-sip/", "/inkorg/min-sip/"], min_sip),
        ("individual, new version", citizen(demo_person("Ulla")), ["/min-sip/"], min_sip),
        ("guardian and relative", citizen(demo_person("Camilla")), ["/min-sip/"], min_sip),
        (
            "anonymous",
            Client(raise_request_exception=False),
            ["/konto/logga-in/", "/admin/login/", "/min-sip/logga-in/"],
            ("/konto/", "/admin/login/", "/min-sip/logga-in/"),
        ),
    ]


# --- What the penetration test reported ------------------------------------------------------


def reported_inputs(clients: dict) -> list[tuple[Client, str, dict]]:
    """The inputs that gave server errors in the penetration test (docs/security.md, finding 6), on the
    routes it named: every one is sent, before the random ones."""
    erik = Plan.objects.get(person__given_name="Erik")
    meeting = erik.meetings.filter(invitees__person__isnull=False).first()
    participant = erik.participants.first()
    caseworker, manager = clients["caseworker"], clients["unit manager"]
    individual, anonymous = clients["individual"], clients["anonymous"]
    unit = caseworker.session[ACTING_UNIT_SESSION_KEY]
    plan = f"/sip/{erik.pk}"
    inputs = []
    for bad_next in BAD_NEXT:  # a `next` that is not a path on this site
        inputs += [
            (caseworker, "/konto/enhet/", {"unit": unit, "next": bad_next}),
            (caseworker, f"{plan}/kontaktperson/{participant.pk}/", {"next": bad_next}),
            (caseworker, f"{plan}/moten/{meeting.pk}/svar/", {"response": "x", "next": bad_next}),
        ]
    for digits in UNICODE_DIGITS:  # digits to str.isdigit() that int() refuses
        inputs += [
            (caseworker, "/inkorg/las/", {"notification": digits}),
            (individual, "/inkorg/min-sip/las/", {"notification": digits}),
            (
                manager,
                "/granskning/",
                {"sample_ids": f"1,{digits}", "conclusion": "Ok", "days": 30},
            ),
        ]
    for value in ["not-a-uuid", "²", "1", "\x00", "0" * 100]:  # ids that are not UUIDs
        inputs += [
            (caseworker, f"{plan}/moten/{meeting.pk}/svar/", {"person": value, "response": "x"}),
            (individual, f"/min-sip/{erik.pk}/narstaende/", {"remove": value}),
        ]
    inputs.append((caseworker, f"{plan}/samtycke/", {"units": [unit, str(2**70)]}))  # overflow
    for path in ("/konto/logga-in/", "/admin/login/"):  # longer than the lockout table's column
        inputs.append((anonymous, path, {"username": "a" * 300, "password": "x"}))
    return inputs


SUMMARY_RE = re.compile(r'<div class="error-summary".*?</div>', re.S)


def untied_errors(html: str) -> list[str]:
    """What a screen reader would miss on a form shown again with errors: a field's message
    that no control's `aria-describedby` names, or a summary link to an id that is not there."""
    ids = set(re.findall(r'\sid="([^"]+)"', html))
    described = {
        part for value in re.findall(r'aria-describedby="([^"]+)"', html) for part in value.split()
    }
    problems = [
        f"message {eid} is tied to no field"
        for eid in re.findall(r'class="field__error" id="([^"]+)"', html)
        if eid not in described
    ]
    for summary in SUMMARY_RE.findall(html):
        problems += [
            f"summary link #{target} leads nowhere"
            for target in re.findall(r'href="#([^"]*)"', summary)
            if target not in ids
        ]
    return problems


def leaves_the_site(response) -> bool:
    """A redirect to another site: another host, a scheme such as javascript:, or a path that
    browsers read as a host (//evil, /\\evil). A relative one ("foo") stays on the site."""
    location = response.get("Location", "").strip()
    parts = urlsplit(location)
    if parts.scheme not in ("", "http", "https") or parts.netloc not in ("", "testserver"):
        return True
    return location.replace("\\", "/").startswith("//")


# --- The test --------------------------------------------------------------------------------


def test_no_form_answers_malformed_input_with_a_server_error(db, settings, monkeypatch):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    stand_in_for_pdfs(monkeypatch)
    call_command("load_demo", quiet_logins=True)
    rng = random.Random(SEED)  # noqa: S311 - reproducible fuzzing, not a secret
    plan_ids = [str(pk) for pk in Plan.objects.order_by("pk").values_list("pk", flat=True)]

    started = time.perf_counter()
    targets: list[tuple[Client, Target]] = []
    clients = {}
    for label, client, start, prefixes in actors():
        clients[label] = client
        found = crawl(client, label, start, prefixes)
        if label in ("caseworker", "individual"):
            for path, target in post_routes(label, plan_ids, prefixes).items():
                found.setdefault(path, target)
        targets += [(client, t) for t in found.values() if not t.path.startswith("http")]
    assert len(targets) >= 40, [t.path for _c, t in targets]

    errors: list[str] = []

    def keep_traceback(sender, request=None, **kwargs):
        lines = traceback.format_exc().strip().splitlines()
        errors.append(f"{request.method} {request.path}: " + " | ".join(lines[-5:])[:600])

    got_request_exception.connect(keep_traceback, dispatch_uid="form-fuzz")
    if os.environ.get("FUZZ_TIMING"):
        print(f"fuzz crawl: {time.perf_counter() - started:.1f} s, {len(targets)} targets")
    reported = reported_inputs(clients)
    server_errors, statuses, not_swedish, open_redirects = [], {}, [], []
    shown_with_errors: set[str] = set()
    not_tied: dict[str, list[str]] = {}
    try:
        for number in range(max(REQUESTS, len(reported))):
            if number < len(reported):
                client, path, data = reported[number]
                target = Target("reported", path, {})
            else:
                client, target = targets[number % len(targets)]
                data = bad_data(rng, target)
            cookies = client.cookies
            client.cookies = type(cookies)(cookies)
            with transaction.atomic():
                if number >= len(reported) and rng.random() < 0.08:
                    body, content_type = rng.choice(RAW_BODIES)
                    response = client.generic("POST", target.path, body, content_type)
                else:
                    response = client.post(target.path, data)
                transaction.set_rollback(True)
            client.cookies = cookies
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            if response.status_code >= 500:
                server_errors.append(
                    f"{target.actor}: POST {target.path} -> {response.status_code}"
                )
            elif leaves_the_site(response):
                open_redirects.append(
                    f"{target.actor}: POST {target.path} -> {response['Location']}"
                )
            elif (
                400 <= response.status_code < 500
                and "html" in response.get("Content-Type", "")
                and 'lang="sv"' not in response.content.decode(errors="replace")
            ):
                not_swedish.append(f"{target.actor}: POST {target.path}")
            elif response.status_code == 400 and "html" in response.get("Content-Type", ""):
                html = response.content.decode(errors="replace")
                if SUMMARY_RE.search(html):
                    form = re.sub(r"/[0-9a-f-]{36}/|/\d+/", "/*/", target.path)
                    shown_with_errors.add(form)
                    if problems := untied_errors(html):
                        not_tied.setdefault(form, problems)
    finally:
        got_request_exception.disconnect(dispatch_uid="form-fuzz")

    sent = sum(statuses.values())
    record_results("fuzz", cases=sent, mismatches=len(server_errors))
    record_results("fuzz_errors", cases=len(shown_with_errors), mismatches=len(not_tied))
    distinct: dict = {}
    for error in errors:
        where, _sep, detail = error.partition(": ")
        pattern = re.sub(r"/[0-9a-f-]{36}/|/\d+/", "/*/", where)
        distinct.setdefault((pattern, detail.rsplit(" | ", 1)[-1].split(":")[0]), error)
    shown = "\n".join(sorted(distinct.values())[:SHOWN])
    assert not server_errors, f"{len(server_errors)} server errors, distinct:\n{shown}"
    assert not not_swedish, sorted(set(not_swedish))[:SHOWN]
    assert not open_redirects, sorted(set(open_redirects))[:SHOWN]
    assert not not_tied, sorted(not_tied.items())[:SHOWN]
    assert len(shown_with_errors) >= 15, sorted(shown_with_errors)
    assert sent >= REQUESTS
    assert statuses.get(200, 0) + statuses.get(302, 0) + statuses.get(400, 0) > 0
