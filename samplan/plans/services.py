"""Every change to a SIP goes through one of these functions.

Each checks its rule (plans.rules), makes the change, and writes a PlanEvent with the actor,
the acting unit and a before/after summary. Views and (later) the API and tasks call them.
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from samplan import policy
from samplan.accounts.models import Organization, Unit, User
from samplan.notifications import services as notifications
from samplan.people.models import Person
from samplan.plans import rules
from samplan.plans.models import (
    CitizenMessage,
    ClosingNotice,
    Consent,
    FollowUp,
    Goal,
    Intervention,
    Invitee,
    JoinRequest,
    Meeting,
    Participant,
    Plan,
    PlanEvent,
    PlanVersion,
    RelativeAccess,
)
from samplan.plans.rules import ConsentDoesNotCover, OpenPlanExists, RuleViolation, refuse_unless
from samplan.plans.snapshot import plan_snapshot

State = Plan.State


class StaleEdit(Exception):
    """Someone saved the same thing first. Carries what it looks like now."""

    def __init__(self, current: Any):
        super().__init__("stale edit")
        self.current = current


def _event(
    plan: Plan,
    *,
    actor: User | None,
    unit: Unit | None,
    kind: str,
    summary: str,
    before=None,
    after=None,
    citizen: Person | None = None,
):
    PlanEvent.objects.create(
        plan=plan,
        actor=actor,
        acting_unit=unit,
        citizen=citizen,
        kind=kind,
        summary=summary[:300],
        before=before or {},
        after=after or {},
    )


def _lock(plan: Plan) -> Plan:
    """Re-read the plan under a row lock so transitions on one plan run one at a time."""
    return Plan.objects.select_for_update().get(pk=plan.pk)


def _lock_meeting(meeting: Meeting) -> Meeting:
    """The meeting as it is now, read under its plan's row lock (a page may have loaded it
    before someone else held, moved or cancelled it)."""
    plan = _lock(meeting.plan)
    meeting = Meeting.objects.get(pk=meeting.pk, plan=plan)
    meeting.plan = plan
    return meeting


def _set_state(plan: Plan, state: str) -> dict:
    change = {"state": [plan.state, state]}
    Plan.objects.filter(pk=plan.pk).update(state=state, lock_version=F("lock_version") + 1)
    plan.state = state
    plan.lock_version += 1
    return change


def _save_locked(obj, *, expected: int, fields: dict[str, Any]) -> None:
    """Optimistic concurrency: write only if nobody saved since the form was opened."""
    model = type(obj)
    updated = model.objects.filter(pk=obj.pk, lock_version=expected).update(
        **fields, lock_version=F("lock_version") + 1
    )
    if not updated:
        raise StaleEdit(model.objects.get(pk=obj.pk))
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.lock_version = expected + 1


# --- Initiative -----------------------------------------------------------------------------


@transaction.atomic
def plan_initiate(
    *,
    actor: User,
    unit: Unit,
    person: Person,
    source: str = Plan.Source.STAFF,
    source_detail: str = "",
    reasons: Iterable[str] = (),
    reason_text: str = "",
) -> Plan | JoinRequest:
    """Anyone who sees the need at work may take the initiative (seed 001, 004).

    The individual has one open SIP at a time. When he or she has one already, the acting unit
    is told so (OpenPlanExists, carrying the plan) only if it sees that plan; otherwise nothing
    about the plan is revealed: the initiative becomes a request to take part in it, for its
    lead and writing units to answer within the consent, and that JoinRequest is returned
    instead of a plan (docs/security.md, finding 2). The same initiative again while the
    request waits returns the waiting request and writes nothing.
    """
    reasons = list(dict.fromkeys(reasons))
    refuse_unless(set(reasons) <= set(Plan.Reason.values), _("Unknown reason for the initiative."))
    refuse_unless(
        bool(reasons) or bool(reason_text.strip()),
        _("Give at least one reason why a SIP is needed."),
    )
    refuse_unless(source in Plan.Source.values, _("Say who proposed the SIP."))
    refuse_unless(
        source == Plan.Source.STAFF or bool(source_detail.strip()),
        _("Say who proposed the SIP."),
    )
    # Initiatives for one individual run one at a time, so two cannot both start a plan.
    list(Person.objects.select_for_update().filter(pk=person.pk).values_list("pk", flat=True))
    open_plans = list(
        person.plans.select_for_update()
        .exclude(state__in=rules.NOT_OPEN)
        .prefetch_related("participants")
        .order_by("-initiated_at", "pk")
    )
    if open_plans:
        staff = policy.Staff(user=actor, unit=unit, role="")
        seen = next((p for p in open_plans if policy.decide(staff, "plan.view", p)), None)
        if seen is not None:
            raise OpenPlanExists(
                _("%(name)s already has an open SIP.") % {"name": person.full_name}, seen
            )
        return _join_request(
            open_plans[0],
            actor=actor,
            unit=unit,
            source=source,
            source_detail=source_detail.strip(),
            reasons=reasons,
            reason_text=reason_text.strip(),
        )
    plan = Plan.objects.create(
        person=person,
        initiated_by=actor,
        initiating_unit=unit,
        initiative_source=source,
        initiative_source_detail=source_detail.strip(),
        reasons=reasons,
        reason_text=reason_text.strip(),
    )
    Participant.objects.create(
        plan=plan, unit=unit, access=Participant.Access.EDIT, contact_person=actor
    )
    _event(
        plan,
        actor=actor,
        unit=unit,
        kind="initiated",
        summary=_("SIP initiated"),
        after={"reasons": reasons, "source": source},
    )
    return plan


# --- Requests to take part (an initiative that reached an existing SIP) ---------------------


def _join_request(plan: Plan, *, actor: User, unit: Unit, **initiative) -> JoinRequest:
    """Record the initiative as a request to take part in the plan, visible to the plan's
    participants only, and tell its lead and writing units. Nothing goes to the initiator."""
    plan = _lock(plan)
    waiting = JoinRequest.objects.filter(
        plan=plan, unit=unit, state=JoinRequest.State.PENDING
    ).first()
    if waiting is not None:
        return waiting  # the same initiative again: there is nothing new to tell anyone
    request = JoinRequest.objects.create(plan=plan, unit=unit, requested_by=actor, **initiative)
    _event(
        plan,
        actor=actor,
        unit=unit,
        kind="join_requested",
        summary=_("%(unit)s asks to take part") % {"unit": unit.name},
        after={
            "join_request": request.pk,
            "unit": unit.name,
            "reasons": request.reasons,
            "source": request.source,
        },
    )
    notifications.join_request_queue(join_request=request)
    return request


def _take_part(plan: Plan, unit: Unit) -> None:
    """The unit takes part (as _sync_participants would add it), if it does not already."""
    participant = Participant.objects.filter(plan=plan, unit=unit).first()
    if participant is None:
        access = (
            Participant.Access.EDIT if unit.organization.is_principal else Participant.Access.READ
        )
        Participant.objects.create(plan=plan, unit=unit, access=access)
    elif not participant.is_active:
        Participant.objects.filter(pk=participant.pk).update(is_active=True)
    plan.__dict__.pop("_prefetched_objects_cache", None)


def _join_request_accepted(
    plan: Plan, request: JoinRequest, *, actor: User, unit: Unit, by_consent: int | None = None
) -> None:
    """The requesting unit takes part within the consent: record the answer and tell it."""
    request.state, request.answered_at = JoinRequest.State.ACCEPTED, timezone.now()
    request.answered_by, request.answer_unit = actor, unit
    request.save(update_fields=["state", "answered_at", "answered_by", "answer_unit"])
    _event(
        plan,
        actor=actor,
        unit=unit,
        kind="join_request_accepted",
        summary=_("Request to take part accepted: %(unit)s takes part")
        % {"unit": request.unit.name},
        after={"join_request": request.pk, "unit": request.unit.name, "consent": by_consent},
    )
    notifications.join_request_accepted_queue(join_request=request)


@transaction.atomic
def join_request_answer(
    *, actor: User, unit: Unit, join_request: JoinRequest, accept: bool, reason: str = ""
) -> JoinRequest:
    """The plan's lead or a writing unit answers a unit's request to take part.

    Accepting works only within the individual's consent (rules.join_request_acceptable):
    when the current consent names the unit, it takes part and is told so; otherwise this
    refuses with ConsentDoesNotCover, and recording a new consent that includes the unit
    accepts the request (consent_record). Declining needs a reason, which stays in the plan:
    the requesting unit is never told, so it learns nothing about the plan. The same answer
    again changes nothing.
    """
    plan = _lock(join_request.plan)
    request = JoinRequest.objects.select_related("unit__organization").get(
        pk=join_request.pk, plan=plan
    )
    wanted = JoinRequest.State.ACCEPTED if accept else JoinRequest.State.DECLINED
    if request.state == wanted:
        return request
    refuse_unless(request.is_pending, _("The request has already been answered."))
    if accept:
        rules.join_request_acceptable(plan, request.unit)
        _take_part(plan, request.unit)
        _join_request_accepted(plan, request, actor=actor, unit=unit)
        return request
    refuse_unless(not plan.is_closed, _("The SIP is closed and can no longer be changed."))
    reason = reason.strip()
    refuse_unless(bool(reason), _("Say why the request is declined."))
    refuse_unless(len(reason) <= 1000, _("The reason is too long (at most 1,000 characters)."))
    request.state, request.answered_at = JoinRequest.State.DECLINED, timezone.now()
    request.answered_by, request.answer_unit, request.decline_reason = actor, unit, reason
    request.save(
        update_fields=["state", "answered_at", "answered_by", "answer_unit", "decline_reason"]
    )
    _event(
        plan,
        actor=actor,
        unit=unit,
        kind="join_request_declined",
        summary=_("Request to take part from %(unit)s declined") % {"unit": request.unit.name},
        after={"join_request": request.pk, "unit": request.unit.name, "reason": reason},
    )
    return request


# --- Consent --------------------------------------------------------------------------------


def _sync_participants(plan: Plan, units: list[Unit]) -> dict:
    """The consent decides who takes part: add new units, end those no longer covered."""
    wanted = {u.pk: u for u in units}
    existing = {p.unit_id: p for p in plan.participants.all()}
    added, removed = [], []
    for unit_id, unit in wanted.items():
        participant = existing.get(unit_id)
        if participant is None:
            access = (
                Participant.Access.EDIT
                if unit.organization.is_principal
                else Participant.Access.READ
            )
            Participant.objects.create(plan=plan, unit=unit, access=access)
            added.append(unit.name)
        elif not participant.is_active:
            Participant.objects.filter(pk=participant.pk).update(is_active=True)
            added.append(unit.name)
    for unit_id, participant in existing.items():
        if unit_id not in wanted and participant.is_active:
            Participant.objects.filter(pk=participant.pk).update(is_active=False)
            removed.append(participant.unit.name)
    return {"added": added, "removed": removed}


@transaction.atomic
def consent_record(
    *,
    actor: User,
    unit: Unit,
    plan: Plan,
    decision: str,
    decided_on: datetime.date,
    mode: str,
    given_by: str,
    guardians: list[Person] = (),
    child_view: str = "",
    units: list[Unit] = (),
    relatives: list[Person] = (),
    exclusions: str = "",
    valid_until: datetime.date | None = None,
) -> Consent:
    """Record consent given or refused, with its scope. A change is a new consent version."""
    plan = _lock(plan)
    today = timezone.localdate()
    refuse_unless(
        plan.state in rules.CAN_RECORD_CONSENT, _("The SIP is closed; consent cannot be changed.")
    )
    refuse_unless(
        decision in {Consent.Decision.GIVEN, Consent.Decision.REFUSED},
        _("Choose whether consent was given or refused."),
    )
    refuse_unless(decided_on <= today, _("The date of the consent cannot be in the future."))
    refuse_unless(
        valid_until is None or valid_until >= decided_on,
        _("The consent cannot end before it was given."),
    )
    refuse_unless(mode in Consent.Mode.values, _("Say how the consent was given."))
    rules.consent_givers_valid(
        plan, given_by, list(guardians), today, refused=decision == Consent.Decision.REFUSED
    )
    if decision == Consent.Decision.REFUSED:
        refuse_unless(
            plan.state in rules.BEFORE_CONSENT,
            _("Consent already given is withdrawn, not refused. Use 'Withdraw consent'."),
        )
    else:
        refuse_unless(bool(units), _("Choose at least one unit that may take part."))
        allowed_relatives = set(plan.person.relations.values_list("related_id", flat=True))
        refuse_unless(
            {r.pk for r in relatives} <= allowed_relatives,
            _("Only the individual's registered relatives can be covered by the consent."),
        )
    previous = plan.current_consent
    consent = Consent.objects.create(
        plan=plan,
        number=(previous.number + 1) if previous else 1,
        decision=decision,
        decided_on=decided_on,
        mode=mode,
        given_by=given_by,
        child_view=child_view.strip(),
        exclusions=exclusions.strip(),
        valid_until=valid_until,
        recorded_by=actor,
        recorded_unit=unit,
    )
    consent.guardians.set(guardians)
    if decision == Consent.Decision.GIVEN:
        consent.units.set(units)
        consent.relatives.set(relatives)
        scope = _sync_participants(plan, list(units))
        state = {}
        if plan.state in rules.BEFORE_CONSENT:
            state = _set_state(plan, State.CONSENTED)
        _event(
            plan,
            actor=actor,
            unit=unit,
            kind="consent_given",
            summary=_("Consent recorded (version %(n)s)") % {"n": consent.number},
            before={"consent": previous.number if previous else None},
            after={"consent": consent.number, **scope, **state},
        )
        # A unit that asked to take part and is now covered by the consent takes part.
        waiting = plan.join_requests.filter(
            state=JoinRequest.State.PENDING, unit__in=list(units)
        ).select_related("unit")
        for request in waiting:
            _join_request_accepted(plan, request, actor=actor, unit=unit, by_consent=consent.number)
    else:
        state = _set_state(plan, State.CONSENT_REFUSED)
        _event(
            plan,
            actor=actor,
            unit=unit,
            kind="consent_refused",
            summary=_("Consent refused"),
            after=state,
        )
    plan.__dict__.pop("_prefetched_objects_cache", None)
    return consent


@transaction.atomic
def consent_withdraw(
    *, actor: User, unit: Unit, plan: Plan, decided_on: datetime.date, mode: str, note: str = ""
) -> Plan:
    """Withdrawn consent ends the SIP at once (Socialstyrelsen: the plan is closed)."""
    plan = _lock(plan)
    refuse_unless(not plan.is_closed, _("The SIP is already closed."))
    current = plan.current_consent
    refuse_unless(
        current is not None and current.decision == Consent.Decision.GIVEN,
        _("There is no given consent to withdraw."),
    )
    refuse_unless(decided_on <= timezone.localdate(), _("The date cannot be in the future."))
    withdrawal = Consent.objects.create(
        plan=plan,
        number=current.number + 1,
        decision=Consent.Decision.WITHDRAWN,
        decided_on=decided_on,
        mode=mode,
        given_by=current.given_by,
        exclusions=note.strip(),
        recorded_by=actor,
        recorded_unit=unit,
    )
    _event(
        plan,
        actor=actor,
        unit=unit,
        kind="consent_withdrawn",
        summary=_("Consent withdrawn"),
        after={"consent": withdrawal.number},
    )
    return _close(
        plan,
        actor=actor,
        unit=unit,
        reason=Plan.ClosingReason.CONSENT_WITHDRAWN,
        text=_("samtycke återkallat"),
    )


# --- Preparation and content ----------------------------------------------------------------

PREPARATION_FIELDS = (
    "own_words",
    "works_well",
    "works_badly",
    "questions",
    "interpreter_language",
    "easy_read",
    "meeting_place_wish",
    "digital_participation",
)
CONTENT_FIELDS = (
    "self_actions",
    "no_other_actors",
    "overall_responsibility",
    "lead",
    "next_follow_up",
)


def _editable(plan: Plan) -> None:
    # Read the state afresh: the caller's copy may predate a transition made meanwhile.
    plan.state = Plan.objects.filter(pk=plan.pk).values_list("state", flat=True).get()
    refuse_unless(not plan.is_closed, _("The SIP is closed and can no longer be changed."))
    refuse_unless(
        plan.state != State.REVISION,
        _(
            "A new version waits for the individual's answer. Record the answer before changing the plan."
        ),
    )
    refuse_unless(
        plan.state in rules.EDITABLE_CONTENT,
        _("Record the individual's consent before writing the plan."),
    )


@transaction.atomic
def plan_update(*, actor: User, unit: Unit, plan: Plan, expected_version: int, **fields) -> Plan:
    """Change the preparation or the plan-wide content (responsibility, lead, follow-up date)."""
    unknown = set(fields) - set(PREPARATION_FIELDS) - set(CONTENT_FIELDS)
    if unknown:
        raise TypeError(f"not editable here: {sorted(unknown)}")
    _editable(plan)
    if "overall_responsibility" in fields:
        rules.overall_responsibility_valid(fields["overall_responsibility"])
    if fields.get("lead") is not None:
        lead_units = set(
            fields["lead"].memberships.filter(is_active=True).values_list("unit_id", flat=True)
        )
        principal_units = {
            p.unit_id
            for p in plan.participants.select_related("unit__organization")
            if p.is_active and p.unit.organization.is_principal
        }
        refuse_unless(
            bool(lead_units & principal_units),
            _("The lead must work in a participating municipality or region unit."),
        )
    before = {name: _plain(getattr(plan, name)) for name in fields}
    _save_locked(plan, expected=expected_version, fields=fields)
    after = {name: _plain(value) for name, value in fields.items()}
    changed = {k: [before[k], after[k]] for k in fields if before[k] != after[k]}
    if changed:
        _event(
            plan,
            actor=actor,
            unit=unit,
            kind="plan_updated",
            summary=_("Plan details changed"),
            before={k: v[0] for k, v in changed.items()},
            after={k: v[1] for k, v in changed.items()},
        )
    return plan


def _plain(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return str(value)
    return value


@transaction.atomic
def goal_save(
    *,
    actor: User,
    unit: Unit,
    plan: Plan,
    goal: Goal | None = None,
    expected_version: int | None = None,
    term: str,
    text: str,
    parent: Goal | None = None,
    follow_up_by: User | None = None,
    status: str = Goal.Status.OPEN,
) -> Goal:
    """Add or change a goal. Goals are the individual's own words (principle 2)."""
    _editable(plan)
    refuse_unless(bool(text.strip()), _("Write the goal, in the individual's own words."))
    refuse_unless(
        term in Goal.Term.values and status in Goal.Status.values, _("Choose term and status.")
    )
    refuse_unless(
        parent is None
        or (parent.plan_id == plan.pk and parent.parent_id is None and parent != goal),
        _("A sub-goal belongs to a main goal in the same plan."),
    )
    fields = {
        "term": term,
        "text": text.strip(),
        "parent": parent,
        "follow_up_by": follow_up_by,
        "status": status,
    }
    if goal is None:
        goal = Goal.objects.create(plan=plan, position=plan.goals.count(), **fields)
        _event(
            plan,
            actor=actor,
            unit=unit,
            kind="goal_added",
            summary=_("Goal added: %(t)s") % {"t": goal.text[:80]},
            after={"goal": str(goal.uid)},
        )
    else:
        before = goal.text
        _save_locked(goal, expected=expected_version, fields=fields)
        _event(
            plan,
            actor=actor,
            unit=unit,
            kind="goal_changed",
            summary=_("Goal changed: %(t)s") % {"t": goal.text[:80]},
            before={"text": before},
            after={"goal": str(goal.uid), "text": goal.text, "status": status},
        )
    return goal


