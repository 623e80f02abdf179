"""The access policy: who may do what with which object. One place, used by every route.

The specification is the table in docs/security.md; this module implements it and nothing
else decides access. `decide(actor, action, obj)` answers ALLOW, NOT_FOUND (the actor may not
even know the object exists) or FORBIDDEN (the actor may see it but not do this). The query
side, the plans an actor may list, is samplan.plans.access.plans_visible_to; a test proves
that both agree for every actor and plan.

The facts about a plan (before consent, consent given, guardian of a child) are the rule
book's predicates (samplan.plans.rules); this module imports nothing else of Samplan, so any
layer may ask it (docs/architecture.md).

Every URL pattern is classified through `route(...)` or `public(...)`; a test fails on any
route that is neither (samplan/core/tests/test_route_coverage.py).
"""

import enum
from dataclasses import dataclass

from django.db.models import Q

from samplan.plans import rules

# --- Actors ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Staff:
    """A staff member acting for one unit (the acting unit chosen after login)."""

    user: object
    unit: object
    role: str  # Membership.Role

    @classmethod
    def from_request(cls, request) -> "Staff | None":
        actor = getattr(request, "actor", None)
        return actor if isinstance(actor, Staff) else None


@dataclass(frozen=True)
class Citizen:
    """The individual, a guardian, a representative (god man, förvaltare, ombud) or a
    relative, logged in as himself or herself (Min SIP)."""

    person: object


Actor = Staff | Citizen


class Decision(enum.Enum):
    ALLOW = 200
    FORBIDDEN = 403
    NOT_FOUND = 404

    def __bool__(self) -> bool:
        return self is Decision.ALLOW


# --- Plans ----------------------------------------------------------------------------------

PLAN_ACTIONS = ("plan.view", "plan.edit", "plan.inform", "plan.respond", "plan.handle")
# What a citizen does with a plan in Min SIP: the individual, or a guardian for a child.
CITIZEN_ACTIONS = ("plan.approve", "plan.comment", "plan.manage")
# Actions without an object: what any staff member acting for a unit may do.
STAFF_ACTIONS = (
    "plan.list",
    "plan.initiate",
    "person.lookup",
    "admission.list",
    "deviation.list",
    "deviation.report",
)
# Discharge from inpatient care (samplan.discharge): the ward writes, the units named in the
# notices read, acknowledge and (outpatient care) appoint the designated care contact.
ADMISSION_ACTIONS = (
    "admission.view",
    "admission.edit",
    "admission.acknowledge",
    "admission.appoint",
)
# Collaboration failures (samplan.deviations): the reporter follows, the unit managers of the
# units concerned (and the escalation steps reached) handle; nobody else learns of a report.
DEVIATION_ACTIONS = ("deviation.view", "deviation.handle", "deviation.reference")
# Figures, never an individual: unit managers and analysts (rules.reads_figures).
FIGURE_ACTIONS = ("deviation.learn", "statistics.view", "evaluation.results")
# The actions about no one object, decided on the route itself (samplan.people.session).
OBJECTLESS_ACTIONS = frozenset((*STAFF_ACTIONS, *FIGURE_ACTIONS, "admission.register"))


def _staff_sees_plan(actor: Staff, plan) -> bool:
    if rules.before_consent(plan):
        return plan.initiating_unit_id == actor.unit.pk
    return rules.takes_part(plan, actor.unit)


def _staff_is_writer(actor: Staff, plan) -> bool:
    """The acting unit writes: the initiating unit before consent, else a participant with
    edit access (the principals' units by default)."""
    if rules.before_consent(plan):
        return plan.initiating_unit_id == actor.unit.pk
    return rules.takes_part(plan, actor.unit, writing=True)


def _staff_writes_plan(actor: Staff, plan) -> bool:
    return not rules.is_closed(plan) and _staff_is_writer(actor, plan)


def _staff_informs(actor: Staff, plan) -> bool:
    """After closing, writing participants record who has been told (the lead's duty)."""
    return rules.is_closed(plan) and _staff_is_writer(actor, plan)


