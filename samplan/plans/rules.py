"""The rules of the SIP, in one place, read as the guideline reads.

Sources: the SIP duty and the plan's required content in the social services act (SoL 2001:453
2 kap. 7 § until 2025-06-30, socialtjänstlagen 2025:400 from 2025-07-01) and HSL 16 kap. 4 §,
cited through samplan.core.law,
Socialstyrelsen's knowledge guide, Region Dalarna's guideline and the
15-day local agreement (docs/domain.md, Sources). Each rule returns the Swedish message shown when it refuses.
"""

import datetime
import re
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samplan.accounts.models import Membership, Organization, Unit
from samplan.core import dates
from samplan.people.models import Relation
from samplan.plans.models import (
    Consent,
    ConsentLimit,
    EscalationStep,
    Intervention,
    LocalAgreement,
    Meeting,
    Participant,
    Plan,
    PlanEvent,
    Topic,
)

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
BEFORE_CONSENT = frozenset({State.INITIATED, State.CONSENT_REFUSED})
# Content may change once consent is given; not while a revision awaits the individual's answer.
EDITABLE_CONTENT = {State.CONSENTED, State.INVITED, State.ACTIVE, State.FOLLOW_UP}

# The transition table: which action may start from which state. Services refuse outside it;
# pages offer an action only inside it.
TRANSITIONS = {
    "consent.record": CAN_RECORD_CONSENT,
    "meeting.schedule_first": CAN_SCHEDULE_FIRST_MEETING,
    "meeting.schedule_follow_up": CAN_SCHEDULE_FOLLOW_UP,
    "plan.establish": CAN_ESTABLISH,
    "plan.follow_up": CAN_FOLLOW_UP,
    "version.approve": CAN_APPROVE,
    "content.edit": EDITABLE_CONTENT,
    "plan.bring_in": frozenset(),  # from no state: only while kept elsewhere (may_start)
}

# The next step of the process, by state (the overview's "Next step"); none once closed.
NEXT_STEP = {
    State.INITIATED: "consent",
    State.CONSENT_REFUSED: "consent",
    State.CONSENTED: "first_meeting",
    State.INVITED: "establish",
    State.REVISION: "approval",
    State.ACTIVE: "follow_up",
    State.FOLLOW_UP: "follow_up",
}


# A SIP kept elsewhere (on paper, in another system) is registered, not written here: staff
# can only bring it into Samplan (or close it). Its content is edited once it is brought in.
WHILE_KEPT_ELSEWHERE = frozenset({"plan.bring_in"})


def kept_elsewhere(plan: Plan) -> bool:
    """The SIP exists on paper, in another system, or as a joint plan that meets the law,
    and is registered in Samplan without its content (Plan.kept_elsewhere)."""
    return bool(plan.kept_elsewhere)


def kept_on_paper(plan: Plan) -> bool:
    """Kept elsewhere, in a paper record (the worklist's "Finns på papper")."""
    return plan.kept_elsewhere == Plan.KeptElsewhere.PAPER


def may_start(action: str, plan: Plan) -> bool:
    """May this transition start from the plan's state? (TRANSITIONS)"""
    if kept_elsewhere(plan):
        return action in WHILE_KEPT_ELSEWHERE and not is_closed(plan)
    return plan.state in TRANSITIONS[action]


def meeting_kind_for(plan: Plan) -> str:
    """A meeting booked now is the first one until the plan is established, then a follow-up."""
    return (
        Meeting.Kind.FIRST if may_start("meeting.schedule_first", plan) else Meeting.Kind.FOLLOW_UP
    )


def next_step(plan: Plan) -> str | None:
    """What the writing units do next: consent, first_meeting, establish, approval, follow_up,
    or bring_in for a SIP kept elsewhere."""
    if kept_elsewhere(plan) and not is_closed(plan):
        return "bring_in"
    return NEXT_STEP.get(plan.state)


# --- Predicates: the facts every other module asks about (policy, services, pages) ---------


def before_consent(plan: Plan) -> bool:
    """No consent yet (or it was refused): only the initiating unit knows of the plan."""
    return plan.state in BEFORE_CONSENT


def is_closed(plan: Plan) -> bool:
    return plan.state == State.CLOSED


def consent_given(consent: Consent | None) -> bool:
    """The consent (usually the plan's current one) is a given consent."""
    return consent is not None and consent.decision == Consent.Decision.GIVEN


def consent_valid(consent: Consent | None, today: datetime.date | None = None) -> bool:
    """A given consent that has not expired (a consent may be limited in time)."""
    if not consent_given(consent):
        return False
    return consent.valid_until is None or consent.valid_until >= (today or timezone.localdate())


def consent_refused(consent: Consent | None) -> bool:
    """The consent (usually the plan's current one) was refused: no SIP is made unless the
    individual (or the guardians) change their mind."""
    return consent is not None and consent.decision == Consent.Decision.REFUSED