@transaction.atomic
def goal_remove(*, actor: User, unit: Unit, plan: Plan, goal: Goal) -> None:
    _editable(plan)
    _event(
        plan,
        actor=actor,
        unit=unit,
        kind="goal_removed",
        summary=_("Goal removed: %(t)s") % {"t": goal.text[:80]},
        before={"goal": str(goal.uid), "text": goal.text},
    )
    goal.delete()


@transaction.atomic
def intervention_save(
    *,
    actor: User,
    unit: Unit,
    plan: Plan,
    intervention: Intervention | None = None,
    expected_version: int | None = None,
    what: str,
    organization: Organization,
    responsible_unit: Unit | None = None,
    responsible_person: str = "",
    start=None,
    frequency: str = "",
    depends_on: Intervention | None = None,
    status: str = Intervention.Status.PLANNED,
    goals: Iterable[Goal] = (),
) -> Intervention:
    """Add or change an intervention, with its responsible organisation (the law's core)."""
    _editable(plan)
    refuse_unless(bool(what.strip()), _("Describe the intervention."))
    refuse_unless(status in Intervention.Status.values, _("Choose a status."))
    refuse_unless(
        responsible_unit is None or responsible_unit.organization_id == organization.pk,
        _("The responsible unit must belong to the responsible organisation."),
    )
    refuse_unless(
        depends_on is None or (depends_on.plan_id == plan.pk and depends_on != intervention),
        _("An intervention can only come after another intervention in the same plan."),
    )
    goals = list(goals)
    refuse_unless(
        all(g.plan_id == plan.pk for g in goals), _("Goals must belong to the same plan.")
    )
    fields = {
        "what": what.strip(),
        "organization": organization,
        "unit": responsible_unit,
        "responsible_person": responsible_person.strip(),
        "start": start,
        "frequency": frequency.strip(),
        "depends_on": depends_on,
        "status": status,
    }
    if intervention is None:
        intervention = Intervention.objects.create(
            plan=plan, position=plan.interventions.count(), **fields
        )
        kind, summary = "intervention_added", _("Intervention added: %(t)s")
    else:
        _save_locked(intervention, expected=expected_version, fields=fields)
        kind, summary = "intervention_changed", _("Intervention changed: %(t)s")
    intervention.goals.set(goals)
    _event(
        plan,
        actor=actor,
        unit=unit,
        kind=kind,
        summary=summary % {"t": intervention.what[:80]},
        after={
            "intervention": str(intervention.uid),
            "organization": organization.name,
            "status": status,
        },
    )
    return intervention


