"""Collaboration failures: the report, the joint handling, the escalation ladder and the
proposals Samplan makes from its own data.

Every step locks the report, checks the rules (samplan.plans.rules), writes a DeviationEvent
(who, from which unit, at which step, why) and sends `deviation_changed`, so the outbox tells
those who handle it in the same transaction. Repeating a step changes nothing twice: the form
token (core/once.py) stops a double post, a suggestion is reported once, the worker escalates a
report once per step.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from samplan import policy
from samplan.accounts.models import Membership, Unit, User
from samplan.core import dates
from samplan.deviations import signals
from samplan.deviations.models import (
    Deviation,
    DeviationAction,
    DeviationEvent,
    DeviationReference,
    SuggestionDismissal,
)
from samplan.plans import rules
from samplan.plans.access import plans_of_unit
from samplan.plans.models import EscalationStep, Intervention, Invitee, Plan
from samplan.plans.rules import refuse_unless
from samplan.plans.services.base import StaleEdit
from samplan.policy import Staff

Kind = DeviationEvent.Kind
State = Deviation.State
Conclusion = Deviation.Conclusion


# --- Lists ------------------------------------------------------------------------------------


def deviations_for(actor: Staff, *, show: str = "open") -> QuerySet:
    """The reports the actor may see (policy `deviation.view`) as one query: his or her own
    reports, those concerning the acting unit when he or she is its unit manager, and those that
    reached an escalation step he or she is a member of. `show`: open, concluded or mine."""
    seen = Q(reporter=actor.user)
    if actor.role == Membership.Role.UNIT_MANAGER:
        seen |= Q(pk__in=Deviation.units.through.objects.filter(unit=actor.unit).values(
            "deviation_id"))  # fmt: skip
    steps = EscalationStep.objects.filter(members=actor.user).values_list(
        "agreement__organization_id", "number"
    )
    for organization_id, number in steps:
        seen |= Q(agreement_organization_id=organization_id, level__gte=number)
    reports = Deviation.objects.filter(seen)
    if show == "mine":
        reports = reports.filter(reporter=actor.user)
    elif show == "concluded":
        reports = reports.filter(state=State.CONCLUDED)
    else:
        reports = reports.exclude(state=State.CONCLUDED)
    return (
        reports.select_related("reporting_unit__organization", "plan__person")
        .prefetch_related("units__organization")
        .order_by("-reported_at", "pk")
    )


def deviation_for_page(pk) -> Deviation | None:
    return (
        Deviation.objects.select_related(
            "reporter", "reporting_unit__organization", "plan__person",
            "plan__initiating_unit__organization", "agreement_organization",
        )
        .prefetch_related("units__organization", "actions__owner", "references__organization")
        .filter(pk=pk)
        .first()
    )  # fmt: skip


def history(deviation: Deviation) -> QuerySet:
    return deviation.events.select_related("actor", "acting_unit__organization")


def unit_choices(actor: Staff, plan: Plan | None) -> QuerySet:
    """The units a report may concern: the plan's participating units when it is about a plan;
    otherwise the active units of the municipalities and regions (the acting unit's own
    organisation and the others)."""
    units = Unit.objects.filter(is_active=True).select_related("organization")
    if plan is not None:
        units = units.filter(participations__plan=plan, participations__is_active=True)
    else:
        units = units.filter(organization__kind__in=["municipality", "region"])
    return units.exclude(pk=actor.unit.pk).distinct().order_by("organization__name", "name")


def owner_choices(deviation: Deviation) -> QuerySet:
    """Who may own an agreed action: the active staff of the units concerned."""
    return (
        User.objects.filter(
            is_active=True,
            memberships__is_active=True,
            memberships__unit__in=deviation.units.all(),
            memberships__role__in=rules.PLAN_ROLES,
        )
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


def individual_shown(actor: Staff, deviation: Deviation) -> bool:
    """A report names the individual only to those who may read the plan (it takes part under
    the consent); everyone else sees it pseudonymised."""
    plan = deviation.plan
    return plan is not None and bool(policy.decide(actor, "plan.view", plan))


def pseudonym(deviation: Deviation) -> str:
    """The stand-in for the individual where he or she may not be named: stable per report."""
    return _("Individual %(code)s") % {"code": deviation.pk.hex[:6].upper()}


def agreement_of(deviation: Deviation):
    return rules.agreement_of_organization(deviation.agreement_organization)


# --- Steps ------------------------------------------------------------------------------------


def _event(deviation: Deviation, actor: Staff | None, kind: str, summary: str, text: str = ""):
    event = DeviationEvent.objects.create(
        deviation=deviation,
        actor=actor.user if actor else None,
        acting_unit=actor.unit if actor else None,
        kind=kind,
        level=deviation.level,
        summary=summary[:300],
        text=text,
    )
    signals.deviation_changed.send(sender=Deviation, deviation=deviation, event=event)
    return event


def _locked(deviation: Deviation) -> Deviation:
    return Deviation.objects.select_for_update().get(pk=deviation.pk)


def _allowed(actor: Staff, action: str, deviation: Deviation) -> None:
    refuse_unless(
        bool(policy.decide(actor, action, deviation)),
        _("You cannot do this with the report (any more)."),
    )


def _text(value: str, field_name: str, *, required: str | None = None) -> str:
    value = (value or "").strip()
    if required:
        refuse_unless(bool(value), required, field_name)
    rules.failure_text_valid(value, field_name)
    return value


@transaction.atomic
def deviation_report(
    *,
    actor: Staff,
    kind: str,
    what_happened: str,
    happened_on: datetime.date,
    consequence: str,
    units: Iterable[Unit],
    plan: Plan | None = None,
    suggestion: str = "",
) -> Deviation:
    """Report a failure of collaboration. It concerns the units chosen and the reporting unit;
    it reaches their unit managers at step 1 of the ladder of the governing local agreement (the
    plan's, or the reporting organisation's). A proposal already reported is returned as it is."""
    if plan is not None:
        refuse_unless(
            bool(policy.decide(actor, "plan.view", plan)),
            _("You can link only a SIP your unit takes part in."),
            "plan",
        )
    else:
        refuse_unless(
            rules.reports_failure_without_plan(actor.role),
            _("Link the SIP it is about: without a SIP, only a unit manager reports."),
            "plan",
        )
    refuse_unless(kind in Deviation.Kind.values, _("Choose what kind of failure it was."), "kind")
    what_happened = _text(what_happened, "what_happened", required=_("Describe what happened."))
    consequence = _text(
        consequence,
        "consequence",
        required=_("Describe the consequence for the individual (or write that there was none)."),
    )
    rules.date_sane("failure", happened_on, "happened_on")
    units = [u for u in dict.fromkeys(units) if u.pk != actor.unit.pk]
    refuse_unless(
        bool(units), _("Choose at least one other unit that the failure concerns."), "units"
    )
    allowed = set(unit_choices(actor, plan).values_list("pk", flat=True))
    refuse_unless(
        all(u.pk in allowed for u in units),
        _("Choose among the units listed: those taking part in the SIP, or active units."),
        "units",
    )
    if suggestion:
        same = Deviation.objects.filter(
            suggestion=suggestion, reporting_unit__organization=actor.unit.organization
        ).first()
        if same is not None:
            return same
    organization = plan.initiating_unit.organization if plan else actor.unit.organization
    agreement = rules.agreement_of_organization(organization)
    deviation = Deviation.objects.create(
        kind=kind,
        what_happened=what_happened,
        happened_on=happened_on,
        consequence=consequence,
        plan=plan,
        reporter=actor.user,
        reporting_unit=actor.unit,
        suggestion=suggestion,
        agreement_organization=organization,
        level=1,
        level_due=rules.failure_step_due(agreement, 1, timezone.localdate()),
    )
    deviation.units.set([actor.unit, *units])
    names = ", ".join(u.name for u in units)
    _event(deviation, actor, Kind.REPORTED, _("Reported; concerns %(units)s") % {"units": names})
    return deviation


@transaction.atomic
def deviation_comment(*, actor: Staff, deviation: Deviation, text: str) -> DeviationEvent:
    """A comment in the joint thread. The first word from a handler starts the handling."""
    deviation = _locked(deviation)
    _allowed(actor, "deviation.handle", deviation)
    text = _text(text, "text", required=_("Write the comment."))
    _handling(deviation)
    return _event(deviation, actor, Kind.COMMENTED, _("Comment"), text)


def _handling(deviation: Deviation) -> None:
    if deviation.state == State.REPORTED:
        deviation.state = State.HANDLING
        deviation.lock_version += 1
        deviation.save(update_fields=["state", "lock_version"])


@transaction.atomic
def action_agree(
    *, actor: Staff, deviation: Deviation, what: str, owner: User, due: datetime.date
) -> DeviationAction:
    """The handlers agree on an action, with an owner among the staff of the units concerned
    and the day it is to be done."""
    deviation = _locked(deviation)
    _allowed(actor, "deviation.handle", deviation)
    what = _text(what, "what", required=_("Write what is to be done."))
    refuse_unless(
        owner is not None and owner_choices(deviation).filter(pk=owner.pk).exists(),
        _("Choose an owner among the staff of the units concerned."),
        "owner",
    )
    rules.date_sane("action", due, "due")
    action = DeviationAction.objects.create(
        deviation=deviation, what=what, owner=owner, due=due, agreed_by=actor.user
    )
    _handling(deviation)
    _event(
        deviation,
        actor,
        Kind.ACTION_AGREED,
        _("Action agreed: %(what)s (%(owner)s, by %(day)s)")
        % {"what": what, "owner": owner.get_full_name(), "day": dates.day(due)},
    )
    return action


@transaction.atomic
def action_done(*, actor: Staff, action: DeviationAction) -> DeviationAction:
    """The owner or a handler marks the action done; marking it again changes nothing."""
    deviation = _locked(action.deviation)
    action = DeviationAction.objects.get(pk=action.pk)  # as it is now, under the report's lock
    refuse_unless(
        action.owner_id == actor.user.pk
        or bool(policy.decide(actor, "deviation.handle", deviation)),
        _("Only the owner or those handling the report mark the action done."),
    )
    refuse_unless(rules.failure_open(deviation), _("The report is already concluded."))
    if action.done_at is not None:
        return action
    action.done_at = timezone.now()
    action.save(update_fields=["done_at"])
    _event(deviation, actor, Kind.ACTION_DONE, _("Action done: %(what)s") % {"what": action.what})
    return action


@transaction.atomic
def deviation_conclude(
    *,
    actor: Staff,
    deviation: Deviation,
    conclusion: str,
    text: str,
    lock_version: int | None = None,
) -> Deviation:
    """The handlers conclude: resolved, or not a failure of collaboration; or they cannot
    agree and take it to the next step of the ladder (escalated)."""
    deviation = _locked(deviation)
    if lock_version is not None and deviation.lock_version != lock_version:
        raise StaleEdit(deviation)
    _allowed(actor, "deviation.handle", deviation)
    refuse_unless(
        conclusion in Conclusion.values, _("Choose how the report is concluded."), "conclusion"
    )
    text = _text(text, "conclusion_text", required=_("Write what you concluded, and why."))
    if conclusion == Conclusion.ESCALATED:
        refuse_unless(
            _escalate(deviation, actor, text) is not None,
            _(
                "The local agreement has no step above this one. Conclude the report as "
                "resolved or as not a failure."
            ),
            "conclusion",
        )
        return deviation
    deviation.state = State.CONCLUDED
    deviation.conclusion = conclusion
    deviation.conclusion_text = text
    deviation.concluded_at = timezone.now()
    deviation.level_due = None
    deviation.lock_version += 1
    deviation.save()
    label = Conclusion(conclusion).label
    _event(deviation, actor, Kind.CONCLUDED, _("Concluded: %(how)s") % {"how": label}, text)
    return deviation


def _escalate(
    deviation: Deviation, actor: Staff | None, why: str, today: datetime.date | None = None
) -> EscalationStep | None:
    """Move the report to the next step of its ladder, or None at the top. The step's days
    count from `today` (the sweep's day), so a second sweep that day finds nothing due."""
    step = rules.next_escalation_step(agreement_of(deviation), deviation.level)
    if step is None:
        return None
    deviation.level = step.number
    deviation.level_due = (today or timezone.localdate()) + datetime.timedelta(days=step.days)
    deviation.state = State.HANDLING
    deviation.lock_version += 1
    deviation.save(update_fields=["level", "level_due", "state", "lock_version"])
    _event(
        deviation,
        actor,
        Kind.ESCALATED,
        _("Escalated to step %(number)s: %(name)s") % {"number": step.number, "name": step.name},
        why,
    )
    return step


def deviations_escalate_due(today: datetime.date | None = None) -> list[Deviation]:
    """The worker's sweep: an open report past the last day of its step moves up one step and
    the next level is told; at the top of the ladder it is marked as past its days once. Run
    twice on the same day, the second run changes nothing."""
    today = today or timezone.localdate()
    moved = []
    due = Deviation.objects.filter(state__in=rules.FAILURE_OPEN_STATES, level_due__lt=today)
    for pk in due.values_list("pk", flat=True).order_by("level_due", "pk")[:500]:
        with transaction.atomic():
            deviation = Deviation.objects.select_for_update().get(pk=pk)
            if not rules.failure_open(deviation) or not (
                deviation.level_due and deviation.level_due < today
            ):
                continue  # concluded or moved meanwhile
            days = (today - deviation.level_due).days
            why = _("Not concluded within the days of step %(number)s.") % {
                "number": deviation.level
            }
            if _escalate(deviation, None, why, today) is None:
                deviation.level_due = None
                deviation.save(update_fields=["level_due"])
                _event(
                    deviation,
                    None,
                    Kind.OVERDUE,
                    ngettext(
                        "Past the days of the last step by %(days)s day",
                        "Past the days of the last step by %(days)s days",
                        days,
                    )
                    % {"days": days},
                )
            moved.append(deviation)
    return moved


@transaction.atomic
def reference_record(*, actor: Staff, deviation: Deviation, reference: str) -> DeviationReference:
    """The acting unit's organisation records the report's number in its own deviation system
    (one per organisation; a new number replaces the old and the history keeps both)."""
    deviation = _locked(deviation)
    _allowed(actor, "deviation.reference", deviation)
    reference = (reference or "").strip()
    refuse_unless(bool(reference), _("Write the reference."), "reference")
    refuse_unless(len(reference) <= 100, _("The reference is at most 100 characters."), "reference")
    organization = actor.unit.organization
    row, created = DeviationReference.objects.get_or_create(
        deviation=deviation,
        organization=organization,
        defaults={"reference": reference, "recorded_by": actor.user},
    )
    if not created and row.reference == reference:
        return row
    if not created:
        row.reference, row.recorded_by = reference, actor.user
        row.save(update_fields=["reference", "recorded_by"])
    _event(
        deviation,
        actor,
        Kind.REFERENCE,
        _("%(organization)s: reference %(reference)s")
        % {"organization": organization.name, "reference": reference},
    )
    return row


# --- Proposals --------------------------------------------------------------------------------


@dataclass
class Suggestion:
    """A report Samplan proposes from its own data; `key` names the fact, so it is proposed,
    reported or dismissed once per organisation."""

    key: str
    kind: str
    plan: Plan
    happened_on: datetime.date
    what_happened: str
    units: list[Unit] = field(default_factory=list)


SUGGESTIONS_SHOWN = 10


def suggestions_for(actor: Staff, today: datetime.date | None = None) -> list[Suggestion]:
    """Proposed reports for the plans the acting unit takes part in: an overdue deadline, a
    principal's declined or long-unanswered invitation, an intervention past its start still
    planned. Without those already reported by the organisation or dismissed by the unit."""
    # Meetings that have begun by now (or, asked about another day, by the end of that day).
    begun_by = timezone.now()
    if today is not None:
        next_day = datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time())
        begun_by = timezone.make_aware(next_day)
    today = today or timezone.localdate()
    plans = plans_of_unit(actor.unit).exclude(state__in=rules.NOT_OPEN)
    found: list[Suggestion] = []
    overdue = (
        plans.filter(rules.overdue_q(today))
        .select_related("person")
        .order_by("deadline_due", "pk")[:SUGGESTIONS_SHOWN]
    )
    for plan in overdue:
        label = rules.DEADLINE_LABELS[plan.deadline_kind]
        found.append(
            Suggestion(
                key=f"deadline:{plan.deadline_kind}:{plan.pk}:{plan.deadline_due.isoformat()}",
                kind=Deviation.Kind.DEADLINE_MISSED,
                plan=plan,
                happened_on=plan.deadline_due,
                what_happened=_("%(deadline)s: the deadline %(day)s was missed.")
                % {"deadline": label, "day": dates.day(plan.deadline_due)},
            )
        )
    invitees = (
        Invitee.objects.filter(meeting__plan__in=plans, unit__isnull=False)
        .filter(
            Q(response=Invitee.Response.DECLINED)
            | Q(response=Invitee.Response.PENDING, meeting__starts_at__lt=begun_by)
        )
        .exclude(unit=actor.unit)
        .select_related("unit", "meeting__plan__person")
        .order_by("-meeting__starts_at", "pk")[:SUGGESTIONS_SHOWN]
    )
    for invitee in invitees:
        declined = rules.invitation_declined_by_unit(invitee)
        if not declined and not rules.invitation_unanswered_too_long(invitee, today):
            continue
        meeting = invitee.meeting
        text = (
            _("%(unit)s declined the invitation to the meeting on %(day)s.")
            if declined
            else _("%(unit)s did not answer the invitation to the meeting on %(day)s.")
        ) % {"unit": invitee.unit.name, "day": dates.day(timezone.localdate(meeting.starts_at))}
        found.append(
            Suggestion(
                key=f"invitation:{invitee.pk}",
                kind=Deviation.Kind.PRINCIPAL_ABSENT
                if declined
                else Deviation.Kind.INVITATION_UNANSWERED,
                plan=meeting.plan,
                happened_on=timezone.localdate(meeting.starts_at)
                if declined
                else rules.invitation_answer_due(invitee),
                what_happened=text,
                units=[invitee.unit],
            )
        )
    interventions = (
        Intervention.objects.filter(plan__in=plans)
        .filter(rules.intervention_overdue_q(today))
        .exclude(unit__isnull=True)
        .exclude(unit=actor.unit)
        .select_related("unit", "plan__person")
        .order_by("start", "pk")[:SUGGESTIONS_SHOWN]
    )
    for intervention in interventions:
        found.append(
            Suggestion(
                key=f"intervention:{intervention.pk}:{intervention.start.isoformat()}",
                kind=Deviation.Kind.INTERVENTION_NOT_DELIVERED,
                plan=intervention.plan,
                happened_on=intervention.start,
                what_happened=_(
                    "The intervention “%(what)s” was to start on %(day)s and is still planned."
                )
                % {"what": intervention.what[:80], "day": dates.day(intervention.start)},
                units=[intervention.unit],
            )
        )
    return _unhandled(actor, found)[:SUGGESTIONS_SHOWN]