def consent_withdrawable(plan: Plan) -> bool:
    """The SIP can be ended by withdrawing the consent (consent_withdraw): it is open and
    there is a given consent to withdraw. Min SIP offers "End your SIP" only then."""
    return not is_closed(plan) and consent_given(plan.current_consent)


def consent_given_q(prefix: str = "") -> Q:
    """`consent_given` as a query condition on consents (`prefix` leads to the consent)."""
    return Q(**{f"{prefix}decision": Consent.Decision.GIVEN})


def guardian_of_q(person, prefix: str = "person__") -> Q:
    """`is_guardian_of` as a query condition: `person` is a guardian of the one `prefix` leads
    to. The age and protection checks (`acts_for_child`) are made on the rows found."""
    return Q(
        **{
            f"{prefix}relations__related": person,
            f"{prefix}relations__kind": Relation.Kind.GUARDIAN,
        }
    )


def first_consent_given(plan: Plan) -> Consent | None:
    """The first given consent: the deadline for the first meeting counts from it."""
    given = [c for c in plan.consents.all() if consent_given(c)]
    return min(given, key=lambda consent: consent.number, default=None)


def takes_part(plan: Plan, unit, *, writing: bool = False) -> bool:
    """The unit is an active participant (with edit access when `writing`). Reads the plan's
    prefetched participants."""
    return any(
        p.unit_id == unit.pk
        and p.is_active
        and (not writing or p.access == Participant.Access.EDIT)
        for p in plan.participants.all()
    )


def is_guardian_of(person, child) -> bool:
    """`person` is a registered guardian (vårdnadshavare) of `child`. Reads the child's
    relations (prefetch `person__relations` when asking for many plans)."""
    return any(
        r.related_id == person.pk and r.kind == Relation.Kind.GUARDIAN
        for r in child.relations.all()
    )


def acts_for_child(person, plan: Plan) -> bool:
    """A guardian acts for the individual while he or she is a child (under 18), never for a
    protected individual (no proxy access to a protected identity)."""
    subject = plan.person
    return not subject.protected_identity and subject.is_child() and is_guardian_of(person, subject)


def relative_sees(person, plan: Plan) -> bool:
    """An invited relative sees an open plan while the individual's current, given consent
    names him or her and the invitation is not revoked."""
    if plan.person.protected_identity or is_closed(plan):
        return False
    consent = plan.current_consent
    return (
        consent_given(consent)
        and any(r.pk == person.pk for r in consent.relatives.all())
        and any(
            a.relative_id == person.pk and a.revoked_at is None
            for a in plan.relative_accesses.all()
        )
    )


def followup_basis(plan: Plan) -> str:
    """What a follow-up is written against: the newest version and the follow-ups so far. A
    follow-up sent on an older basis was written without knowing of one recorded meanwhile
    (and its revision), so it is refused as stale instead of making a second new version."""
    newest = max((v.number for v in plan.versions.all()), default=0)
    return f"{newest}/{plan.follow_ups.count()}"


def meeting_started(meeting: Meeting) -> bool:
    """A meeting can be recorded as held (and its notes written as what happened) once it
    has begun, never before."""
    return meeting.starts_at <= timezone.now()


def date_sane(kind: str, value, field: str) -> None:
    """Refuse a date outside the sane range of its kind (samplan.core.dates), at its field."""
    problem = dates.date_problem(kind, value)
    refuse_unless(problem is None, problem or "", field)


def kept_elsewhere_valid(kept: str, where: str, meets_law: bool) -> None:
    """A SIP kept elsewhere says how and where it is kept. A joint plan (for instance a plan
    from school or psychiatry) counts as the individual's SIP only when the staff confirm that
    it contains what the law requires of a SIP (legal_content_check's elements)."""
    refuse_unless(
        kept in Plan.KeptElsewhere.values, _("Say how the SIP is kept."), "kept_elsewhere"
    )
    refuse_unless(
        bool(where.strip()), _("Say where the SIP is kept, so that it can be found."), "kept_where"
    )
    refuse_unless(
        kept != Plan.KeptElsewhere.JOINT_PLAN or meets_law,
        _("A joint plan counts as the SIP only if it contains what the law requires. Confirm it."),
        "meets_law",
    )


def initiative_names_proposer(source: str) -> bool:
    """A SIP proposed by a relative or another actor records who that was; staff and the
    individual are known already (the initiator, the person the plan is about)."""
    return source in (Plan.Source.RELATIVE, Plan.Source.OTHER_ACTOR)


# A representative's access in Min SIP, ranked: each level includes those before it.
MIN_SIP_RANK = {level: rank for rank, level in enumerate(Relation.MinSip.values)}


def represents(person, plan: Plan, level: str = Relation.MinSip.READ) -> bool:
    """A god man, förvaltare or ombud acts for the individual in Min SIP as far as the
    appointment or power of attorney covers the SIP (Relation.min_sip: read, write, answer new
    versions), while it is valid. Ending the SIP, and who else may see it, stay the
    individual's own decisions (or the guardians', for a child). Never for a protected
    individual (no proxy access to a protected identity). Reads the individual's relations
    (prefetch `person__relations` when asking for many plans)."""
    subject = plan.person
    if subject.protected_identity:
        return False
    today = timezone.localdate()
    wanted = MIN_SIP_RANK[level]
    return any(
        r.related_id == person.pk
        and r.kind in Relation.REPRESENTATIVES
        and MIN_SIP_RANK.get(r.min_sip, 0) >= wanted
        and (r.valid_until is None or r.valid_until >= today)
        for r in subject.relations.all()
    )