@transaction.atomic
def intervention_remove(*, actor: User, unit: Unit, plan: Plan, intervention: Intervention) -> None:
    _editable(plan)
    _event(
        plan,
        actor=actor,
        unit=unit,
        kind="intervention_removed",
        summary=_("Intervention removed: %(t)s") % {"t": intervention.what[:80]},
        before={"intervention": str(intervention.uid), "what": intervention.what},
    )
    intervention.delete()


@transaction.atomic
def contact_person_set(
    *, actor: User, unit: Unit, plan: Plan, participant: Participant, person: User | None
) -> None:
    """Each participating unit names its contact person for the plan."""
    _editable(plan)
    refuse_unless(participant.plan_id == plan.pk, _("Unknown participant."))
    refuse_unless(
        person is None or person.memberships.filter(unit=participant.unit, is_active=True).exists(),
        _("The contact person must work in that unit."),
    )
    Participant.objects.filter(pk=participant.pk).update(contact_person=person)
    _event(
        plan,
        actor=actor,
        unit=unit,
        kind="contact_person_set",
        summary=_("Contact person for %(unit)s: %(name)s")
        % {"unit": participant.unit.name, "name": person or "–"},
    )


# --- Meetings -------------------------------------------------------------------------------


@transaction.atomic
def meeting_schedule(
    *,
    actor: User,
    unit: Unit,
    plan: Plan,
    kind: str,
    starts_at: datetime.datetime,
    place: str = "",
    video_link: str = "",
    chair: User | None = None,
    recorder: User | None = None,
    chair_chosen_by_individual: bool = False,
    invited_units: Iterable[tuple[Unit, str]] = (),
    invited_people: Iterable[tuple[Person, str]] = (),
) -> Meeting:
    """Invite to a SIP meeting. By default the inviter chairs and writes the plan (seed 001)."""
    plan = _lock(plan)
    rules.consent_required(plan)
    allowed = (
        rules.CAN_SCHEDULE_FIRST_MEETING
        if kind == Meeting.Kind.FIRST
        else rules.CAN_SCHEDULE_FOLLOW_UP
    )
    refuse_unless(
        plan.state in allowed,
        _("A first meeting is for a new SIP; a follow-up meeting is for an established one."),
    )
    refuse_unless(starts_at > timezone.now(), _("The meeting must be in the future."))
    refuse_unless(
        bool(place.strip()) or bool(video_link.strip()), _("Give a place or a video link.")
    )
    consent = plan.current_consent
    scope_units = set(consent.units.values_list("pk", flat=True))
    invited_units, invited_people = list(invited_units), list(invited_people)
    refuse_unless(bool(invited_units), _("Invite at least one unit."))
    refuse_unless(
        all(u.pk in scope_units for u, _mode in invited_units),
        _("Only units covered by the consent can be invited."),
    )
    allowed_people = {
        plan.person_id,
        *consent.relatives.values_list("pk", flat=True),
        *plan.person.guardians.values_list("pk", flat=True),
    }
    refuse_unless(
        all(p.pk in allowed_people for p, _mode in invited_people),
        _("Only the individual, guardians and relatives covered by the consent can be invited."),
    )
    meeting = Meeting.objects.create(
        plan=plan,
        kind=kind,
        starts_at=starts_at,
        place=place.strip(),
        video_link=video_link.strip(),
        chair=chair or actor,
        recorder=recorder or actor,
        invited_by=actor,
        chair_chosen_by_individual=chair_chosen_by_individual,
    )
    Invitee.objects.bulk_create(
        [Invitee(meeting=meeting, unit=u, mode=mode) for u, mode in invited_units]
        + [Invitee(meeting=meeting, person=p, mode=mode) for p, mode in invited_people]
    )
    state = {}
    if kind == Meeting.Kind.FIRST and plan.state == State.CONSENTED:
        state = _set_state(plan, State.INVITED)
    elif kind == Meeting.Kind.FOLLOW_UP and plan.state == State.ACTIVE:
        state = _set_state(plan, State.FOLLOW_UP)
    _event(
        plan,
        actor=actor,
        unit=unit,
        kind="meeting_scheduled",
        summary=_("%(kind)s scheduled for %(when)s")
        % {
            "kind": meeting.get_kind_display(),
            "when": timezone.localtime(starts_at).strftime("%Y-%m-%d %H:%M"),
        },
        after={"meeting": meeting.pk, "invited": [u.name for u, _m in invited_units], **state},
    )
    notifications.meeting_invitations_queue(meeting=meeting, method="REQUEST")
    return meeting