def _staff_handles(actor: Staff, plan) -> bool:
    """Messages from Min SIP are handled by a writing unit, also after closing (the individual
    may still write to the lead)."""
    return _staff_is_writer(actor, plan)


def _citizen_sees_plan(actor: Citizen, plan) -> bool:
    person = actor.person
    if plan.person_id == person.pk:
        return rules.acts_for_self(person, plan) or rules.child_reads_own(person, plan)
    if rules.acts_for_child(person, plan) or rules.represents(person, plan):
        return True
    return rules.relative_sees(person, plan)


def decide(actor: Actor | None, action: str, obj) -> Decision:
    """May this actor do this action on this object?"""
    if action == "session":
        return Decision.ALLOW  # any logged-in user; LoginRequiredMiddleware sees to the login
    if actor is None:
        return Decision.NOT_FOUND
    if isinstance(actor, Staff) and not rules.works_with_plans(actor.role):
        # Analysts: the figures, and nothing of a plan, a person, an admission or a report.
        return Decision.ALLOW if action in FIGURE_ACTIONS else Decision.NOT_FOUND
    if action in PLAN_ACTIONS:
        return _decide_plan(actor, action, obj)
    if action in CITIZEN_ACTIONS:
        return _decide_citizen_action(actor, action, obj)
    if action in STAFF_ACTIONS:
        return Decision.ALLOW if isinstance(actor, Staff) else Decision.NOT_FOUND
    if action == "admission.register":
        allowed = isinstance(actor, Staff) and rules.registers_admissions(actor.unit)
        return Decision.ALLOW if allowed else Decision.NOT_FOUND
    if action in ADMISSION_ACTIONS:
        return _decide_admission(actor, action, obj)
    if action in DEVIATION_ACTIONS:
        return _decide_deviation(actor, action, obj)
    if action in FIGURE_ACTIONS:
        reads = (
            rules.reads_evaluation_results
            if action == "evaluation.results"
            else rules.reads_figures
        )
        allowed = isinstance(actor, Staff) and reads(actor.role)
        return Decision.ALLOW if allowed else Decision.NOT_FOUND
    if action == "citizen.session":
        return Decision.ALLOW if isinstance(actor, Citizen) else Decision.NOT_FOUND
    if action == "evaluation.answer":  # one's own request only: the view finds it by owner
        return Decision.ALLOW if isinstance(actor, Staff | Citizen) else Decision.NOT_FOUND
    if action == "intervention.progress":
        return _decide_progress(actor, obj)
    if action == "person.contact":
        return _decide_contact(actor, obj)
    if action == "log.review":
        allowed = (
            isinstance(actor, Staff)
            and rules.reviews_access_log(actor.role)
            and obj is not None
            and obj.pk == actor.unit.pk
        )
        return Decision.ALLOW if allowed else Decision.NOT_FOUND
    raise ValueError(f"unknown action {action!r}")


def _decide_plan(actor: Actor, action: str, plan) -> Decision:
    if isinstance(actor, Staff):
        if not _staff_sees_plan(actor, plan):
            return Decision.NOT_FOUND
        if action == "plan.edit" and not _staff_writes_plan(actor, plan):
            return Decision.FORBIDDEN
        if action == "plan.inform" and not _staff_informs(actor, plan):
            return Decision.FORBIDDEN
        if action == "plan.handle" and not _staff_handles(actor, plan):
            return Decision.FORBIDDEN
        # plan.respond: every unit that sees the plan answers its own invitations (the view
        # finds only the acting unit's invitations), read-only participants included.
        return Decision.ALLOW
    if not _citizen_sees_plan(actor, plan):
        return Decision.NOT_FOUND
    # Citizens change a plan only through their own actions (approve, comment, manage).
    return Decision.ALLOW if action == "plan.view" else Decision.FORBIDDEN