# What each level of a representative's access lets him or her do (the policy's actions).
REPRESENTATIVE_ACTIONS = {
    "plan.view": Relation.MinSip.READ,
    "plan.comment": Relation.MinSip.WRITE,
    "plan.approve": Relation.MinSip.ANSWER,
}


def representative_may(person, plan: Plan, action: str) -> bool:
    """May `person`, as a representative, take this Min SIP action on the plan?"""
    level = REPRESENTATIVE_ACTIONS.get(action)
    return level is not None and represents(person, plan, level)


def representative_of_q(person, prefix: str = "person__") -> Q:
    """`represents` as a query condition, to find the candidates: `person` is a representative
    with some access in Min SIP. The level, validity and protection are checked on the rows."""
    return Q(
        **{
            f"{prefix}relations__related": person,
            f"{prefix}relations__kind__in": Relation.REPRESENTATIVES,
            f"{prefix}relations__min_sip__in": [
                level for level in Relation.MinSip.values if level != Relation.MinSip.NONE
            ],
        }
    )


def acts_for_self(person, plan: Plan) -> bool:
    """The individual decides about his or her own plan (approves, ends it, invites
    relatives) from 18; for a child the guardians do (föräldrabalken 6 kap.)."""
    return plan.person_id == person.pk and not plan.person.is_child()


def may_ask_for_sip(person, subject) -> bool:
    """Who may ask for a SIP from Min SIP: the individual from 18, or a guardian for a child
    (never for a protected child: no proxy access to a protected identity). Not a relative,
    nor a representative without the right to decide (issue 14)."""
    if person.pk == subject.pk:
        return not subject.is_child()
    return not subject.protected_identity and subject.is_child() and is_guardian_of(person, subject)


def has_open_plan(subject) -> bool:
    """The individual has a SIP that is not closed or refused (one open SIP at a time)."""
    return subject.plans.exclude(state__in=NOT_OPEN).exists()


def referral_source(referring_unit) -> tuple[str, str]:
    """(source, source detail) of a SIP started on a staff member's referral to another
    organisation's receiving unit (issue 14): staff of a principal are staff; a unit of
    another actor (a school, Försäkringskassan) is that actor, named by the unit."""
    if referring_unit.organization.is_principal:
        return Plan.Source.STAFF, ""
    return Plan.Source.OTHER_ACTOR, referring_unit.name


def child_reads_own(person, plan: Plan) -> bool:
    """A child reads his or her own plan in Min SIP, and may write messages, from the age the
    local agreement sets (16 unless agreed otherwise); never approves or ends it."""
    subject = plan.person
    return (
        plan.person_id == person.pk
        and subject.is_child()
        and subject.age() >= agreement_for(plan).child_reads_from_age
    )


# A grant to see a protected individual's contact details lasts at most this long.
CONTACT_GRANT_MAX_DAYS = 365


def grants_contact_access(role: str) -> bool:
    """A unit manager decides which unit may see a protected individual's contact details
    (with a reason and an end date); no one else."""
    return role == Membership.Role.UNIT_MANAGER


# --- What the consent lets a unit see of the plan ------------------------------------------
#
# The individual decides who takes part and in what (principle 1). A consent may limit a unit
# to the shared goals and its own interventions, and/or keep the items of some topics from it.
# A limited unit never sees a hidden item: not on a page, in a PDF, a comparison, the history
# or a notice. The individual, guardians and invited relatives see the whole plan.


@dataclass(frozen=True)
class ItemLimit:
    """What the consent keeps from one unit."""

    unit_id: int
    organization_id: int
    shared_only: bool
    topics: frozenset


def limiting_consent(plan: Plan) -> Consent | None:
    """The consent whose limits are in force: the latest one given. A withdrawal or a refusal
    later does not lift the limits of the consent the plan was made under."""
    given = [c for c in plan.consents.all() if consent_given(c)]
    return max(given, key=lambda consent: consent.number, default=None)


def item_limit(plan: Plan, unit) -> ItemLimit | None:
    """The limit the consent sets on this unit, or None for the whole plan. Remembered on the
    plan object for the request (one query per unit and page)."""
    if unit is None:
        return None
    cache = plan.__dict__.setdefault("_item_limits", {})
    if unit.pk not in cache:
        consent = limiting_consent(plan)
        row = (
            ConsentLimit.objects.filter(consent=consent, unit_id=unit.pk).first()
            if consent
            else None
        )
        cache[unit.pk] = limit_of(row, unit)
    return cache[unit.pk]


