"""The permission matrix: the policy and the routes against an oracle written from the table.

The oracle below is written from the table in docs/security.md alone (it does not import
samplan.policy or samplan.plans.access) and reads the facts it needs straight from the
database: the plans' rows (`plan.view`, `plan.edit`, `plan.inform`) and the paragraph on the
Min SIP actions (`plan.approve`, `plan.comment`, `plan.manage`).

Every staff actor of a generated world (each user acting for each of his or her units, with
the membership's role) is checked against every plan for every action, and for every route of
one plan by method (GET uses the route's read action, POST its write action). The citizens
around each plan (the individual, guardians, representatives, relatives, and a few strangers)
are checked for every action. Then a sample of the staff cases goes through the real login, unit choice and
request (Min SIP's own routes need a citizen login and are left to its tests).

Collaboration failures are checked the same way against their own rows of the table
(`deviation.view`, `deviation.handle`, `deviation.reference`): every staff actor against every
report of the world, then a sample of actors (the reporters, the handlers, an escalation step's
member, unit managers of units a report does not concern) over HTTP on every route of one
report and on the list, and the individual is named there only to those the plans' table lets
see the plan.

The totals are printed in pytest's terminal summary: `permission matrix: N cases, M mismatches`.
"""

import datetime
import json
import random
import re
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from samplan import policy
from samplan.deviations.models import Deviation, DeviationEvent, DeviationReference
from samplan.deviations.services import individual_shown
from samplan.people.models import Relation
from samplan.plans.models import (
    Consent,
    EscalationStep,
    Intervention,
    Invitee,
    Participant,
    Plan,
    PlanEvent,
    RelativeAccess,
)
from samplan.testing.world import (
    PlanObjects,
    allowed_methods,
    build_world,
    plan_routes,
    plans_prefetched,
    record_results,
    staff_client,
    stand_in_for_pdfs,
    url_patterns,
)

SEED = 20250601
PLAN_ACTIONS = ("plan.view", "plan.edit", "plan.inform", "plan.respond", "plan.handle")
MIN_SIP_ACTIONS = ("plan.approve", "plan.comment", "plan.manage")
ACTIONS = PLAN_ACTIONS + MIN_SIP_ACTIONS
ALLOW, FORBIDDEN, NOT_FOUND = 200, 403, 404
ADULT_AGE = 18
BEFORE_CONSENT = {"initiated", "consent_refused"}
SHOWN = 20  # mismatches listed in a failure message


# --- The oracle: docs/security.md, "Plans" ---------------------------------------------------


@dataclass(frozen=True)
class StaffActor:
    user_id: int
    unit_id: int
    role: str


@dataclass(frozen=True)
class CitizenActor:
    person_id: object


@dataclass(frozen=True)
class PlanFacts:
    """What the table's rows talk about, read from the database without the application."""

    pk: object
    state: str
    person_id: object
    initiating_unit_id: int
    birth_date: datetime.date
    protected: bool
    participants: dict  # unit id -> (access, is_active)
    current_decision: str | None  # the latest consent's decision
    current_relatives: frozenset  # relatives covered by the latest consent
    guardian_ids: frozenset  # the individual's registered guardians
    relative_ids: frozenset  # the individual's registered relatives
    invited_ids: frozenset  # relatives with an active RelativeAccess (invited in Min SIP)
    representatives: dict  # person id -> [(access in Min SIP, valid until)] of god man etc.
    child_reads_from: int  # the local agreement's age from which a child reads the plan