def _unhandled(actor: Staff, found: list[Suggestion]) -> list[Suggestion]:
    keys = [s.key for s in found]
    reported = set(
        Deviation.objects.filter(
            suggestion__in=keys, reporting_unit__organization=actor.unit.organization
        ).values_list("suggestion", flat=True)
    )
    dismissed = set(
        SuggestionDismissal.objects.filter(unit=actor.unit, suggestion__in=keys).values_list(
            "suggestion", flat=True
        )
    )
    return [s for s in found if s.key not in reported | dismissed]


def suggestion_find(actor: Staff, key: str) -> Suggestion | None:
    """The proposal with this key, if it is still proposed to the actor."""
    return next((s for s in suggestions_for(actor) if s.key == key), None)


@transaction.atomic
def suggestion_dismiss(*, actor: Staff, key: str, reason: str) -> SuggestionDismissal:
    """The unit dismisses a proposal, with the reason; it is not proposed again."""
    reason = (reason or "").strip()
    refuse_unless(bool(reason), _("Write why it is not a failure to report."), "reason")
    refuse_unless(len(reason) <= 500, _("The reason is at most 500 characters."), "reason")
    rules.failure_text_valid(reason, "reason")
    refuse_unless(
        suggestion_find(actor, key) is not None, _("The proposal is no longer open."), "reason"
    )
    dismissal, _created = SuggestionDismissal.objects.get_or_create(
        unit=actor.unit,
        suggestion=key,
        defaults={"reason": reason, "dismissed_by": actor.user},
    )
    return dismissal