def limit_of(row: ConsentLimit | None, unit) -> ItemLimit | None:
    if row is None or not (row.reach == ConsentLimit.Reach.SHARED or row.topics):
        return None
    return ItemLimit(
        unit_id=unit.pk,
        organization_id=unit.organization_id,
        shared_only=row.reach == ConsentLimit.Reach.SHARED,
        topics=frozenset(row.topics),
    )


def goal_hidden(limit: ItemLimit | None, *, topic: str, parent_topic: str = "") -> bool:
    """A goal is hidden when its topic, or its main goal's, is kept from the unit. Goals are
    shared: a unit limited to the shared goals still sees every goal."""
    return limit is not None and bool({topic, parent_topic} & limit.topics)


def intervention_hidden(
    limit: ItemLimit | None, *, topic: str, unit_id: int | None, organization_id: int | None
) -> bool:
    """An intervention is hidden when its topic is kept from the unit, or when the unit may
    see only its own interventions and this one is another's. An intervention of the unit's
    organisation without a named unit counts as its own."""
    if limit is None:
        return False
    if topic in limit.topics:
        return True
    if not limit.shared_only:
        return False
    if unit_id is not None:
        return unit_id != limit.unit_id
    return organization_id != limit.organization_id


def goals_visible_q(limit: ItemLimit | None) -> Q:
    """`goal_hidden` as a query condition on goals: the goals the unit sees."""
    if limit is None:
        return Q()
    return ~Q(topic__in=limit.topics) & ~Q(parent__topic__in=limit.topics)


def interventions_visible_q(limit: ItemLimit | None) -> Q:
    """`intervention_hidden` as a query condition on interventions."""
    if limit is None:
        return Q()
    visible = ~Q(topic__in=limit.topics)
    if limit.shared_only:
        visible &= Q(unit_id=limit.unit_id) | Q(
            unit__isnull=True, organization_id=limit.organization_id
        )
    return visible


GOAL_EVENTS = {"goal_added", "goal_changed", "goal_removed"}
INTERVENTION_EVENTS = {"intervention_added", "intervention_changed", "intervention_removed"}


def event_hidden(limit: ItemLimit | None, kind: str, facts: dict | None) -> bool:
    """An event about a goal or an intervention is kept from the unit the item is kept from.
    `facts` are the item's topic and unit as the event (or the live item) records them; an
    item event without them is kept from every limited unit."""
    if limit is None or kind not in GOAL_EVENTS | INTERVENTION_EVENTS:
        return False
    if facts is None or "topic" not in facts:
        return True
    if kind in GOAL_EVENTS:
        return goal_hidden(
            limit, topic=facts["topic"], parent_topic=facts.get("parent_topic") or ""
        )
    return intervention_hidden(
        limit,
        topic=facts["topic"],
        unit_id=facts.get("unit_id"),
        organization_id=facts.get("organization_id"),
    )


# --- Interventions followed through ---------------------------------------------------------
#
# An intervention is overdue when its start date has passed and it is still planned. (The
# plan records no end date, so "ended and not done" has nothing to read yet.) The unit
# responsible for an intervention reports its progress, also a unit that only reads the plan.

PROGRESS_STATUSES = tuple(Intervention.Status.values)


def intervention_overdue(intervention, today: datetime.date | None = None) -> bool:
    start = intervention.start
    return (
        intervention.status == Intervention.Status.PLANNED
        and start is not None
        and start < (today or timezone.localdate())
    )


def intervention_overdue_q(today: datetime.date, prefix: str = "") -> Q:
    """`intervention_overdue` as a query condition on interventions."""
    return Q(**{f"{prefix}status": Intervention.Status.PLANNED, f"{prefix}start__lt": today})


def reports_progress(plan: Plan, unit, intervention, today: datetime.date | None = None) -> bool:
    """The unit reports the intervention's status and a short note: it is the intervention's
    responsible unit, takes part in the plan (reading is enough) and still sees the item under
    the consent; the plan is open and its consent valid. Nothing else of the plan changes."""
    if unit is None or intervention.plan_id != plan.pk or intervention.unit_id != unit.pk:
        return False
    if is_closed(plan) or before_consent(plan) or not takes_part(plan, unit):
        return False
    if not consent_valid(plan.current_consent, today):
        return False
    return not intervention_hidden(
        item_limit(plan, unit),
        topic=intervention.topic,
        unit_id=intervention.unit_id,
        organization_id=intervention.organization_id,
    )


def progress_reported_q() -> Q:
    """The events that are a responsible unit's progress reports on its interventions (an
    intervention change that records `progress`), as a query condition on plan events."""
    return Q(kind="intervention_changed", after__progress=True)


def intervention_status_label(code: str) -> str:
    return dict(Intervention.Status.choices).get(code, code)


def topic_label(code: str) -> str:
    return dict(Topic.choices).get(code, code)


def reviews_access_log(role: str) -> bool:
    """The unit manager reviews the unit's access log (HSLF-FS 2016:40 4 kap. 9 §)."""
    return role == Membership.Role.UNIT_MANAGER


