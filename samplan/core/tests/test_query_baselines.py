"""Per-page query baselines (as NetBox keeps them): a page that starts to ask the database more,
or asks more the more data there is (an N+1), fails here before it is slow in production.

The pages are found from the URL resolver: every route outside the admin that is not public
(login, health, language) and that answers a GET with 200, staff pages as a writing caseworker
of a unit that takes part (the access-log review as that unit's manager), Min SIP pages (a
route with "min-sip/" in it) as the individual. Routes that answer a GET with 405 are POST-only
and left out; so is the staff logout, which must never be fetched (it would end the session).
The PDF copies (plans:pdf, citizen:pdf) are included: they answer 200 and read the same data
as the pages; WeasyPrint is replaced by a stand-in, which asks the database nothing.

Each page is fetched once to warm the per-process caches, then once more while the queries
are counted; first in a small world, then after adding five more of everything the pages list
(goals, interventions, meetings, consents, versions, plans of the unit and of the individual,
messages, requests to take part, notifications, log reviews, ...). A page fails when its count
is above its baseline, or when it asks more in the bigger world. A count below the baseline
passes: lower it with QUERY_BASELINES_UPDATE=1, which rewrites the file instead of failing.

The baselines are in query_baselines.json, one number per page (URL name) and database vendor:
PostgreSQL asks a little more (the advisory lock before each access-log append). Update the
file on both (DATABASE_URL=postgres://...): a page missing from the file or named in it but no
longer a page fails too. The terminal summary says `query baselines: N pages, M over`, where M
counts the pages that failed here. Pages that grow with data today are listed in KNOWN_GROWTH
with the cause: they are reported as warnings until fixed.

The counts are exact from run to run: the staff session's clock stands still and the Min SIP
session is marked seen before each page, so no "last seen" write falls into a count; the world
is built the same way each time; the access-log review's random sample has a fixed size.
"""

import datetime
import json
import os
import time
import warnings
from pathlib import Path

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from samplan import policy
from samplan.accounts import middleware
from samplan.accounts.models import Membership, Organization, Unit
from samplan.audit.models import AccessLogEntry, AccessReview
from samplan.audit.services import access_log_append
from samplan.conftest import make_unit, make_user
from samplan.deviations import services as deviation_services
from samplan.discharge import services as discharge_services
from samplan.evaluation.models import EvaluationRequest
from samplan.people.models import Relation
from samplan.people.session import CITIZEN_SESSION_KEY
from samplan.plans import services
from samplan.plans.models import Plan, PlanVersion, RelativeAccess
from samplan.policy import Citizen
from samplan.statistics import services as statistics_services
from samplan.testing.cast import Sip, fresh, in_days, make_person, soon, staff
from samplan.testing.world import (
    NEVER_GET,
    PARAMETER_RE,
    record_results,
    staff_client,
    stand_in_for_pdfs,
    url_patterns,
)

BASELINES = Path(__file__).with_name("query_baselines.json")
UPDATE = os.environ.get("QUERY_BASELINES_UPDATE") == "1"
MORE = 5  # how many more of each thing the bigger world has
# Pages that ask more with more data today: N+1s this test found, to be fixed in the views and
# templates. They are exempt from the growth check only (their baseline still holds), each run
# warns about them, and the test fails once one of them stops growing, so that its entry goes.
KNOWN_GROWTH: dict[str, str] = {}
SECTIONS = list(RelativeAccess.Section.values)


# --- The world ------------------------------------------------------------------------------