@transaction.atomic
def meeting_reschedule(
    *,
    actor: User,
    unit: Unit,
    meeting: Meeting,
    expected_version: int,
    starts_at: datetime.datetime,
    place: str = "",
    video_link: str = "",
) -> Meeting:
    """Move a scheduled meeting or change where it is held. The invitees get the change in
    their calendars (the same UID, a higher SEQUENCE); a new time asks them to answer again."""
    meeting = _lock_meeting(meeting)
    plan = meeting.plan
    rules.meeting_changeable(plan, meeting)
    refuse_unless(starts_at > timezone.now(), _("The meeting must be in the future."))
    place, video_link = place.strip(), video_link.strip()
    refuse_unless(bool(place) or bool(video_link), _("Give a place or a video link."))
    before = {
        "starts_at": meeting.starts_at,
        "place": meeting.place,
        "video_link": meeting.video_link,
    }
    after = {"starts_at": starts_at, "place": place, "video_link": video_link}
    changed = {k: [_plain(before[k]), _plain(v)] for k, v in after.items() if before[k] != v}
    # A stale form is told so by _save_locked, not that nothing changed.
    refuse_unless(
        bool(changed) or meeting.lock_version != expected_version, _("Nothing was changed.")
    )
    _save_locked(meeting, expected=expected_version, fields=after)
    if "starts_at" in changed:
        meeting.invitees.update(response=Invitee.Response.PENDING, decline_reason="")
    _event(
        plan,
        actor=actor,
        unit=unit,
        kind="meeting_changed",
        summary=_("%(kind)s moved to %(when)s")
        % {
            "kind": meeting.get_kind_display(),
            "when": timezone.localtime(starts_at).strftime("%Y-%m-%d %H:%M"),
        }
        if "starts_at" in changed
        else _("%(kind)s: place changed") % {"kind": meeting.get_kind_display()},
        before={k: v[0] for k, v in changed.items()},
        after={"meeting": meeting.pk, **{k: v[1] for k, v in changed.items()}},
    )
    notifications.meeting_invitations_queue(meeting=meeting, method="REQUEST")
    return meeting


