"""The rules of the SIP, in one place, read as the guideline reads.

Sources: SoL 2 kap. 7 § and HSL 16 kap. 4 § (the duty and the plan's required content),
Socialstyrelsen's knowledge guide (seed 004), Region Dalarna's guideline (seed 001) and the
15-day local agreement (seed 002). Each rule returns the Swedish message shown when it refuses.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from samplan.accounts.models import Organization
from samplan.plans.models import Consent, LocalAgreement, Meeting, Plan

State = Plan.State

# Which states a transition may start from.
CAN_RECORD_CONSENT = {
    State.INITIATED,
    State.CONSENT_REFUSED,
    State.CONSENTED,
    State.INVITED,
    State.ACTIVE,
    State.FOLLOW_UP,
    State.REVISION,
}
CAN_SCHEDULE_FIRST_MEETING = {State.CONSENTED, State.INVITED}
CAN_SCHEDULE_FOLLOW_UP = {State.ACTIVE, State.FOLLOW_UP, State.REVISION}
CAN_ESTABLISH = {State.INVITED}
CAN_FOLLOW_UP = {State.ACTIVE, State.FOLLOW_UP}
CAN_APPROVE = {State.REVISION}
BEFORE_CONSENT = {State.INITIATED, State.CONSENT_REFUSED}
# Content may change once consent is given; not while a revision awaits the individual's answer.
EDITABLE_CONTENT = {State.CONSENTED, State.INVITED, State.ACTIVE, State.FOLLOW_UP}


class RuleViolation(Exception):
    """A refused transition. The message is meant for the person who tried."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def refuse_unless(condition: bool, message: str) -> None:
    if not condition:
        raise RuleViolation(message)


# --- Consent (principle 1: no SIP work without the individual's consent) -------------------


def meeting_changeable(plan: Plan, meeting: Meeting) -> None:
    """A meeting is moved only while it is booked and the SIP is open."""
    refuse_unless(not plan.is_closed, _("The SIP is closed and can no longer be changed."))
    refuse_unless(
        meeting.status == Meeting.Status.SCHEDULED, _("Only a scheduled meeting can be changed.")
    )


def consent_required(plan: Plan) -> None:
    """Consent comes before any invitation, meeting or sharing (Socialstyrelsen, principle 1)."""
    consent = plan.current_consent
    refuse_unless(
        consent is not None and consent.decision == Consent.Decision.GIVEN,
        _(
            "The individual's consent must be recorded before anything is shared or anyone is invited."
        ),
    )
    refuse_unless(
        consent.is_valid,
        _("The consent expired on %(date)s. Record a new consent first.")
        % {"date": consent.valid_until},
    )


def consent_givers_valid(
    plan: Plan, given_by: str, guardians: list, today: datetime.date, *, refused: bool = False
) -> None:
    """For a child under 18 the guardians consent, each of them (FB 6 kap. 11 §, 13 §);
    one guardian's refusal is enough to refuse."""
    person = plan.person
    if person.is_child(today):
        refuse_unless(
            given_by == Consent.GivenBy.GUARDIANS,
            _("%(name)s is a child: the guardians give the consent.") % {"name": person.full_name},
        )
        registered = set(person.guardians.values_list("pk", flat=True))
        refuse_unless(
            bool(registered), _("Register the child's guardians before recording consent.")
        )
        chosen = {g.pk for g in guardians}
        if refused:
            refuse_unless(
                bool(chosen) and chosen <= registered,
                _("Tick the guardian or guardians who refused."),
            )
        else:
            refuse_unless(
                chosen == registered,
                _("Every guardian must consent for a child. Tick each guardian who has consented."),
            )
    else:
        refuse_unless(
            given_by == Consent.GivenBy.INDIVIDUAL,
            _("An adult gives his or her own consent."),
        )


# --- The plan's content (SoL 2 kap. 7 § andra stycket, HSL 16 kap. 4 § andra stycket) -------


@dataclass(frozen=True)
class ContentCheck:
    missing: list[str]

    @property
    def complete(self) -> bool:
        return not self.missing