class World:
    """Eva's plan awaiting her approval of version 2 (a writer's every page answers 200), with
    a booked follow-up meeting, a message from Min SIP, a request to take part and an invited
    relative; Sven's closed plan; Eva's child's new plan. Alice, a caseworker at the needs
    assessment, is the plan's lead; Mona manages that unit."""

    def __init__(
        self, *, alice, bob, mona, person, municipality, region, needs_assessment, primary_care
    ):
        agency = Organization.objects.create(
            name="Försäkringskassan", kind="other", organization_number="202100-5521"
        )
        social_insurance = make_unit(agency, "Lokalkontoret", Unit.Kind.SOCIAL_INSURANCE)
        self.sip = Sip(
            alice=alice,
            bob=bob,
            frida=make_user("frida", (social_insurance, Membership.Role.CASEWORKER)),
            needs_assessment=needs_assessment,
            primary_care=primary_care,
            social_insurance=social_insurance,
            municipality=municipality,
            region=region,
            agency=agency,
            person=person,
        )
        self.alice, self.mona, self.eva, self.unit = alice, mona, person, needs_assessment
        self.serial = 100  # for the identity numbers of the people made here
        sip = self.sip

        self.plan = sip.to("revision")
        erik = self.relative()
        sip.consent(self.plan, relatives=[erik])
        services.relative_access_grant(
            actor=Citizen(person=person), plan=self.plan, relative=erik, sections=SECTIONS
        )
        self.meeting = self.follow_up_meeting(days=30)
        self.message = services.citizen_message_send(
            actor=Citizen(person=person), plan=self.plan, kind="comment", text="Tack för senast"
        )
        self.join_request = self.outsider_asks()
        self.closed = sip.to("closed", person=self.adult("Sven", "Svensson"))
        self.child_plan()
        self.review()
        needs_assessment.receives_requests = True  # it gets the requests for a SIP
        needs_assessment.save(update_fields=["receives_requests"])
        self.sip_request = self.someone_asks()
        # A hospital ward's admission whose notices reach the needs assessment (Alice's unit).
        self.ward = make_unit(region, "Avdelning 7", Unit.Kind.HOSPITAL_WARD)
        self.nurse = make_user("nina", (self.ward, Membership.Role.CASEWORKER))
        self.admission = self.admitted()
        # A collaboration failure Alice reports about Eva's plan (the learning page counts it).
        self.deviation = self.failure_reported()
        # The plan went through a follow-up on its way to revision: Eva and Alice were asked.
        asked = EvaluationRequest.objects.filter(plan=self.plan)
        self.evaluation = asked.filter(user=alice).first() or asked.filter(user__isnull=False)[0]
        self.citizen_evaluation = asked.get(person=person, occasion="follow_up")

    # Helpers that add one of something (the bigger world calls them again).

    def born(self, years: int) -> str:
        return (timezone.localdate() - datetime.timedelta(days=years * 365 + 40)).strftime("%Y%m%d")

    def next_serial(self) -> str:
        self.serial += 1
        return f"{self.serial:03d}"

    def adult(self, given: str, family: str = "Exempel"):
        return make_person(self.born(40), self.next_serial(), given, family)

    def relative(self):
        relative = self.adult("Anhörig")
        Relation.objects.create(
            person=self.eva, related=relative, kind="relative", description="bror"
        )
        return relative

    def follow_up_meeting(self, days: int):
        """A booked follow-up meeting; the acting unit and Eva are invited (inbox items)."""
        sip = self.sip
        return sip.invite(
            self.plan,
            kind="follow_up",
            starts_at=soon() + datetime.timedelta(days=days),
            invited_units=[(self.unit, "digital"), (sip.primary_care, "written")],
        )

    def outsider_asks(self):
        """A unit that does not see Eva's plan takes the initiative: a request to take part."""
        n = self.next_serial()
        unit = make_unit(self.sip.region, f"Psykiatri {n}", Unit.Kind.PSYCHIATRIC_CLINIC)
        user = make_user(f"psykiater{n}", (unit, Membership.Role.CASEWORKER))
        request = services.plan_initiate(
            actor=staff(user, unit), person=self.eva, reasons=[Plan.Reason.SEVERAL_UNITS]
        )
        assert not isinstance(request, Plan)
        return request

    def child_plan(self, consent: bool = False):
        """A new plan for one of Eva's children: the unit's worklist and Eva's Min SIP list it."""
        child = make_person(self.born(8), self.next_serial(), "Barn", "Exempel")
        Relation.objects.create(
            person=child, related=self.eva, kind="guardian", description="mamma"
        )
        plan = self.sip.initiate(child)
        if consent:
            self.sip.consent(plan, given_by="guardians", guardians=[self.eva])
        return plan

    def admitted(self):
        return discharge_services.admission_register(
            actor=staff(self.nurse, self.ward),
            person=self.adult("Inlagd"),
            admitted_on=timezone.localdate(),
            expected_needs="Hemtjänst",
            units=[self.unit, self.sip.primary_care],
        )

    def failure_reported(self):
        deviation = deviation_services.deviation_report(
            actor=staff(self.alice, self.unit),
            kind="invitation_unanswered",
            what_happened="Kallelsen besvarades inte",
            happened_on=timezone.localdate(),
            consequence="Mötet sköts upp",
            units=[self.sip.primary_care],
            plan=self.plan,
        )
        deviation_services.deviation_comment(
            actor=staff(self.mona, self.unit), deviation=deviation, text="Vi tar det"
        )
        return deviation

    def someone_asks(self):
        """Someone without a SIP asks for one in Min SIP (to the municipality)."""
        from samplan.citizen import services as citizen_services

        asker = self.adult("Frågar")
        return citizen_services.sip_request_send(
            actor=Citizen(person=asker),
            person=asker,
            organizations=[self.unit.organization],
            text="Jag vill ha en SIP",
            contact_way="phone",
            contact_detail="070-111 11 11",
        )

    def review(self):
        now = timezone.now()
        AccessReview.objects.create(
            unit=self.unit,
            reviewer=self.mona,
            period_start=now - datetime.timedelta(days=30),
            period_end=now,
            conclusion="Inga avvikelser",
        )

    def grow(self):
        """Five more of everything the pages list, through the services where they exist."""
        sip, plan, alice = self.sip, self.plan, self.alice
        as_alice = sip.as_alice
        services.version_approval_record(**as_alice, plan=plan, approved=True, method="digital")
        units = [
            make_unit(sip.municipality, f"Hemtjänst {n}", Unit.Kind.HOME_CARE) for n in range(MORE)
        ]
        for unit in units:  # the unit choice lists more units
            Membership.objects.create(user=alice, unit=unit, role=Membership.Role.CASEWORKER)
        for n in range(MORE):
            sip.goal(plan, text=f"Mål {n}", term="short")
            organization, unit = [
                (sip.municipality, sip.needs_assessment),
                (sip.region, sip.primary_care),
                (sip.agency, sip.social_insurance),
            ][n % 3]
            sip.intervention(plan, organization, unit, f"Insats {n}")
            self.follow_up_meeting(days=40 + n)
        relatives = []
        for n in range(MORE):  # each consent adds a unit that takes part and a relative
            relatives.append(self.relative())
            sip.consent(plan, units=[*sip.scope, *units[: n + 1]], relatives=relatives)
            services.relative_access_grant(
                actor=Citizen(person=self.eva),
                plan=fresh(plan),
                relative=relatives[-1],
                sections=SECTIONS,
            )
            services.citizen_message_send(
                actor=Citizen(person=self.eva), plan=fresh(plan), kind="change", text=f"Ändra {n}"
            )
            self.outsider_asks()
            self.someone_asks()
            self.admitted()
            self.failure_reported()
            self.child_plan(consent=n % 2 == 0)
            self.review()
            services.closing_notices_record(**as_alice, plan=self.closed, units=[units[n]])
        for n in range(MORE):  # five more versions; the last awaits approval again
            if n:
                services.version_approval_record(
                    **as_alice, plan=plan, approved=True, method="phone"
                )
            sip.follow_up(fresh(plan), decision="revise", next_follow_up=in_days(100 + n))
        # Reads of other individuals by the unit, one of them protected (the review flags it).
        people = [self.adult(f"Läst {n}") for n in range(MORE)]
        people[0].protected_identity = True
        people[0].save()
        access_log_append(
            [
                AccessLogEntry(
                    action="people:search",
                    user=alice,
                    unit=self.unit,
                    organization=self.unit.organization,
                    person=someone,
                    object_type="person",
                    object_id=str(someone.pk),
                )
                for someone in people
            ]
        )
        assert fresh(plan).state == Plan.State.REVISION
        assert plan.versions.count() == 2 + MORE

    def ids(self) -> dict:
        """The values of the URL parameters (every page of Eva's plan but the closing notices,
        which are about a closed plan)."""
        plan = self.plan
        return {
            "plan_id": plan.pk,
            "goal_id": plan.goals.order_by("pk").first().pk,
            "intervention_id": plan.interventions.order_by("pk").first().pk,
            "participant_id": plan.participants.get(unit=self.unit).pk,
            "meeting_id": self.meeting.pk,
            "number": plan.versions.get(approval=PlanVersion.Approval.APPROVED).number,
            "request_id": self.join_request.pk,
            "message_id": self.message.pk,
            "sip_request_id": self.sip_request.pk,
            "person_id": self.eva.pk,
            "admission_id": self.admission.pk,
            "deviation_id": self.deviation.pk,
            "fmt": "json",
            "evaluation_id": self.evaluation.pk,
            "citizen_evaluation_id": self.citizen_evaluation.pk,
            "chart": "by_month",
        }