@transaction.atomic
def invitation_respond(
    *, actor: User, unit: Unit, invitee: Invitee, response: str, reason: str = ""
) -> Invitee:
    """A unit answers its own invitation; staff record the answer of the individual or a
    relative (who answers in person or by phone). A decline needs a reason."""
    meeting = _lock_meeting(invitee.meeting)
    invitee = Invitee.objects.get(pk=invitee.pk, meeting=meeting)
    invitee.meeting = meeting
    refuse_unless(
        invitee.unit_id == unit.pk or invitee.person_id is not None,
        _("Only the invited unit can answer its invitation."),
    )
    refuse_unless(
        invitee.meeting.status == Meeting.Status.SCHEDULED, _("The meeting is no longer scheduled.")
    )
    refuse_unless(
        response in {Invitee.Response.ACCEPTED, Invitee.Response.DECLINED},
        _("Choose accept or decline."),
    )
    refuse_unless(
        response == Invitee.Response.ACCEPTED or bool(reason.strip()),
        _("Say why the invitation is declined."),
    )
    invitee.response, invitee.decline_reason = response, reason.strip()
    invitee.save(update_fields=["response", "decline_reason"])
    _event(
        invitee.meeting.plan,
        actor=actor,
        unit=unit,
        kind="invitation_answered",
        summary=_("%(unit)s: %(answer)s")
        % {"unit": str(invitee), "answer": invitee.get_response_display()},
        after={"response": response, "reason": invitee.decline_reason},
    )
    return invitee


@transaction.atomic
def meeting_held(
    *,
    actor: User,
    unit: Unit,
    meeting: Meeting,
    attended: Iterable[int],
    opening_notes: str = "",
    summary_notes: str = "",
) -> Meeting:
    """Record that the meeting took place and who attended."""
    meeting = _lock_meeting(meeting)
    plan = meeting.plan
    refuse_unless(not plan.is_closed, _("The SIP is closed and can no longer be changed."))
    refuse_unless(meeting.status == Meeting.Status.SCHEDULED, _("The meeting is already recorded."))
    attended = set(attended)
    for invitee in meeting.invitees.all():
        invitee.attended = invitee.pk in attended
        invitee.save(update_fields=["attended"])
    meeting.status = Meeting.Status.HELD
    meeting.opening_notes, meeting.summary_notes = opening_notes.strip(), summary_notes.strip()
    meeting.lock_version += 1
    meeting.save(update_fields=["status", "opening_notes", "summary_notes", "lock_version"])
    _event(
        plan,
        actor=actor,
        unit=unit,
        kind="meeting_held",
        summary=_("%(kind)s held") % {"kind": meeting.get_kind_display()},
        after={"meeting": meeting.pk, "attended": len(attended)},
    )
    return meeting