def load_facts(plan_ids) -> dict:
    plan_ids = list(plan_ids)
    rows = Plan.objects.filter(pk__in=plan_ids).values_list(
        "pk",
        "state",
        "person_id",
        "initiating_unit_id",
        "person__birth_date",
        "person__protected_identity",
        "initiating_unit__organization__local_agreement__child_reads_from_age",
    )
    participants: dict = {}
    for plan_id, unit_id, access, active in Participant.objects.filter(
        plan_id__in=plan_ids
    ).values_list("plan_id", "unit_id", "access", "is_active"):
        participants.setdefault(plan_id, {})[unit_id] = (access, active)
    latest: dict = {}
    for plan_id, consent_id, number, decision in Consent.objects.filter(
        plan_id__in=plan_ids
    ).values_list("plan_id", "pk", "number", "decision"):
        if plan_id not in latest or number > latest[plan_id][1]:
            latest[plan_id] = (consent_id, number, decision)
    covered: dict = {}
    for consent_id, person_id in Consent.relatives.through.objects.filter(
        consent_id__in=[c for c, _n, _d in latest.values()]
    ).values_list("consent_id", "person_id"):
        covered.setdefault(consent_id, set()).add(person_id)
    rows = list(rows)
    invited: dict = {}
    for plan_id, relative_id in RelativeAccess.objects.filter(
        plan_id__in=plan_ids, revoked_at__isnull=True
    ).values_list("plan_id", "relative_id"):
        invited.setdefault(plan_id, set()).add(relative_id)
    relations: dict = {}
    representing: dict = {}
    for person_id, related_id, kind, min_sip, valid_until in Relation.objects.filter(
        person_id__in=[r[2] for r in rows]
    ).values_list("person_id", "related_id", "kind", "min_sip", "valid_until"):
        relations.setdefault((person_id, kind), set()).add(related_id)
        if kind in ("god_man", "forvaltare", "ombud"):
            mandates = representing.setdefault(person_id, {}).setdefault(related_id, [])
            mandates.append((min_sip, valid_until))
    facts = {}
    for pk, state, person_id, initiating_unit_id, birth_date, protected, reads_from in rows:
        consent_id, _number, decision = latest.get(pk, (None, None, None))
        facts[pk] = PlanFacts(
            pk=pk,
            state=state,
            person_id=person_id,
            initiating_unit_id=initiating_unit_id,
            birth_date=birth_date,
            protected=protected,
            participants=participants.get(pk, {}),
            current_decision=decision,
            current_relatives=frozenset(covered.get(consent_id, ())),
            guardian_ids=frozenset(relations.get((person_id, "guardian"), ())),
            relative_ids=frozenset(relations.get((person_id, "relative"), ())),
            child_reads_from=reads_from or 16,
            invited_ids=frozenset(invited.get(pk, ())),
            representatives=representing.get(person_id, {}),
        )
    return facts


def _row(view: int, edit: int, inform: int, respond: int, handle: int, min_sip: int) -> dict:
    return {
        "plan.view": view,
        "plan.edit": edit,
        "plan.inform": inform,
        "plan.respond": respond,
        "plan.handle": handle,
        **dict.fromkeys(MIN_SIP_ACTIONS, min_sip),
    }


# Staff who may view get 403 for the Min SIP actions ("they act through their own routes").
# Every unit that may view answers its own invitations; writing units handle Min SIP messages,
# also after closing.
WRITER_OPEN = _row(ALLOW, ALLOW, FORBIDDEN, ALLOW, ALLOW, FORBIDDEN)
WRITER_CLOSED = _row(ALLOW, FORBIDDEN, ALLOW, ALLOW, ALLOW, FORBIDDEN)
READER = _row(ALLOW, FORBIDDEN, FORBIDDEN, ALLOW, FORBIDDEN, FORBIDDEN)  # read-only unit
RELATIVE = _row(ALLOW, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN)  # may view
CITIZEN = _row(ALLOW, *[FORBIDDEN] * 4, ALLOW)  # the adult individual; a guardian who may view
# A child reading his or her own plan: may write a message, never approve or end it.
CHILD = {**_row(ALLOW, *[FORBIDDEN] * 5), "plan.comment": ALLOW}
NOTHING = _row(*[NOT_FOUND] * 6)
# A representative (god man, förvaltare, ombud) by the access the appointment gives in Min SIP:
# reads; reads and writes; reads, writes and answers new versions. Never manages the SIP.
REPRESENTATIVE = {
    "read": _row(ALLOW, *[FORBIDDEN] * 5),
    "write": {**_row(ALLOW, *[FORBIDDEN] * 5), "plan.comment": ALLOW},
    "answer": {**_row(ALLOW, *[FORBIDDEN] * 5), "plan.comment": ALLOW, "plan.approve": ALLOW},
}