def citizen_client(person) -> Client:
    """A client logged in to Min SIP (the login itself is tested in samplan/citizen)."""
    client = Client()
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
    return client


def citizen_seen_now(client: Client) -> None:
    """Min SIP writes "last seen" to the session once a minute: mark it seen now, so that no
    write falls into a count."""
    session = client.session
    session[CITIZEN_SESSION_KEY] = {**session[CITIZEN_SESSION_KEY], "seen": int(time.time())}
    session.save()


# --- The pages ------------------------------------------------------------------------------


def pages(ids: dict, closed_plan_id) -> tuple[dict, list[str]]:
    """key -> (who, path) for every non-public route outside the admin, and the routes whose
    parameters the world has no value for."""
    found, unfillable = {}, []
    for route, namespace, name, view in url_patterns():
        key = f"{namespace}:{name}" if namespace else name
        # The APIs (samplan.api: REST and FHIR) answer bearer tokens, not the pages' session.
        if namespace in {"admin", "api", "fhir"} or policy.is_public(view) or key in NEVER_GET:
            continue
        read = (policy.route_actions(view) or ("", ""))[0]
        names = [m["name"] for m in PARAMETER_RE.finditer(route)]
        if not set(names) <= set(ids):
            unfillable.append(route)
            continue
        kwargs = {n: ids[n] for n in names}
        if read == "plan.inform":
            kwargs["plan_id"] = closed_plan_id
        who = "citizen" if "min-sip/" in route else "manager" if read == "log.review" else "staff"
        if read == "admission.register":
            who = "ward"  # only a hospital ward registers admissions
        if read in ("deviation.learn", "statistics.view", "evaluation.results"):
            who = "manager"  # the unit managers follow the figures
            if "fmt" in kwargs:
                kwargs["fmt"] = "csv"
        if key == "evaluation_citizen:answer":
            kwargs["evaluation_id"] = ids["citizen_evaluation_id"]
        found[key] = (who, reverse(key, kwargs=kwargs))
    return found, unfillable