@transaction.atomic
def meeting_cancel(*, actor: User, unit: Unit, meeting: Meeting) -> Meeting:
    """Cancel a scheduled meeting; the invitees get the cancellation in their calendars."""
    meeting = _lock_meeting(meeting)  # two cancellations, or one and a closing, queue up
    plan = meeting.plan
    refuse_unless(
        meeting.status == Meeting.Status.SCHEDULED, _("Only a scheduled meeting can be cancelled.")
    )
    Meeting.objects.filter(pk=meeting.pk).update(
        status=Meeting.Status.CANCELLED, lock_version=F("lock_version") + 1
    )
    meeting.status = Meeting.Status.CANCELLED
    _event(
        plan,
        actor=actor,
        unit=unit,
        kind="meeting_cancelled",
        summary=_("%(kind)s cancelled") % {"kind": meeting.get_kind_display()},
    )
    notifications.meeting_invitations_queue(meeting=meeting, method="CANCEL")
    return meeting


# --- Establishing, versions and approval ----------------------------------------------------


def _new_version(
    plan: Plan, *, actor: User, unit: Unit, approval: str, method: str = "", comment: str = ""
) -> PlanVersion:
    number = plan.current_version + 1
    approved = approval == PlanVersion.Approval.APPROVED
    version = PlanVersion.objects.create(
        plan=plan,
        number=number,
        created_by=actor,
        created_unit=unit,
        snapshot=plan_snapshot(plan),
        approval=approval,
        approval_method=method if approved else "",
        approved_at=timezone.now() if approved else None,
        approval_recorded_by=actor if approved else None,
        approval_comment=comment.strip(),
    )
    Plan.objects.filter(pk=plan.pk).update(current_version=number)
    plan.current_version = number
    return version


def _content_complete(plan: Plan) -> None:
    check = rules.legal_content_check(plan)
    refuse_unless(
        check.complete,
        _("The plan is missing: %(missing)s.") % {"missing": "; ".join(check.missing)},
    )


@transaction.atomic
def plan_establish(
    *, actor: User, unit: Unit, plan: Plan, approval_method: str, approval_comment: str = ""
) -> PlanVersion:
    """Establish the plan at the meeting, with the individual's approval (003: nothing without it)."""
    plan = _lock(plan)
    refuse_unless(
        plan.state in rules.CAN_ESTABLISH,
        _("Only an invited SIP, after its first meeting, can be established."),
    )
    refuse_unless(
        plan.meetings.filter(kind=Meeting.Kind.FIRST, status=Meeting.Status.HELD).exists(),
        _("Record the first meeting as held before establishing the plan."),
    )
    rules.consent_required(plan)
    rules.both_principals_take_part(plan)
    _content_complete(plan)
    refuse_unless(plan.lead_id is not None, _("Appoint the lead (huvudansvarig) first."))
    refuse_unless(
        approval_method in PlanVersion.Method.values, _("Say how the individual approved the plan.")
    )
    version = _new_version(
        plan,
        actor=actor,
        unit=unit,
        approval=PlanVersion.Approval.APPROVED,
        method=approval_method,
        comment=approval_comment,
    )
    state = _set_state(plan, State.ACTIVE)
    _event(
        plan,
        actor=actor,
        unit=unit,
        kind="established",
        summary=_("Plan established as version %(n)s, approved by the individual")
        % {"n": version.number},
        after={"version": version.number, "approval_method": approval_method, **state},
    )
    return version


@transaction.atomic
def plan_revise(
    *, actor: User, unit: Unit, plan: Plan, approval_method: str = "", approval_comment: str = ""
) -> PlanVersion:
    """A revision is a new version; it stands only when the individual approves it (seed 003)."""
    plan = _lock(plan)
    refuse_unless(plan.state in rules.CAN_FOLLOW_UP, _("Only an established SIP can be revised."))
    _content_complete(plan)
    if approval_method:
        refuse_unless(
            approval_method in PlanVersion.Method.values,
            _("Say how the individual approved the plan."),
        )
        version = _new_version(
            plan,
            actor=actor,
            unit=unit,
            approval=PlanVersion.Approval.APPROVED,
            method=approval_method,
            comment=approval_comment,
        )
        state = _set_state(plan, State.ACTIVE)
        summary = _("Plan revised to version %(n)s, approved by the individual")
    else:
        version = _new_version(plan, actor=actor, unit=unit, approval=PlanVersion.Approval.PENDING)
        state = _set_state(plan, State.REVISION)
        summary = _("Plan revised to version %(n)s, awaiting the individual's approval")
    _event(
        plan,
        actor=actor,
        unit=unit,
        kind="revised",
        summary=summary % {"n": version.number},
        after={"version": version.number, **state},
    )
    return version


@transaction.atomic
def version_approval_record(
    *, actor: User, unit: Unit, plan: Plan, approved: bool, method: str, comment: str = ""
) -> PlanVersion:
    """Record the individual's answer to a pending revision."""
    plan = _lock(plan)
    refuse_unless(plan.state in rules.CAN_APPROVE, _("No version is waiting for approval."))
    refuse_unless(method in PlanVersion.Method.values, _("Say how the individual answered."))
    refuse_unless(approved or bool(comment.strip()), _("Write what the individual wants changed."))
    version = plan.versions.get(number=plan.current_version)
    version.approval = PlanVersion.Approval.APPROVED if approved else PlanVersion.Approval.DECLINED
    version.approval_method, version.approved_at = method, timezone.now()
    version.approval_recorded_by, version.approval_comment = actor, comment.strip()
    version.save(
        update_fields=[
            "approval",
            "approval_method",
            "approved_at",
            "approval_recorded_by",
            "approval_comment",
        ]
    )
    state = _set_state(plan, State.ACTIVE)
    _event(
        plan,
        actor=actor,
        unit=unit,
        kind="version_approved" if approved else "version_declined",
        summary=(
            _("Version %(n)s approved by the individual")
            if approved
            else _("Version %(n)s declined by the individual")
        )
        % {"n": version.number},
        after={"version": version.number, **state},
    )
    return version


# --- Follow-up and closing ------------------------------------------------------------------