def _age(born: datetime.date, today: datetime.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def oracle(actor, action: str, plan: PlanFacts, today: datetime.date | None = None) -> int:
    """The cell of the table for this actor, action and plan."""
    if isinstance(actor, StaffActor):
        return _staff_row(actor, plan)[action]
    if isinstance(actor, CitizenActor):
        return _citizen_row(actor, plan, today or timezone.localdate())[action]
    return NOTHING[action]  # anyone else


# Analysts read figures only: no plan, whatever their unit takes part in.
ANALYSTS = {"analyst", "joint_analyst"}
FIGURE_READERS = {"unit_manager"} | ANALYSTS


def _staff_row(actor: StaffActor, plan: PlanFacts) -> dict:
    # Unit managers and administrators: "as staff", the role gives nothing extra.
    if actor.role in ANALYSTS:
        return NOTHING
    if plan.state in BEFORE_CONSENT:
        return WRITER_OPEN if actor.unit_id == plan.initiating_unit_id else NOTHING
    access, active = plan.participants.get(actor.unit_id, (None, False))
    if not active:
        return NOTHING  # does not take part
    if access == "edit":
        return WRITER_CLOSED if plan.state == "closed" else WRITER_OPEN
    return READER


def _citizen_row(actor: CitizenActor, plan: PlanFacts, today: datetime.date) -> dict:
    person = actor.person_id
    if person == plan.person_id:
        age = _age(plan.birth_date, today)
        if age >= ADULT_AGE:
            return CITIZEN  # the individual, own plan, any state
        return CHILD if age >= plan.child_reads_from else NOTHING
    if (
        person in plan.guardian_ids
        and _age(plan.birth_date, today) < ADULT_AGE
        and not plan.protected
    ):
        return CITIZEN
    valid = [
        level
        for level, until in plan.representatives.get(person, ())
        if level in REPRESENTATIVE and (until is None or until >= today)
    ]
    if valid and not plan.protected:
        best = max(valid, key=list(REPRESENTATIVE).index)
        return REPRESENTATIVE[best]
    if (
        person in plan.relative_ids
        and plan.current_decision == "given"
        and person in plan.current_relatives
        and person in plan.invited_ids
        and plan.state != "closed"
        and not plan.protected
    ):
        return RELATIVE  # may view (the granted sections); 403 for the Min SIP actions
    return NOTHING


# --- The responsible unit's report on its own intervention (docs/security.md) ----------------


def load_interventions(plan_ids) -> dict:
    """Per plan: (intervention id, responsible unit id), and the latest consent's end date."""
    plan_ids = list(plan_ids)
    rows: dict = {pk: [] for pk in plan_ids}
    for plan_id, pk, unit_id in Intervention.objects.filter(plan_id__in=plan_ids).values_list(
        "plan_id", "pk", "unit_id"
    ):
        rows[plan_id].append((pk, unit_id))
    latest: dict = {}
    for plan_id, number, until in Consent.objects.filter(plan_id__in=plan_ids).values_list(
        "plan_id", "number", "valid_until"
    ):
        if plan_id not in latest or number > latest[plan_id][0]:
            latest[plan_id] = (number, until)
    return {pk: (rows[pk], latest.get(pk, (None, None))[1]) for pk in plan_ids}


def progress_oracle(
    actor: StaffActor, plan: PlanFacts, unit_id, valid_until, today: datetime.date
) -> int:
    """A unit that may view the plan reports the status of an intervention it is responsible
    for (reading the plan is enough) while the plan is open and its consent given and valid;
    anything else it may see is 403. (The generated world sets no consent limits.)"""
    if _staff_row(actor, plan)["plan.view"] != ALLOW:
        return NOT_FOUND
    _access, active = plan.participants.get(actor.unit_id, (None, False))
    allowed = (
        unit_id == actor.unit_id
        and active
        and plan.state not in BEFORE_CONSENT | {"closed"}
        and plan.current_decision == "given"
        and (valid_until is None or valid_until >= today)
    )
    return ALLOW if allowed else FORBIDDEN


# --- Helpers ---------------------------------------------------------------------------------


class Tally:
    """Counts the compared cases and keeps the mismatches (described only when shown)."""

    def __init__(self, world):
        self.world = world
        self.cases = 0
        self.mismatches: list[tuple] = []

    def check(self, expected, actual, who: str, what: str, facts: "PlanFacts") -> None:
        self.cases += 1
        agree = actual in expected if isinstance(expected, set) else actual == expected
        if not agree:
            self.mismatches.append((who, what, facts, expected, actual))

    def message(self) -> str:
        shown = "\n".join(
            f"  {who}, {what}: expected {expected}, got {actual}; "
            f"{describe_plan(self.world, facts) if isinstance(facts, PlanFacts) else facts}"
            for who, what, facts, expected, actual in self.mismatches[:SHOWN]
        )
        return f"{len(self.mismatches)} mismatches in {self.cases} cases:\n{shown}"


def describe_plan(world, facts: PlanFacts) -> str:
    notes = world.notes.get(facts.pk)
    participants = ", ".join(
        f"{unit}:{access}{'' if active else '(ended)'}"
        for unit, (access, active) in sorted(facts.participants.items())
    )
    return (
        f"plan {facts.pk} state={facts.state} initiating_unit={facts.initiating_unit_id} "
        f"participants=[{participants}] consent={facts.current_decision}"
        + (f" edge={notes}" if notes else "")
    )


def citizens_around(world, facts: PlanFacts, rng: random.Random, everyone: list) -> list:
    """The individual, the guardians, the representatives, the relatives, and a few people
    from elsewhere."""
    ids = {facts.person_id, *facts.guardian_ids, *facts.relative_ids, *facts.representatives}
    ids.update(p.pk for p in rng.sample(everyone, 2))
    return sorted(ids, key=str)


# --- The matrix ------------------------------------------------------------------------------


def test_the_policy_and_every_plan_route_agree_with_the_table_for_every_actor(db):
    world = build_world(seed=SEED)
    plans = plans_prefetched(world)
    facts = load_facts(p.pk for p in plans)
    people = {p.pk: p for p in world.persons}
    everyone = list(people.values())
    today = timezone.localdate()
    routes = plan_routes()
    route_actions = [(route, name, policy.route_actions(view)) for route, name, view in routes]
    assert len(routes) >= 15, routes
    unknown = {name: a for _r, name, a in route_actions if not a or not set(a) <= set(ACTIONS)}
    assert not unknown, f"plan routes with actions the table does not name: {unknown}"
    staff = [(StaffActor(u.pk, unit.pk, role), u, unit) for u, unit, role in world.staff_actors()]
    assert {a.role for a, _u, _n in staff} >= ANALYSTS, "the world has analysts"
    tally = Tally(world)

    for actor, user, unit in staff:
        subject = policy.Staff(user=user, unit=unit, role=actor.role)
        who = f"staff {user.username} acting for unit {unit.pk} ({actor.role})"
        for plan in plans:
            plan_facts = facts[plan.pk]
            for action in ACTIONS:
                tally.check(
                    oracle(actor, action, plan_facts, today),
                    policy.decide(subject, action, plan).value,
                    who,
                    action,
                    plan_facts,
                )
            for route, _name, (read, write) in route_actions:
                for method, action in (("GET", read), ("POST", write)):
                    tally.check(
                        oracle(actor, action, plan_facts, today),
                        policy.decide(subject, action, plan).value,
                        who,
                        f"{method} {route} ({action})",
                        plan_facts,
                    )

    rng = random.Random(SEED)  # noqa: S311
    for plan in plans:
        plan_facts = facts[plan.pk]
        for person_id in citizens_around(world, plan_facts, rng, everyone):
            actor = CitizenActor(person_id)
            subject = policy.Citizen(person=people[person_id])
            for action in ACTIONS:
                tally.check(
                    oracle(actor, action, plan_facts, today),
                    policy.decide(subject, action, plan).value,
                    f"citizen {person_id} ({_relation(plan_facts, person_id)})",
                    action,
                    plan_facts,
                )
    items = load_interventions(p.pk for p in plans)
    of_plan = {plan.pk: list(plan.interventions.all()) for plan in plans}
    for plan in plans:
        for intervention in of_plan[plan.pk]:
            intervention.plan = plan  # with the participants and consents the policy reads
    for actor, user, unit in staff:
        subject = policy.Staff(user=user, unit=unit, role=actor.role)
        for plan in plans:
            rows, valid_until = items[plan.pk]
            for intervention in of_plan[plan.pk]:
                unit_id = dict(rows)[intervention.pk]
                tally.check(
                    progress_oracle(actor, facts[plan.pk], unit_id, valid_until, today),
                    policy.decide(subject, "intervention.progress", intervention).value,
                    f"staff {user.username} acting for unit {unit.pk} ({actor.role})",
                    f"intervention.progress {intervention.pk}",
                    facts[plan.pk],
                )
    for plan in plans:  # nobody at all
        for action in ACTIONS:
            decision = policy.decide(None, action, plan).value
            tally.check(NOT_FOUND, decision, "no actor", action, facts[plan.pk])

    record_results("matrix", cases=tally.cases, mismatches=len(tally.mismatches))
    assert not tally.mismatches, tally.message()
    assert tally.cases >= 100_000, tally.cases


def _relation(facts: PlanFacts, person_id) -> str:
    roles = []
    if person_id == facts.person_id:
        roles.append("the individual")
    if person_id in facts.guardian_ids:
        roles.append("guardian")
    for level, until in facts.representatives.get(person_id, ()):
        roles.append(f"representative ({level}, until {until})")
    if person_id in facts.relative_ids:
        roles.append("relative")
        if person_id in facts.current_relatives:
            roles.append("covered by the latest consent")
        if person_id in facts.invited_ids:
            roles.append("invited in Min SIP")
    detail = f"; individual age {_age(facts.birth_date, timezone.localdate())}"
    detail += ", protected" if facts.protected else ""
    return (" and ".join(roles) or "unrelated") + detail


# --- The same cases over HTTP ----------------------------------------------------------------

HTTP_CASES = 300
HTTP_ACTORS = 12  # each one logs in once
ALLOWED_POST = {200, 302, 400}  # shown again with errors, or done and redirected
# An empty POST is a complete, valid request on these routes: it would change the plan, so it
# runs inside a savepoint that is rolled back.
ROLLED_BACK = {"plans:contact_person", "plans:meeting_cancel", "plans:message_handled"}


def expected_over_http(
    decision: int, method: str, name: str, plan: Plan, meeting_units, progress=None
) -> set:
    """What the page answers when the table's answer is `decision` (`progress`: the answer
    on reporting the intervention's progress, for that route)."""
    if decision != ALLOW:
        return {decision}
    if name == "plans:intervention_progress":
        return {400} if progress == ALLOW else {progress}  # an empty report is refused
    if name == "plans:closing_notices" and plan.state != "closed":
        return {NOT_FOUND}  # the page exists only for a closed plan
    if name == "plans:meeting_respond" and not meeting_units:
        return {NOT_FOUND}  # an empty answer is the acting unit's own; it was not invited
    return {ALLOW} if method == "GET" else ALLOWED_POST


def test_a_sample_of_the_matrix_agrees_over_http(db, monkeypatch):
    stand_in_for_pdfs(monkeypatch)  # PDFs as searchable text, and fast
    world = build_world(seed=SEED)
    plans = {p.pk: p for p in world.plans}
    facts = load_facts(plans)
    objects = PlanObjects.load(world.plans)
    items = load_interventions(plans)
    today = timezone.localdate()
    routes = [
        (route, name, view, allowed_methods(view))
        for route, name, view in plan_routes()
        if name.startswith("plans:")  # the staff's routes; Min SIP needs a citizen login
    ]
    actions = {name: policy.route_actions(view) for _r, name, view, _m in routes}
    staff = [(StaffActor(u.pk, unit.pk, role), u, unit) for u, unit, role in world.staff_actors()]
    rng = random.Random(SEED + 1)  # noqa: S311
    analysts = [s for s in staff if s[0].role in ANALYSTS]  # always among those who ask
    staff = [s for s in staff if s[0].role not in ANALYSTS]
    staff = rng.sample(staff, min(HTTP_ACTORS, len(staff))) + analysts
    invited = set(Invitee.objects.filter(unit__isnull=False).values_list("meeting_id", "unit_id"))
    clients: dict = {}
    tally = Tally(world)
    events_before = PlanEvent.objects.count()
    plans_before = list(Plan.objects.order_by("pk").values_list())

    drawn = 0
    while drawn < HTTP_CASES:
        actor, user, unit = rng.choice(staff)
        visible = [pk for pk in plans if oracle(actor, "plan.view", facts[pk]) == ALLOW]
        plan_id = rng.choice(visible if visible and rng.random() < 0.6 else list(plans))
        route, name, _view, methods = rng.choice(routes)
        paths = objects.paths(plan_id, route)
        assert paths is not None, f"{route}: a parameter this test cannot fill in"
        if not paths:
            continue  # the plan has no goal, meeting, version... for this route
        path = rng.choice(paths)
        method = rng.choice(sorted(methods))
        read, write = actions[name]
        action = read if method == "GET" else write
        decision = oracle(actor, action, facts[plan_id])
        meeting_units = None
        if name == "plans:meeting_respond":
            meeting_id = int(path.rstrip("/").split("/")[-2])
            meeting_units = (meeting_id, unit.pk) in invited
        progress = None
        if name == "plans:intervention_progress":
            intervention_id = int(path.rstrip("/").split("/")[-2])
            rows, valid_until = items[plan_id]
            progress = progress_oracle(
                actor, facts[plan_id], dict(rows)[intervention_id], valid_until, today
            )
        expected = expected_over_http(
            decision, method, name, plans[plan_id], meeting_units, progress
        )
        key = (user.pk, unit.pk)
        if key not in clients:
            clients[key] = staff_client(user, unit)
        http = clients[key]
        if method == "GET":
            status = http.get(path).status_code
        else:
            with transaction.atomic():
                status = http.post(path, {}).status_code
                if name in ROLLED_BACK:
                    transaction.set_rollback(True)
        drawn += 1
        tally.check(
            expected,
            status,
            f"{user.username} acting for unit {unit.pk} ({actor.role})",
            f"{method} {path} ({action}: the table says {decision})",
            facts[plan_id],
        )

    record_results("matrix", cases=tally.cases, mismatches=len(tally.mismatches))
    assert PlanEvent.objects.count() == events_before
    assert list(Plan.objects.order_by("pk").values_list()) == plans_before
    assert not tally.mismatches, tally.message()


# --- Collaboration failures (docs/security.md, the rows of `deviation.*`) ---------------------

DEVIATION_ACTIONS = ("deviation.view", "deviation.handle", "deviation.reference")
OPEN_REPORT = {"reported", "handling"}
UNIT_MANAGER = "unit_manager"
UUID_IN_LINK = re.compile(r"/brister/([0-9a-f-]{36})/")


@dataclass(frozen=True)
class DeviationFacts:
    """A report as the table talks about it, read from the database without the application."""

    pk: object
    plan_id: object  # None: about the units' collaboration, without a SIP
    reporter_id: int
    unit_ids: frozenset  # the units concerned (the reporting unit among them)
    state: str
    level: int
    members: frozenset  # users of the governing agreement's steps the report has reached


def load_deviation_facts(deviations) -> dict:
    ids = [d.pk for d in deviations]
    units: dict = {}
    for deviation_id, unit_id in Deviation.units.through.objects.filter(
        deviation_id__in=ids
    ).values_list("deviation_id", "unit_id"):
        units.setdefault(deviation_id, set()).add(unit_id)
    steps = list(
        EscalationStep.objects.filter(members__isnull=False).values_list(
            "agreement__organization_id", "number", "members"
        )
    )
    facts = {}
    for pk, plan_id, reporter_id, state, level, organization_id in Deviation.objects.filter(
        pk__in=ids
    ).values_list("pk", "plan_id", "reporter_id", "state", "level", "agreement_organization_id"):
        members = {u for org, number, u in steps if org == organization_id and number <= level}
        facts[pk] = DeviationFacts(
            pk, plan_id, reporter_id, frozenset(units.get(pk, ())), state, level, frozenset(members)
        )
    return facts


def deviation_oracle(actor, action: str, report: DeviationFacts) -> int:
    """The reporter follows the report; the unit managers acting for a unit it concerns, and the
    members of the escalation steps it has reached, handle it while it is open; a unit concerned
    or the reporter records the own system's reference; nobody else learns of it."""
    if not isinstance(actor, StaffActor) or actor.role in ANALYSTS:
        return NOT_FOUND
    concerned = actor.unit_id in report.unit_ids
    handler = (actor.role == UNIT_MANAGER and concerned) or actor.user_id in report.members
    reporter = actor.user_id == report.reporter_id
    if not (handler or reporter):
        return NOT_FOUND
    if action == "deviation.handle":
        return ALLOW if handler and report.state in OPEN_REPORT else FORBIDDEN
    if action == "deviation.reference":
        return ALLOW if concerned or reporter else FORBIDDEN
    return ALLOW


def names_individual(actor: StaffActor, report: DeviationFacts, plans: dict) -> bool:
    """The individual is named to those who may view the plan (the plans' table)."""
    return report.plan_id is not None and oracle(actor, "plan.view", plans[report.plan_id]) == ALLOW


def test_collaboration_failures_agree_with_the_table_for_every_actor(db):
    world = build_world(seed=SEED)
    reports = load_deviation_facts(world.deviations)
    plans = load_facts(p.pk for p in world.plans)
    deviations = {d.pk: d for d in Deviation.objects.filter(pk__in=reports)}
    # The world holds the cases the table talks about.
    assert {r.state for r in reports.values()} == {"reported", "handling", "concluded"}
    assert any(r.level >= 2 and r.members for r in reports.values())
    assert any(r.plan_id is None for r in reports.values())
    assert any(
        a.user_id == r.reporter_id and a.unit_id not in r.unit_ids
        for a in [StaffActor(u.pk, unit.pk, role) for u, unit, role in world.staff_actors()]
        for r in reports.values()
    ), "a reporter acting for a unit the report does not concern"
    staff = [(StaffActor(u.pk, unit.pk, role), u, unit) for u, unit, role in world.staff_actors()]
    strangers = [a for a, _u, _n in staff if a.role == UNIT_MANAGER and not any(
        deviation_oracle(a, "deviation.view", r) == ALLOW for r in reports.values())]  # fmt: skip
    assert strangers, "a unit manager of a unit no report concerns"
    tally = Tally(world)

    for actor, user, unit in staff:
        subject = policy.Staff(user=user, unit=unit, role=actor.role)
        who = f"staff {user.username} acting for unit {unit.pk} ({actor.role})"
        for pk, report in reports.items():
            deviation = deviations[pk]
            for action in DEVIATION_ACTIONS:
                expected = deviation_oracle(actor, action, report)
                tally.check(
                    expected, policy.decide(subject, action, deviation).value, who, action, report
                )
            if deviation_oracle(actor, "deviation.view", report) == ALLOW:
                tally.check(
                    names_individual(actor, report, plans),
                    individual_shown(subject, deviation),
                    who,
                    "the individual named",
                    report,
                )
        # The figures (where collaboration fails, the statistics, the evaluation's results)
        # are the unit managers' and the analysts', and nobody else's.
        figures = ALLOW if actor.role in FIGURE_READERS else NOT_FOUND
        for action in ("deviation.learn", "statistics.view", "evaluation.results"):
            tally.check(figures, policy.decide(subject, action, None).value, who, action, None)
        # Every staff member lists and reports failures; an analyst works with no plan.
        staff_action = NOT_FOUND if actor.role in ANALYSTS else ALLOW
        for action in ("deviation.list", "deviation.report"):
            decision = policy.decide(subject, action, None).value
            tally.check(staff_action, decision, who, action, None)
    for person in world.persons[:20]:  # citizens, and nobody at all, learn of no report
        for actor in (policy.Citizen(person=person), None):
            for pk, report in reports.items():
                for action in DEVIATION_ACTIONS:
                    decision = policy.decide(actor, action, deviations[pk]).value
                    tally.check(
                        NOT_FOUND, decision, f"citizen or nobody {person.pk}", action, report
                    )
            for action in ("deviation.learn", "statistics.view", "evaluation.results"):
                decision = policy.decide(actor, action, None).value
                tally.check(NOT_FOUND, decision, f"citizen or nobody {person.pk}", action, None)

    record_results("matrix", cases=tally.cases, mismatches=len(tally.mismatches))
    assert not tally.mismatches, tally.message()


DEVIATION_HTTP_ACTORS = 12
DEVIATION_ROUTES = {"deviations:detail", "deviations:export"}


def deviation_http_actors(world, reports: dict, rng: random.Random) -> list:
    """Everyone the table distinguishes, for each report: its reporter, a unit manager handling
    it, a member of a step it reached, a unit manager of a unit it does not concern; then others
    drawn at random, up to DEVIATION_HTTP_ACTORS."""
    staff = [(StaffActor(u.pk, unit.pk, role), u, unit) for u, unit, role in world.staff_actors()]
    chosen: dict = {}
    for report in reports.values():
        kinds = [
            lambda a, r=report: a.user_id == r.reporter_id and a.unit_id in r.unit_ids,
            lambda a, r=report: a.user_id == r.reporter_id and a.unit_id not in r.unit_ids,
            lambda a, r=report: a.role == UNIT_MANAGER and a.unit_id in r.unit_ids,
            lambda a, r=report: a.user_id in r.members,
            lambda a, r=report: (
                a.role == UNIT_MANAGER and deviation_oracle(a, "deviation.view", r) == NOT_FOUND
            ),  # fmt: skip
        ]
        for fits in kinds:
            found = next((s for s in staff if fits(s[0])), None)
            if found is not None:
                chosen.setdefault(found[0], found)
    others = [s for s in staff if s[0] not in chosen]
    for found in rng.sample(others, max(0, min(len(others), DEVIATION_HTTP_ACTORS - len(chosen)))):
        chosen[found[0]] = found
    return list(chosen.values())


def test_collaboration_failures_agree_with_the_table_over_http(db, monkeypatch):
    stand_in_for_pdfs(monkeypatch)  # the report's PDF as searchable text, and fast
    world = build_world(seed=SEED)
    reports = load_deviation_facts(world.deviations)
    plans = load_facts(p.pk for p in world.plans)
    deviations = {
        d.pk: d for d in Deviation.objects.filter(pk__in=reports).select_related("plan__person")
    }
    routes = {
        f"{ns}:{name}" for route, ns, name, _v in url_patterns() if "<uuid:deviation_id>" in route
    }
    assert routes == DEVIATION_ROUTES, "a new route of one report: add it to this test"
    actors = deviation_http_actors(world, reports, random.Random(SEED + 2))  # noqa: S311
    tally = Tally(world)
    before = _reports_as_they_are()

    for actor, user, unit in actors:
        http = staff_client(user, unit)
        who = f"{user.username} acting for unit {unit.pk} ({actor.role})"
        for pk, report in reports.items():
            deviation = deviations[pk]
            view = deviation_oracle(actor, "deviation.view", report)
            detail = f"/brister/{pk}/"
            page = http.get(detail)
            tally.check(view, page.status_code, who, f"GET {detail}", report)
            exported = http.get(f"{detail}export.json")
            tally.check(view, exported.status_code, who, f"GET {detail}export.json", report)
            pdf = http.get(f"{detail}export.pdf")
            tally.check(view, pdf.status_code, who, f"GET {detail}export.pdf", report)
            for form, action in (
                ("comment", "deviation.handle"),
                ("reference", "deviation.reference"),
            ):
                # An empty form: refused with the reason (400) where it may be sent at all.
                decision = deviation_oracle(actor, action, report)
                status = http.post(detail, {"form": form}).status_code
                expected = 400 if decision == ALLOW else decision
                tally.check(expected, status, who, f"POST {detail} {form} ({action})", report)
            if view == ALLOW and deviation.plan is not None:
                named = names_individual(actor, report, plans)
                _check_naming(tally, who, report, deviation, named, page, exported, pdf)
        for tab, concluded in (("oppna", False), ("avslutade", True)):
            listed = http.get(f"/brister/?visa={tab}")
            tally.check(ALLOW, listed.status_code, who, f"GET /brister/?visa={tab}", None)
            expected = {
                str(pk)
                for pk, r in reports.items()
                if deviation_oracle(actor, "deviation.view", r) == ALLOW
                and (r.state == "concluded") == concluded
            }
            shown = set(UUID_IN_LINK.findall(listed.content.decode())) & {str(pk) for pk in reports}
            tally.check(
                {frozenset(expected)}, frozenset(shown), who, f"the reports listed in {tab}", None
            )

    record_results("matrix", cases=tally.cases, mismatches=len(tally.mismatches))
    assert _reports_as_they_are() == before  # the empty forms were refused
    assert not tally.mismatches, tally.message()


def _reports_as_they_are() -> tuple:
    return (
        list(Deviation.objects.order_by("pk").values_list()),
        DeviationEvent.objects.count(),
        DeviationReference.objects.count(),
    )


def _check_naming(tally, who, report, deviation, named, page, exported, pdf) -> None:
    """The name on the page, in the JSON and in the PDF exactly when the table lets the actor
    see the plan; otherwise the report's pseudonym."""
    name = deviation.plan.person.full_name
    pseudonym = deviation.pk.hex[:6].upper()
    individual = json.loads(exported.content)["individual"]
    for where, text in (("page", page.content.decode()), ("PDF", pdf.content.decode())):
        tally.check(named, name in text, who, f"the individual's name on the {where}", report)
        if not named:
            tally.check(True, pseudonym in text, who, f"the pseudonym on the {where}", report)
    tally.check(named, "name" in individual, who, "the individual's name in the JSON", report)
    tally.check(pseudonym, individual["pseudonym"][-6:], who, "the pseudonym in the JSON", report)
