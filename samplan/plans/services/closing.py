"""Follow-up, and closing the SIP with the notices the lead owes every participant."""

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from samplan.accounts.models import Unit
from samplan.people.models import Person
from samplan.plans import rules, signals
from samplan.plans.models import (
    ClosingNotice,
    FollowUp,
    Meeting,
    Plan,
    PlanEvent,
)
from samplan.plans.rules import refuse_unless
from samplan.plans.services.base import actor_user, event_record, plan_lock, state_set
from samplan.plans.services.versions import plan_revise
from samplan.policy import Actor

State = Plan.State
Kind = PlanEvent.Kind


# --- Follow-up and closing ------------------------------------------------------------------


@transaction.atomic
def followup_record(
    *,
    actor: Actor,
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
    child_view: str = "",
    basis: str = "",
) -> FollowUp:
    """The guideline's five questions, then continue, revise or close (the regional guideline, section 7)."""
    unit = actor.unit
    plan = plan_lock(plan)
    refuse_unless(
        rules.may_start("plan.follow_up", plan), _("Only an established SIP can be followed up.")
    )
    refuse_unless(
        not basis or basis == rules.followup_basis(plan),
        _(
            "Someone recorded a follow-up of this SIP while you were writing yours. Read it "
            "under History; if yours is still needed, send it again (your text is kept)."
        ),
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
            "next_follow_up",
        )
        rules.date_sane("follow_up", next_follow_up, "next_follow_up")
    else:
        # Nobody's choice is recorded for them: the reason for closing is chosen.
        refuse_unless(
            closing_reason in Plan.ClosingReason.values,
            _("Choose a reason for closing."),
            "closing_reason",
        )
    followup = FollowUp.objects.create(
        plan=plan,
        meeting=meeting,
        how_it_went=how_it_went.strip(),
        helped_hindered=helped_hindered.strip(),
        coordination_needed=coordination_needed,
        continue_interventions=continue_interventions.strip(),
        child_view=child_view.strip() if plan.person.is_child() else "",
        decision=decision,
        recorded_by=actor_user(actor),
        recorded_unit=unit,
        due_on=plan.next_follow_up,  # the date this follow-up answers (statistics)
    )
    event_record(
        plan,
        actor=actor,
        kind=Kind.FOLLOWED_UP,
        summary=_("Follow-up recorded: %(decision)s")
        % {"decision": followup.get_decision_display()},
        after={"decision": decision},
    )
    signals.plan_followed_up.send(sender=FollowUp, plan=plan, followup=followup, actor=actor)
    if decision == FollowUp.Decision.CLOSE:
        plan_close_now(
            plan,
            actor=actor,
            reason=closing_reason,
            text=closing_text,
        )
        return followup
    Plan.objects.filter(pk=plan.pk).update(
        next_follow_up=next_follow_up, lock_version=F("lock_version") + 1
    )
    plan.next_follow_up = next_follow_up
    if decision == FollowUp.Decision.REVISE:
        plan_revise(actor=actor, plan=plan, approval_method=approval_method)
    elif plan.state == State.FOLLOW_UP:
        state_set(plan, State.ACTIVE)
    return followup


def plan_close_now(plan: Plan, *, actor: Actor, reason: str, text: str = "") -> Plan:
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
    state = state_set(plan, State.CLOSED)
    Meeting.objects.filter(plan=plan, status=Meeting.Status.SCHEDULED).update(
        status=Meeting.Status.CANCELLED
    )
    event_record(
        plan,
        actor=actor,
        kind=Kind.CLOSED,
        summary=_("SIP closed: %(reason)s") % {"reason": plan.get_closing_reason_display()},
        after={"reason": reason, **state},
    )
    closing_notices_send(plan, actor=actor)
    return plan


def told_of_closing(plan: Plan) -> tuple[set[int], set]:
    """The ids of the units and people already recorded as told of the closing."""
    rows = ClosingNotice.objects.filter(plan=plan).values_list("unit_id", "person_id")
    return {u for u, _p in rows if u}, {p for _u, p in rows if p}


def closing_notices_send(plan: Plan, *, actor: Actor) -> None:
    """Samplan tells every participating unit and the individual (and the guardians of a child)
    that the SIP is closed, and records them as informed: the lead's duty (the regional guideline, section 9), done
    in the same transaction as the closing. The meetings it cancelled get their cancellation."""
    sent = [n for _r, told in signals.plan_closed.send(sender=Plan, plan=plan) for n in told]
    told_units, told_people = told_of_closing(plan)
    units = {n.unit_id for n in sent if n.unit_id} - told_units
    people = {n.person_id for n in sent if n.person_id} - told_people
    method = ClosingNotice.Method.SAMPLAN
    ClosingNotice.objects.bulk_create(
        [
            ClosingNotice(plan=plan, unit_id=u, informed_by=actor_user(actor), method=method)
            for u in units
        ]
        + [
            ClosingNotice(plan=plan, person_id=p, informed_by=actor_user(actor), method=method)
            for p in people
        ]
    )


@transaction.atomic
def plan_close(*, actor: Actor, plan: Plan, reason: str, text: str = "") -> Plan:
    """Close the SIP with a reason; the lead then informs every participant (the regional guideline, section 9)."""
    plan = plan_lock(plan)
    return plan_close_now(plan, actor=actor, reason=reason, text=text)


@transaction.atomic
def closing_notices_record(
    *,
    actor: Actor,
    plan: Plan,
    units: Iterable[Unit] = (),
    people: Iterable[Person] = (),
) -> list[ClosingNotice]:
    """The lead records who has been told that the SIP is closed in another way than by
    Samplan's notice (by phone, by letter). Whoever is already recorded is not recorded twice."""
    refuse_unless(plan.is_closed, _("The SIP is not closed."))
    told_units, told_people = told_of_closing(plan)
    units = [u for u in dict.fromkeys(units) if u.pk not in told_units]
    people = [p for p in dict.fromkeys(people) if p.pk not in told_people]
    refuse_unless(bool(units) or bool(people), _("Tick who has been informed."))
    notices = ClosingNotice.objects.bulk_create(
        [ClosingNotice(plan=plan, unit=u, informed_by=actor_user(actor)) for u in units]
        + [ClosingNotice(plan=plan, person=p, informed_by=actor_user(actor)) for p in people]
    )
    event_record(
        plan,
        actor=actor,
        kind=Kind.CLOSING_INFORMED,
        summary=_("Informed of the closing: %(who)s")
        % {"who": ", ".join([u.name for u in units] + [p.full_name for p in people])},
    )
    return notices