@transaction.atomic
def followup_record(
    *,
    actor: User,
    unit: Unit,
    plan: Plan,
    how_it_went: str,
    helped_hindered: str,
    coordination_needed: bool,
    continue_interventions: str,
    decision: str,
    next_follow_up: datetime.date | None = None,
    meeting: Meeting | None = None,
    approval_method: str = "",
    closing_reason: str = "",
    closing_text: str = "",
) -> FollowUp:
    """The guideline's five questions, then continue, revise or close (seed 001, 7)."""
    plan = _lock(plan)
    refuse_unless(
        plan.state in rules.CAN_FOLLOW_UP, _("Only an established SIP can be followed up.")
    )
    for answer in (how_it_went, helped_hindered, continue_interventions):
        refuse_unless(bool(answer.strip()), _("Answer every follow-up question."))
    refuse_unless(
        decision in FollowUp.Decision.values, _("Choose whether to continue, revise or close.")
    )
    if decision != FollowUp.Decision.CLOSE:
        refuse_unless(
            next_follow_up is not None and next_follow_up > timezone.localdate(),
            _("Set the date of the next follow-up, after today."),
        )
    followup = FollowUp.objects.create(
        plan=plan,
        meeting=meeting,
        how_it_went=how_it_went.strip(),
        helped_hindered=helped_hindered.strip(),
        coordination_needed=coordination_needed,
        continue_interventions=continue_interventions.strip(),
        decision=decision,
        recorded_by=actor,
        recorded_unit=unit,
    )
    _event(
        plan,
        actor=actor,
        unit=unit,
        kind="followed_up",
        summary=_("Follow-up recorded: %(decision)s")
        % {"decision": followup.get_decision_display()},
        after={"decision": decision},
    )
    if decision == FollowUp.Decision.CLOSE:
        _close(
            plan,
            actor=actor,
            unit=unit,
            reason=closing_reason or Plan.ClosingReason.NOT_NEEDED,
            text=closing_text,
        )
        return followup
    Plan.objects.filter(pk=plan.pk).update(
        next_follow_up=next_follow_up, lock_version=F("lock_version") + 1
    )
    plan.next_follow_up = next_follow_up
    if decision == FollowUp.Decision.REVISE:
        plan_revise(actor=actor, unit=unit, plan=plan, approval_method=approval_method)
    elif plan.state == State.FOLLOW_UP:
        _set_state(plan, State.ACTIVE)
    return followup


def _close(
    plan: Plan,
    *,
    actor: User | None,
    unit: Unit | None,
    reason: str,
    text: str = "",
    citizen: Person | None = None,
) -> Plan:
    refuse_unless(not plan.is_closed, _("The SIP is already closed."))
    refuse_unless(reason in Plan.ClosingReason.values, _("Choose a reason for closing."))
    refuse_unless(
        reason != Plan.ClosingReason.OTHER or bool(text.strip()),
        _("Describe the reason for closing."),
    )
    now = timezone.now()
    Plan.objects.filter(pk=plan.pk).update(
        closed_at=now, closing_reason=reason, closing_text=text.strip()
    )
    plan.closed_at, plan.closing_reason, plan.closing_text = now, reason, text.strip()
    state = _set_state(plan, State.CLOSED)
    Meeting.objects.filter(plan=plan, status=Meeting.Status.SCHEDULED).update(
        status=Meeting.Status.CANCELLED
    )
    _event(
        plan,
        actor=actor,
        unit=unit,
        kind="closed",
        summary=_("SIP closed: %(reason)s") % {"reason": plan.get_closing_reason_display()},
        after={"reason": reason, **state},
        citizen=citizen,
    )
    _closing_notices_send(plan, actor=actor)
    return plan


def _told_of_closing(plan: Plan) -> tuple[set[int], set]:
    """The ids of the units and people already recorded as told of the closing."""
    rows = ClosingNotice.objects.filter(plan=plan).values_list("unit_id", "person_id")
    return {u for u, _p in rows if u}, {p for _u, p in rows if p}


def _closing_notices_send(plan: Plan, *, actor: User | None) -> None:
    """Samplan tells every participating unit and the individual (and the guardians of a child)
    that the SIP is closed, and records them as informed: the lead's duty (seed 001, 9), done
    in the same transaction as the closing. The meetings it cancelled get their cancellation."""
    sent = notifications.plan_closed_queue(plan=plan)
    told_units, told_people = _told_of_closing(plan)
    units = {n.unit_id for n in sent if n.unit_id} - told_units
    people = {n.person_id for n in sent if n.person_id} - told_people
    method = ClosingNotice.Method.SAMPLAN
    ClosingNotice.objects.bulk_create(
        [ClosingNotice(plan=plan, unit_id=u, informed_by=actor, method=method) for u in units]
        + [ClosingNotice(plan=plan, person_id=p, informed_by=actor, method=method) for p in people]
    )


@transaction.atomic
def plan_close(*, actor: User, unit: Unit, plan: Plan, reason: str, text: str = "") -> Plan:
    """Close the SIP with a reason; the lead then informs every participant (seed 001, 9)."""
    plan = _lock(plan)
    return _close(plan, actor=actor, unit=unit, reason=reason, text=text)


@transaction.atomic
def closing_notices_record(
    *,
    actor: User,
    unit: Unit,
    plan: Plan,
    units: Iterable[Unit] = (),
    people: Iterable[Person] = (),
) -> list[ClosingNotice]:
    """The lead records who has been told that the SIP is closed in another way than by
    Samplan's notice (by phone, by letter). Whoever is already recorded is not recorded twice."""
    refuse_unless(plan.is_closed, _("The SIP is not closed."))
    told_units, told_people = _told_of_closing(plan)
    units = [u for u in dict.fromkeys(units) if u.pk not in told_units]
    people = [p for p in dict.fromkeys(people) if p.pk not in told_people]
    refuse_unless(bool(units) or bool(people), _("Tick who has been informed."))
    notices = ClosingNotice.objects.bulk_create(
        [ClosingNotice(plan=plan, unit=u, informed_by=actor) for u in units]
        + [ClosingNotice(plan=plan, person=p, informed_by=actor) for p in people]
    )
    _event(
        plan,
        actor=actor,
        unit=unit,
        kind="closing_informed",
        summary=_("Informed of the closing: %(who)s")
        % {"who": ", ".join([u.name for u in units] + [p.full_name for p in people])},
    )
    return notices


# --- Min SIP: what the individual, a guardian or a relative does -----------------------------
# The policy (samplan.policy) decides who may do what; these functions check the SIP's rules.


def _citizen_name(citizen: Person) -> str:
    return citizen.full_name