def _decide_citizen_action(actor: Actor, action: str, plan) -> Decision:
    """Approve, comment, invite relatives, withdraw consent: the adult individual, or a
    guardian of a child. A representative approves or comments as far as his or her
    appointment covers the SIP, and never manages it (ends it or invites relatives). A child
    old enough to read his or her plan may comment (write a message), nothing more; a
    relative only looks. Staff act through their own routes."""
    seen = _decide_plan(actor, "plan.view", plan)
    if seen is not Decision.ALLOW:
        return seen
    if isinstance(actor, Staff):
        return Decision.FORBIDDEN
    person = actor.person
    if rules.acts_for_self(person, plan) or rules.acts_for_child(person, plan):
        return Decision.ALLOW
    if action == "plan.comment" and rules.child_reads_own(person, plan):
        return Decision.ALLOW
    if rules.representative_may(person, plan, action):
        return Decision.ALLOW
    return Decision.FORBIDDEN


def _decide_progress(actor: Actor, intervention) -> Decision:
    """A unit reports the status and a short note of its own intervention, without edit
    rights to the rest of the plan (read-only participants included)."""
    plan = intervention.plan
    if not isinstance(actor, Staff) or not _staff_sees_plan(actor, plan):
        return Decision.NOT_FOUND
    allowed = rules.reports_progress(plan, actor.unit, intervention)
    return Decision.ALLOW if allowed else Decision.FORBIDDEN


def _decide_admission(actor: Actor, action: str, admission) -> Decision:
    """The ward and the units named in the notices see the admission; nobody else learns of
    it. The ward writes until the discharge; a named unit acknowledges its notices."""
    if not isinstance(actor, Staff) or not rules.admission_seen_by(admission, actor.unit):
        return Decision.NOT_FOUND
    is_ward = admission.ward_id == actor.unit.pk
    if action == "admission.edit":
        allowed = is_ward and rules.admission_open(admission)
    elif action == "admission.acknowledge":
        allowed = not is_ward
    elif action == "admission.appoint":
        allowed = rules.appoints_care_contact(admission, actor.unit)
    else:
        allowed = True
    return Decision.ALLOW if allowed else Decision.FORBIDDEN


def _decide_deviation(actor: Actor, action: str, deviation) -> Decision:
    """The reporter and the handlers see the report; the handlers comment, agree actions and
    conclude while it is open; any unit concerned records its own system's reference."""
    if not isinstance(actor, Staff):
        return Decision.NOT_FOUND
    if not rules.failure_seen_by(deviation, actor.unit, actor.role, actor.user):
        return Decision.NOT_FOUND
    if action == "deviation.handle":
        allowed = rules.failure_open(deviation) and rules.failure_handled_by(
            deviation, actor.unit, actor.role, actor.user
        )
    elif action == "deviation.reference":
        allowed = rules.failure_concerns(deviation, actor.unit) or (
            deviation.reporter_id == actor.user.pk
        )
    else:
        allowed = True
    return Decision.ALLOW if allowed else Decision.FORBIDDEN


def _decide_contact(actor: Actor, person) -> Decision:
    """Protected identity: address and contact details only with an explicit grant."""
    if isinstance(actor, Citizen):
        return Decision.ALLOW if actor.person.pk == person.pk else Decision.NOT_FOUND
    if not person.protected_identity:
        return Decision.ALLOW
    grantee = Q(user=actor.user)
    if actor.unit is not None:  # never `unit IS NULL`: that would match every personal grant
        grantee |= Q(unit=actor.unit)
    granted = person.contact_grants.active().filter(grantee).exists()
    return Decision.ALLOW if granted else Decision.FORBIDDEN


# --- Routes ---------------------------------------------------------------------------------


def route(read: str, write: str | None = None):
    """Classify a view: the action a GET needs and the action a POST needs."""

    def mark(view):
        view.policy_read = read
        view.policy_write = write or read
        return view

    return mark


def public(view):
    """Classify a view as open to anyone (login, health check)."""
    view.policy_public = True
    return view


def route_actions(view) -> tuple[str, str] | None:
    """The (read, write) actions a view is classified with, following decorators."""
    while view is not None:
        if hasattr(view, "policy_read"):
            return view.policy_read, view.policy_write
        view = getattr(view, "__wrapped__", None)
    return None


def is_public(view) -> bool:
    while view is not None:
        if getattr(view, "policy_public", False):
            return True
        view = getattr(view, "__wrapped__", None)
    return False