def measure(found: dict, clients: dict) -> tuple[dict, dict, set]:
    """key -> queries of one GET after a warm-up GET; key -> (path, status) of the pages that
    did not answer 200 (405 excepted); the keys that answered 405."""
    counts, broken, post_only = {}, {}, set()
    for key, (who, path) in found.items():
        client = clients[who]
        if who == "citizen":
            citizen_seen_now(client)
        warm = client.get(path)
        if warm.status_code == 405:
            post_only.add(key)
            continue
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        if warm.status_code != 200 or response.status_code != 200:
            broken[key] = (path, warm.status_code, response.status_code)
            continue
        counts[key] = len(queries)
    return counts, broken, post_only


def read_baselines() -> dict:
    return json.loads(BASELINES.read_text()) if BASELINES.exists() else {}


def write_baselines(data: dict) -> None:
    BASELINES.write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


# --- The test -------------------------------------------------------------------------------


def test_no_page_asks_the_database_more_than_its_baseline_or_more_with_more_data(
    db, monkeypatch, alice, bob, mona, person, municipality, region, needs_assessment, primary_care
):
    stand_in_for_pdfs(monkeypatch)
    clock = int(time.time())  # the staff session's clocks stand still: no "last seen" writes
    monkeypatch.setattr(middleware, "now", lambda: clock)
    world = World(
        alice=alice,
        bob=bob,
        mona=mona,
        person=person,
        municipality=municipality,
        region=region,
        needs_assessment=needs_assessment,
        primary_care=primary_care,
    )
    clients = {
        "staff": staff_client(alice, needs_assessment),
        "manager": staff_client(mona, needs_assessment),
        "citizen": citizen_client(person),
        "ward": staff_client(world.nurse, world.ward),
    }
    statistics_services.facts_rebuild()  # the worker's figures, for the statistics pages
    found, unfillable = pages(world.ids(), world.closed.pk)
    assert not unfillable, f"routes with parameters the world cannot fill in: {unfillable}"

    small, broken, post_only = measure(found, clients)
    assert not broken, f"pages that do not answer a GET with 200 (path, warm-up, counted): {broken}"
    world.grow()
    statistics_services.facts_rebuild()
    found = {key: page for key, page in found.items() if key not in post_only}
    grown, broken, _post_only = measure(found, clients)
    assert not broken, f"pages that fail in the bigger world: {broken}"

    vendor = connection.vendor
    everything = read_baselines()
    baseline = everything.get(vendor, {})
    over = {
        key: f"{key}: {n} queries, baseline {baseline.get(key, 'missing (a new page?)')}"
        for key, n in small.items()
        if key not in baseline or n > baseline[key]
    }
    stale = {
        key: f"{key}: in the baselines, but no such GET page"
        for key in baseline.keys() - small.keys()
    }
    grows = {key for key in small if grown[key] > small[key]}
    growing = {
        key: f"{key}: {small[key]} queries, {grown[key]} with {MORE} more of everything"
        for key in grows - KNOWN_GROWTH.keys()
    }
    fixed = {
        key: f"{key}: in KNOWN_GROWTH, but "
        + ("it no longer grows" if key in small else "no such GET page")
        + ": remove it there"
        for key in KNOWN_GROWTH.keys() - grows
    }
    for key in sorted(grows & KNOWN_GROWTH.keys()):
        warnings.warn(
            f"known N+1: {key} asks {small[key]} queries, {grown[key]} with {MORE} more of "
            f"everything: {KNOWN_GROWTH[key]}",
            stacklevel=1,
        )
    if UPDATE:
        everything[vendor] = dict(small)
        write_baselines(everything)
        over, stale = {}, {}
    failing = over.keys() | stale.keys() | growing.keys() | fixed.keys()
    record_results("baselines", cases=len(small), mismatches=len(failing))
    problems = [*over.values(), *stale.values(), *growing.values(), *fixed.values()]
    assert not problems, (
        f"query counts on {vendor} (QUERY_BASELINES_UPDATE=1 rewrites {BASELINES.name}; "
        "growth with data is an N+1 to fix):\n" + "\n".join(sorted(problems))
    )