@transaction.atomic
def version_answer_by_citizen(
    *, citizen: Person, plan: Plan, approved: bool, comment: str = ""
) -> PlanVersion:
    """The individual (or a guardian for a child) approves or declines a new version himself or
    herself; the plan may not change without that approval (seed 003)."""
    plan = _lock(plan)
    refuse_unless(plan.state in rules.CAN_APPROVE, _("No version is waiting for your approval."))
    refuse_unless(approved or bool(comment.strip()), _("Write what you want changed."))
    version = plan.versions.get(number=plan.current_version)
    version.approval = PlanVersion.Approval.APPROVED if approved else PlanVersion.Approval.DECLINED
    version.approval_method, version.approved_at = PlanVersion.Method.DIGITAL, timezone.now()
    version.approval_comment = comment.strip()
    version.save(update_fields=["approval", "approval_method", "approved_at", "approval_comment"])
    state = _set_state(plan, State.ACTIVE)
    summary = (
        _("Version %(n)s approved in Min SIP by %(name)s")
        if approved
        else _("Version %(n)s declined in Min SIP by %(name)s")
    )
    _event(
        plan,
        actor=None,
        unit=None,
        citizen=citizen,
        kind="version_approved" if approved else "version_declined",
        summary=summary % {"n": version.number, "name": _citizen_name(citizen)},
        after={"version": version.number, "method": "digital", **state},
    )
    if not approved:
        CitizenMessage.objects.create(
            plan=plan, author=citizen, kind=CitizenMessage.Kind.CHANGE, text=comment.strip()
        )
    return version


@transaction.atomic
def citizen_message_send(*, citizen: Person, plan: Plan, kind: str, text: str) -> CitizenMessage:
    """A comment, a proposed change or a request for a new SIP, for the staff to handle."""
    refuse_unless(
        kind
        in {CitizenMessage.Kind.COMMENT, CitizenMessage.Kind.CHANGE, CitizenMessage.Kind.NEW_SIP},
        _("Choose what kind of message it is."),
    )
    refuse_unless(bool(text.strip()), _("Write your message."))
    refuse_unless(len(text) <= 4000, _("The message is too long (at most 4,000 characters)."))
    message = CitizenMessage.objects.create(plan=plan, author=citizen, kind=kind, text=text.strip())
    _event(
        plan,
        actor=None,
        unit=None,
        citizen=citizen,
        kind=f"citizen_{kind}",
        summary=_("%(kind)s from %(name)s in Min SIP")
        % {"kind": message.get_kind_display(), "name": _citizen_name(citizen)},
    )
    return message


@transaction.atomic
def citizen_message_handle(*, actor: User, unit: Unit, message: CitizenMessage) -> CitizenMessage:
    refuse_unless(message.handled_at is None, _("The message is already handled."))
    message.handled_at, message.handled_by = timezone.now(), actor
    message.save(update_fields=["handled_at", "handled_by"])
    _event(
        message.plan,
        actor=actor,
        unit=unit,
        kind="citizen_message_handled",
        summary=_("Message from Min SIP handled: %(kind)s") % {"kind": message.get_kind_display()},
    )
    return message


@transaction.atomic
def relative_access_grant(
    *, citizen: Person, plan: Plan, relative: Person, sections: list[str]
) -> RelativeAccess:
    """The individual lets a relative see chosen parts of the plan, within the consent."""
    refuse_unless(not plan.is_closed, _("The SIP is closed."))
    consent = plan.current_consent
    refuse_unless(
        consent is not None
        and consent.decision == Consent.Decision.GIVEN
        and consent.relatives.filter(pk=relative.pk).exists(),
        _(
            "Only a relative covered by your consent can be invited. Ask your contact person to add him or her."
        ),
    )
    refuse_unless(
        bool(sections) and set(sections) <= set(RelativeAccess.Section.values),
        _("Choose what the relative may see."),
    )
    RelativeAccess.objects.filter(plan=plan, relative=relative, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    access = RelativeAccess.objects.create(
        plan=plan, relative=relative, sections=sorted(set(sections)), granted_by=citizen
    )
    _event(
        plan,
        actor=None,
        unit=None,
        citizen=citizen,
        kind="relative_invited",
        summary=_("%(relative)s invited to Min SIP by %(name)s")
        % {"relative": relative.full_name, "name": _citizen_name(citizen)},
        after={"sections": access.sections},
    )
    return access


@transaction.atomic
def relative_access_revoke(*, citizen: Person, plan: Plan, relative: Person) -> None:
    updated = RelativeAccess.objects.filter(
        plan=plan, relative=relative, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    refuse_unless(bool(updated), _("The relative has no access to remove."))
    _event(
        plan,
        actor=None,
        unit=None,
        citizen=citizen,
        kind="relative_removed",
        summary=_("%(relative)s removed from Min SIP by %(name)s")
        % {"relative": relative.full_name, "name": _citizen_name(citizen)},
    )


@transaction.atomic
def consent_withdraw_by_citizen(*, citizen: Person, plan: Plan) -> Plan:
    """The individual may end the SIP at any time (seed 003): the consent is withdrawn, the plan
    closes at once and the lead is told."""
    plan = _lock(plan)
    refuse_unless(not plan.is_closed, _("The SIP is already closed."))
    current = plan.current_consent
    refuse_unless(
        current is not None and current.decision == Consent.Decision.GIVEN,
        _("There is no given consent to withdraw."),
    )
    Consent.objects.create(
        plan=plan,
        number=current.number + 1,
        decision=Consent.Decision.WITHDRAWN,
        decided_on=timezone.localdate(),
        mode=Consent.Mode.DIGITAL,
        given_by=current.given_by,
        recorded_by_citizen=citizen,
    )
    _event(
        plan,
        actor=None,
        unit=None,
        citizen=citizen,
        kind="consent_withdrawn",
        summary=_("Consent withdrawn in Min SIP by %(name)s") % {"name": _citizen_name(citizen)},
    )
    CitizenMessage.objects.create(
        plan=plan,
        author=citizen,
        kind=CitizenMessage.Kind.WITHDRAWAL,
        text=_("I withdraw my consent and end the SIP."),
    )
    return _close(
        plan,
        actor=None,
        unit=None,
        citizen=citizen,
        reason=Plan.ClosingReason.CONSENT_WITHDRAWN,
        text=_("samtycke återkallat"),
    )


__all__ = ["ConsentDoesNotCover", "OpenPlanExists", "RuleViolation", "StaleEdit"]