def legal_content_check(plan: Plan) -> ContentCheck:
    """The law's elements: the interventions needed, which the municipality answers for, which
    the region answers for, actions by others (or an explicit none), which principal has the
    overall responsibility; plus a follow-up date (the guideline's recommendation, made a rule)."""
    interventions = [
        i
        for i in plan.interventions.select_related("organization")
        if i.status != i.Status.CANCELLED
    ]
    kinds = {i.organization.kind for i in interventions}
    missing = []
    if not interventions:
        missing.append(_("the interventions that are needed"))
    if Organization.Kind.MUNICIPALITY not in kinds:
        missing.append(_("which interventions the municipality answers for"))
    if Organization.Kind.REGION not in kinds:
        missing.append(_("which interventions the region answers for"))
    if Organization.Kind.OTHER not in kinds and not plan.no_other_actors:
        missing.append(_("actions by other actors, or an explicit 'none'"))
    if plan.overall_responsibility_id is None:
        missing.append(_("which principal has the overall responsibility"))
    if plan.next_follow_up is None:
        missing.append(_("the date of the follow-up"))
    return ContentCheck(missing)


def both_principals_take_part(plan: Plan) -> None:
    """One principal's initiative binds both: a plan needs a municipality and a region unit."""
    kinds = {p.unit.organization.kind for p in plan.participants.all() if p.is_active}
    refuse_unless(
        Organization.Kind.MUNICIPALITY in kinds and Organization.Kind.REGION in kinds,
        _("At least one municipality unit and one region unit must take part."),
    )


def overall_responsibility_valid(organization) -> None:
    """Only a principal, a municipality or a region, can have the overall responsibility."""
    refuse_unless(
        organization is None or organization.is_principal,
        _("The overall responsibility lies with a municipality or a region, never another actor."),
    )


# --- One SIP per individual; a unit joins only within the consent --------------------------

# An individual has one open SIP at a time: a new initiative for him or her reaches that one.
NOT_OPEN = {State.CLOSED, State.CONSENT_REFUSED}


class OpenPlanExists(RuleViolation):
    """The individual already has an open SIP, and the acting unit sees it (it takes part, or
    it initiated the plan and there is no consent yet): it may be told, with a link."""

    def __init__(self, message: str, plan: Plan):
        super().__init__(message)
        self.plan = plan


class ConsentDoesNotCover(RuleViolation):
    """A unit may take part only when the individual's current consent names it."""

    def __init__(self, message: str, unit):
        super().__init__(message)
        self.unit = unit


def join_request_acceptable(plan: Plan, unit) -> None:
    """A request to take part is accepted only within the individual's consent (principle 1):
    the current, valid consent must name the unit. Otherwise a new consent that includes the
    unit is recorded first (recording it accepts the request)."""
    refuse_unless(not plan.is_closed, _("The SIP is closed and can no longer be changed."))
    consent = plan.current_consent
    covered = (
        plan.state not in BEFORE_CONSENT
        and consent is not None
        and consent.is_valid
        and consent.units.filter(pk=unit.pk).exists()
    )
    if not covered:
        raise ConsentDoesNotCover(
            _(
                "The individual's consent must first cover %(unit)s. Record a new consent "
                "that includes the unit; the request is then accepted."
            )
            % {"unit": unit.name},
            unit,
        )


# --- Deadlines (utan dröjsmål; the local agreement's 15 days) --------------------------------

DEFAULT_AGREEMENT = LocalAgreement(
    consent_within_days=5, first_meeting_within_days=15, due_soon_days=7
)


def agreement_for(plan: Plan) -> LocalAgreement:
    try:
        return plan.initiating_unit.organization.local_agreement
    except LocalAgreement.DoesNotExist:
        return DEFAULT_AGREEMENT


@dataclass(frozen=True)
class Deadline:
    label: str
    due: datetime.date
    status: str  # "ok", "due_soon", "overdue"


def deadline(plan: Plan, today: datetime.date | None = None) -> Deadline | None:
    """The next deadline the plan must meet, with a due-soon or overdue flag."""
    today = today or timezone.localdate()
    agreement = agreement_for(plan)
    if plan.state == State.INITIATED:
        label = _("Consent without delay")
        due = timezone.localdate(plan.initiated_at) + datetime.timedelta(
            agreement.consent_within_days
        )
    elif plan.state in {State.CONSENTED, State.INVITED}:
        consent = plan.first_consent_given
        if consent is None:
            return None
        label = _("First meeting")
        due = consent.decided_on + datetime.timedelta(agreement.first_meeting_within_days)
    elif plan.state in {State.ACTIVE, State.FOLLOW_UP, State.REVISION} and plan.next_follow_up:
        label = _("Follow-up")
        due = plan.next_follow_up
    else:
        return None
    if due < today:
        status = "overdue"
    elif (due - today).days <= agreement.due_soon_days:
        status = "due_soon"
    else:
        status = "ok"
    return Deadline(label, due, status)