class RuleViolation(Exception):
    """A refused transition. The message is meant for the person who tried; `field` names the
    form field it is about, when there is one, so that the page can show it there."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def refuse_unless(condition: bool, message: str, field: str | None = None) -> None:
    if not condition:
        raise RuleViolation(message, field)


# --- Consent (principle 1: no SIP work without the individual's consent) -------------------


def meeting_scheduled(meeting: Meeting) -> bool:
    """Booked and not yet held or cancelled: only such a meeting is changed or answered."""
    return meeting.status == Meeting.Status.SCHEDULED


def meeting_changeable(plan: Plan, meeting: Meeting) -> None:
    """A meeting is moved only while it is booked and the SIP is open."""
    refuse_unless(not plan.is_closed, _("The SIP is closed and can no longer be changed."))
    refuse_unless(meeting_scheduled(meeting), _("Only a scheduled meeting can be changed."))


# --- Who is invited to a SIP meeting (issue 14, part 5) ------------------------------------


def may_invite_to_meeting(plan: Plan, person) -> bool:
    """Who may be invited to a SIP meeting: the individual, a guardian, and the relatives the
    current given consent names. Staff book them; the individual (or a guardian for a child)
    invites people of his or her own choosing in Min SIP, within the same consent."""
    if person.pk == plan.person_id:
        return True
    if is_guardian_of(person, plan.person):
        return True
    consent = plan.current_consent
    return consent_given(consent) and any(r.pk == person.pk for r in consent.relatives.all())


def invitations_open(plan: Plan, meeting: Meeting) -> bool:
    """`meeting_open_to_invitations` as a question: may invitations still change?"""
    return not is_closed(plan) and meeting_scheduled(meeting) and not meeting_started(meeting)


def meeting_open_to_invitations(plan: Plan, meeting: Meeting) -> None:
    """Someone is invited to a meeting, or the invitation withdrawn, only while the meeting
    is booked and has not begun, and the SIP is open."""
    refuse_unless(not plan.is_closed, _("The SIP is closed and can no longer be changed."))
    refuse_unless(
        meeting_scheduled(meeting) and not meeting_started(meeting),
        _("The meeting has begun or is no longer booked. Invitations can no longer be changed."),
    )


def invited_in_min_sip(plan: Plan) -> set[tuple[int, str]]:
    """The invitations the individual (or a guardian) made in Min SIP and has not withdrawn,
    as (meeting id, person id) pairs: read from the plan's history, where each is recorded as
    a MEETING_CHANGED event by the citizen with `after.meeting` and `after.invited` or
    `after.withdrawn`. Staff's own invitations are not among them. One query per plan."""
    chosen: set[tuple[int, str]] = set()
    events = PlanEvent.objects.filter(
        plan_id=plan.pk, kind=PlanEvent.Kind.MEETING_CHANGED, citizen__isnull=False
    ).order_by("at", "pk")
    for after in events.values_list("after", flat=True):
        after = after or {}
        if after.get("invited"):
            chosen.add((after.get("meeting"), after["invited"]))
        elif after.get("withdrawn"):
            chosen.discard((after.get("meeting"), after["withdrawn"]))
    return chosen


# --- Both principals attend (part 7) --------------------------------------------------------

# The time an invited unit has to answer. The local agreement (LocalAgreement) sets no answer
# time of its own, so Samplan uses three working days (Monday to Friday) from the booking,
# and never later than the meeting's own day.
INVITATION_ANSWER_WORKING_DAYS = 3


def invitation_answer_due(invitee) -> datetime.date:
    """The last day an invited unit may answer: three working days after the meeting was
    booked, or the meeting's day if that comes first."""
    meeting = invitee.meeting
    day = timezone.localdate(meeting.created_at)
    left = INVITATION_ANSWER_WORKING_DAYS
    while left:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return min(day, timezone.localdate(meeting.starts_at))


def invitation_unanswered_too_long(invitee, today: datetime.date | None = None) -> bool:
    """An invited unit (a principal) has not answered the invitation to a scheduled meeting
    within the answer time: the inviter and the unit's managers are told, and it may be a
    failure of collaboration."""
    if invitee.unit_id is None or invitee.response != invitee.Response.PENDING:
        return False
    if not meeting_scheduled(invitee.meeting):
        return False
    return (today or timezone.localdate()) > invitation_answer_due(invitee)


def invitation_declined_by_unit(invitee) -> bool:
    """An invited unit (a principal) declined to take part in the meeting."""
    return invitee.unit_id is not None and invitee.response == invitee.Response.DECLINED


def consent_required(plan: Plan) -> None:
    """Consent comes before any invitation, meeting or sharing (Socialstyrelsen, principle 1)."""
    consent = plan.current_consent
    refuse_unless(
        consent_given(consent),
        _(
            "The individual's consent must be recorded before anything is shared or anyone is invited."
        ),
    )
    refuse_unless(
        consent_valid(consent),
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


# --- The plan's content (the SIP paragraph's third stycke: samplan.core.law) ----------------


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


def is_established(plan: Plan) -> bool:
    """The individual has approved a version: that version is "the plan" (current_version)."""
    return plan.current_version >= 1


# Plan-wide fields an established plan always keeps: the law's overall responsibility, and
# the lead and follow-up date that the plan promises the individual.
KEPT_ONCE_ESTABLISHED = {
    "overall_responsibility": gettext_lazy(
        "An established plan must say which principal has the overall responsibility."
    ),
    "lead": gettext_lazy(
        "An established plan must have a lead (huvudansvarig). Choose another lead instead."
    ),
    "next_follow_up": gettext_lazy(
        "An established plan must have a follow-up date. Give a new date instead."
    ),
}


def established_fields_kept(plan: Plan, fields: dict) -> None:
    """Refuse emptying what an established plan must always say (a form posted empty)."""
    if not is_established(plan):
        return
    for name, message in KEPT_ONCE_ESTABLISHED.items():
        if name in fields:
            refuse_unless(fields[name] not in (None, ""), str(message), field=name)


def established_content_kept(plan: Plan) -> None:
    """After a change to an established plan's goals or interventions, the law's elements must
    still be there: the change is refused (and rolled back) otherwise."""
    if not is_established(plan):
        return
    check = legal_content_check(plan)
    refuse_unless(
        check.complete,
        _(
            "The change would leave the established plan without %(missing)s. "
            "Add the replacement first."
        )
        % {"missing": "; ".join(check.missing)},
    )


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


def join_answer_due(plan: Plan, *, asked: bool, unit_writes: bool) -> bool:
    """A request to take part waits for a unit's answer when someone asked, the plan is open
    and the unit writes in it (before consent, only the initiating unit knows of the plan)."""
    return asked and not is_closed(plan) and (before_consent(plan) or unit_writes)


def join_request_acceptable(plan: Plan, unit) -> None:
    """A request to take part is accepted only within the individual's consent (principle 1):
    the current, valid consent must name the unit. Otherwise a new consent that includes the
    unit is recorded first (recording it accepts the request)."""
    refuse_unless(not plan.is_closed, _("The SIP is closed and can no longer be changed."))
    consent = plan.current_consent
    covered = (
        not before_consent(plan)
        and consent_valid(consent)
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
    consent_within_days=5, first_meeting_within_days=15, due_soon_days=7, child_reads_from_age=16
)


def agreement_for(plan: Plan) -> LocalAgreement:
    try:
        return plan.initiating_unit.organization.local_agreement
    except LocalAgreement.DoesNotExist:
        return DEFAULT_AGREEMENT


DEADLINE_LABELS = {
    "consent": gettext_lazy("Consent without delay"),
    "invitation": gettext_lazy("Invitations after discharge"),
    "first_meeting": gettext_lazy("First meeting"),
    "follow_up": gettext_lazy("Follow-up"),
}


@dataclass(frozen=True)
class Deadline:
    label: str
    due: datetime.date
    status: str  # "ok", "due_soon", "overdue"

    @property
    def is_overdue(self) -> bool:
        return self.status == "overdue"

    @property
    def is_due_soon(self) -> bool:
        return self.status == "due_soon"


def deadline_columns(plan: Plan) -> dict:
    """The plan's next deadline as stored on it (deadline_kind, deadline_due,
    deadline_soon_from), so that lists filter and sort by it in SQL. The services refresh it
    whenever the plan changes; a changed local agreement refreshes its organisation's plans."""
    agreement = agreement_for(plan)
    kind, due = "", None
    if plan.state == State.INITIATED:
        kind = "consent"
        due = timezone.localdate(plan.initiated_at) + datetime.timedelta(
            agreement.consent_within_days
        )
    elif plan.state == State.CONSENTED and plan.invitation_due:
        kind, due = "invitation", plan.invitation_due
    elif plan.state in {State.CONSENTED, State.INVITED}:
        consent = first_consent_given(plan)
        if consent is not None:
            kind = "first_meeting"
            due = consent.decided_on + datetime.timedelta(agreement.first_meeting_within_days)
    elif plan.state in {State.ACTIVE, State.FOLLOW_UP, State.REVISION} and plan.next_follow_up:
        kind, due = "follow_up", plan.next_follow_up
    soon_from = due - datetime.timedelta(agreement.due_soon_days) if due else None
    return {"deadline_kind": kind, "deadline_due": due, "deadline_soon_from": soon_from}


def deadline_status(due: datetime.date, soon_from: datetime.date, today: datetime.date) -> str:
    if due < today:
        return "overdue"
    return "due_soon" if soon_from <= today else "ok"


def overdue_q(today: datetime.date) -> Q:
    """`deadline_status(...) == "overdue"` as a query condition on plans."""
    return Q(deadline_due__lt=today)


def due_soon_q(today: datetime.date) -> Q:
    """`deadline_status(...) == "due_soon"` as a query condition on plans."""
    return Q(deadline_soon_from__lte=today, deadline_due__gte=today)


def deadline(plan: Plan, today: datetime.date | None = None) -> Deadline | None:
    """The next deadline the plan must meet, with a due-soon or overdue flag."""
    columns = deadline_columns(plan)
    return _deadline(
        columns["deadline_kind"], columns["deadline_due"], columns["deadline_soon_from"], today
    )


def stored_deadline(plan: Plan, today: datetime.date | None = None) -> Deadline | None:
    """The deadline from the columns stored on the plan: no query, for lists."""
    return _deadline(plan.deadline_kind, plan.deadline_due, plan.deadline_soon_from, today)


def _deadline(kind: str, due, soon_from, today) -> Deadline | None:
    if not kind or due is None:
        return None
    today = today or timezone.localdate()
    return Deadline(str(DEADLINE_LABELS[kind]), due, deadline_status(due, soon_from, today))


# --- Discharge from inpatient care (lag 2017:612; samplan.discharge) --------------------------


def registers_admissions(unit) -> bool:
    """A hospital ward registers admissions and sends the notices of lag 2017:612."""
    return unit is not None and unit.kind == Unit.Kind.HOSPITAL_WARD


def outpatient_care(unit) -> bool:
    """A region's unit outside inpatient care, where the designated care contact works."""
    return (
        unit.organization.kind == Organization.Kind.REGION and unit.kind != Unit.Kind.HOSPITAL_WARD
    )


def admission_recipient_valid(unit, ward) -> bool:
    """The notices go to active units of a municipality or a region, never back to the ward."""
    return (
        unit.is_active
        and unit.pk != ward.pk
        and unit.organization.is_principal
        and not registers_admissions(unit)
    )


def admission_agreement(ward) -> LocalAgreement:
    """The local agreement of the ward's organisation (the region's), or the defaults."""
    try:
        return ward.organization.local_agreement
    except LocalAgreement.DoesNotExist:
        return DEFAULT_AGREEMENT


def discharge_invitation_due(discharged_on: datetime.date, agreement: LocalAgreement):
    """The last day the designated care contact may send the invitations to the SIP meeting:
    the local agreement's days after the discharge (3 by default), counted as calendar days
    or as working days (weekends and Swedish public holidays skipped), as it says."""
    working = agreement.discharge_days_counted == LocalAgreement.DayCount.WORKING
    return dates.days_after(
        discharged_on, agreement.discharge_invitation_within_days, working=working
    )


INVITATION_STATUS_LABELS = {
    "ok": gettext_lazy("due"),
    "due_soon": gettext_lazy("due soon"),
    "overdue": gettext_lazy("overdue"),
    "met": gettext_lazy("met"),
    "late": gettext_lazy("met late"),
}


# How each state looks (the badge's CSS modifier).
INVITATION_STATUS_BADGES = {
    "ok": "pending",
    "due_soon": "due_soon",
    "overdue": "overdue",
    "met": "ok",
    "late": "warning",
}


def invitation_deadline_status(
    due: datetime.date, invited_on: datetime.date | None, today: datetime.date | None = None
) -> str:
    """'met' or 'late' once the invitations are sent; before that 'ok', 'due_soon' (the last
    day) or 'overdue'."""
    if invited_on is not None:
        return "met" if invited_on <= due else "late"
    return deadline_status(due, due, today or timezone.localdate())


def admission_seen_by(admission, unit) -> bool:
    """Only the ward and the units named in the notices see the patient's admission."""
    if unit is None:
        return False
    if admission.ward_id == unit.pk:
        return True
    return any(r.unit_id == unit.pk for r in admission.recipients.all())


def admission_open(admission) -> bool:
    return admission.state != "discharged"


def appoints_care_contact(admission, unit) -> bool:
    """The ward, or an outpatient care unit named in the notices, appoints the designated care
    contact, until the discharge."""
    if not admission_open(admission):
        return False
    if admission.ward_id == unit.pk:
        return True
    return outpatient_care(unit) and admission_seen_by(admission, unit)


def sip_at_discharge_valid(decision: str, consented: bool, care_contact) -> None:
    """A SIP starts at discharge only with the patient's consent (principle 1) and with a
    designated care contact to call the meeting (lag 2017:612)."""
    refuse_unless(
        decision in {"start", "no_consent", "not_needed"},
        _("Say whether the patient needs a SIP after the discharge."),
        "sip_decision",
    )
    if decision != "start":
        return
    refuse_unless(
        consented,
        _(
            "A SIP is started only with the patient's consent. Tick that the patient "
            "consents, or choose that he or she does not."
        ),
        "consent",
    )
    refuse_unless(
        care_contact is not None,
        _(
            "Appoint the designated care contact in outpatient care first: he or she calls "
            "the SIP meeting."
        ),
        "sip_decision",
    )


# --- Collaboration failures (brister i samverkan; samplan.deviations) -------------------------

FAILURE_OPEN_STATES = frozenset({"reported", "handling"})
# A personnummer or samordningsnummer (with or without century and separator) in free text.
IDENTITY_NUMBER_IN_TEXT = re.compile(r"(?<!\d)(?:19|20)?\d{6}[-+ ]?\d{4}(?!\d)")


def reports_failure_without_plan(role: str) -> bool:
    """Anyone taking part in a plan reports a failure about it; without a plan only a unit
    manager reports (Helsingborg's routine: the unit managers resolve it between them)."""
    return role == Membership.Role.UNIT_MANAGER


def failure_text_valid(text: str, field: str) -> None:
    """A report names no individual by number: the link to the SIP tells those who may see it
    whom it is about, and the other organisation sees no more than the consent allows."""
    refuse_unless(
        not IDENTITY_NUMBER_IN_TEXT.search(text or ""),
        _(
            "Write no identity number in the report. Link the SIP instead: those who may see "
            "it will see whom it is about."
        ),
        field,
    )


def failure_open(deviation) -> bool:
    return deviation.state in FAILURE_OPEN_STATES


def failure_concerns(deviation, unit) -> bool:
    """The unit is one of the units the report concerns (the reporting unit always is)."""
    return unit is not None and any(u.pk == unit.pk for u in deviation.units.all())


def failure_handled_by(deviation, unit, role: str, user) -> bool:
    """Step 1: the unit managers of the units concerned. From step 2: also the members of the
    steps of the local agreement's ladder up to the step the report has reached."""
    if role == Membership.Role.UNIT_MANAGER and failure_concerns(deviation, unit):
        return True
    if deviation.level < 2 or user is None:
        return False
    return EscalationStep.objects.filter(
        agreement__organization_id=deviation.agreement_organization_id,
        number__lte=deviation.level,
        members=user,
    ).exists()


def failure_seen_by(deviation, unit, role: str, user) -> bool:
    """The reporter follows his or her report; the handlers see it; nobody else learns of it."""
    if user is not None and deviation.reporter_id == user.pk:
        return True
    return failure_handled_by(deviation, unit, role, user)


def failure_step_due(agreement: LocalAgreement, level: int, start: datetime.date):
    """The last day of a step: the agreement's days for the unit managers at step 1, the
    step's own days above; None when the ladder has no such step."""
    if level == 1:
        return start + datetime.timedelta(days=agreement.failure_first_step_days)
    step = escalation_step(agreement, level)
    return None if step is None else start + datetime.timedelta(days=step.days)


def escalation_step(agreement: LocalAgreement, level: int):
    if agreement.pk is None:
        return None
    return agreement.escalation_steps.filter(number=level).first()


def next_escalation_step(agreement: LocalAgreement, level: int):
    """The step above `level` (the next number up, gaps allowed), or None at the top."""
    if agreement.pk is None:
        return None
    return agreement.escalation_steps.filter(number__gt=level).order_by("number").first()


def agreement_of_organization(organization) -> LocalAgreement:
    try:
        return organization.local_agreement
    except LocalAgreement.DoesNotExist:
        return DEFAULT_AGREEMENT


SUPPRESS_BELOW = 5


def suppressed(count: int) -> str | int:
    """Small numbers are not shown in figures about failures: 1-4 as "<5" (0 stays 0)."""
    return "<5" if 0 < count < SUPPRESS_BELOW else count


Role = Membership.Role
# The people who work with plans. Analysts read figures only: they never see a plan, are never
# offered as lead, attendee or contact person, and get none of the unit's inbox items; nor is
# an API client's service user (Role.SYSTEM), which works with plans (works_with_plans).
PLAN_ROLES = (Role.CASEWORKER, Role.UNIT_MANAGER, Role.ADMINISTRATOR)
FIGURE_ROLES = (Role.UNIT_MANAGER, Role.ANALYST, Role.JOINT_ANALYST)


def works_with_plans(role: str) -> bool:
    """Caseworkers, unit managers and administrators work with the plans of their unit, and
    so does a record system's API client (as a caseworker), though it is nobody to offer as
    lead or to notify."""
    return role in PLAN_ROLES or role == Role.SYSTEM


def reads_figures(role: str) -> bool:
    """The unit managers follow their unit's work in figures, never an individual: the SIP
    statistics, the evaluation's results and where collaboration fails. The organisation's
    analysts read the same figures for the whole organisation, the joint-area analysts for the
    joint areas (their organisation with the other principal) only."""
    return role in FIGURE_ROLES


def reads_evaluation_results(role: str) -> bool:
    """The evaluation's results are read by those who read figures (reads_figures), and by a
    record system's API client for its own unit only (figures_scopes): aggregates suppressed
    as on the page, never one person's answer (docs/api.md, QuestionnaireResponse)."""
    return reads_figures(role) or role == Role.SYSTEM


def figures_scopes(role: str) -> frozenset:
    """What figures a role reads: "units" (the units one manages), "organisation" (the acting
    unit's organisation and any of its units), "joint" (the organisation with the other
    principal, a municipality with a region)."""
    return {
        Role.UNIT_MANAGER: frozenset({"units", "joint"}),
        Role.ANALYST: frozenset({"organisation", "joint"}),
        Role.JOINT_ANALYST: frozenset({"joint"}),
        Role.SYSTEM: frozenset({"units"}),  # its own unit (reads_evaluation_results)
    }.get(role, frozenset())
