"""Starting a SIP, and requests to take part when an initiative reaches an existing SIP."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samplan import policy
from samplan.accounts.models import Unit
from samplan.people.models import Person
from samplan.plans import rules, signals
from samplan.plans.models import (
    JoinRequest,
    Participant,
    Plan,
    PlanEvent,
)
from samplan.plans.rules import OpenPlanExists, refuse_unless
from samplan.plans.services.base import actor_user, event_record, plan_lock
from samplan.policy import Actor

State = Plan.State
Kind = PlanEvent.Kind


# --- Initiative -----------------------------------------------------------------------------


@transaction.atomic
def plan_initiate(
    *,
    actor: Actor,
    person: Person,
    source: str = Plan.Source.STAFF,
    source_detail: str = "",
    reasons: Iterable[str] = (),
    reason_text: str = "",
) -> Plan | JoinRequest:
    """Anyone who sees the need at work may take the initiative (the regional guideline; Socialstyrelsen).

    The individual has one open SIP at a time. When he or she has one already, the acting unit
    is told so (OpenPlanExists, carrying the plan) only if it sees that plan; otherwise nothing
    about the plan is revealed: the initiative becomes a request to take part in it, for its
    lead and writing units to answer within the consent, and that JoinRequest is returned
    instead of a plan (docs/security.md, finding 2). The same initiative again while the
    request waits returns the waiting request and writes nothing.
    """
    unit = actor.unit
    reasons = list(dict.fromkeys(reasons))
    refuse_unless(set(reasons) <= set(Plan.Reason.values), _("Unknown reason for the initiative."))
    refuse_unless(
        bool(reasons) or bool(reason_text.strip()),
        _("Give at least one reason why a SIP is needed."),
    )
    refuse_unless(source in Plan.Source.values, _("Say who proposed the SIP."))
    refuse_unless(
        not rules.initiative_names_proposer(source) or bool(source_detail.strip()),
        _("Write the name of the relative or the actor who proposed the SIP."),
        "source_detail",
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
        seen = next((p for p in open_plans if policy.decide(actor, "plan.view", p)), None)
        if seen is not None:
            raise OpenPlanExists(
                _("%(name)s already has an open SIP.") % {"name": person.full_name}, seen
            )
        return join_request_make(
            open_plans[0],
            actor=actor,
            source=source,
            source_detail=source_detail.strip(),
            reasons=reasons,
            reason_text=reason_text.strip(),
        )
    plan = Plan.objects.create(
        person=person,
        initiated_by=actor_user(actor),
        initiating_unit=unit,
        initiative_source=source,
        initiative_source_detail=source_detail.strip(),
        reasons=reasons,
        reason_text=reason_text.strip(),
    )
    Participant.objects.create(
        plan=plan, unit=unit, access=Participant.Access.EDIT, contact_person=actor_user(actor)
    )
    event_record(
        plan,
        actor=actor,
        kind=Kind.INITIATED,
        summary=_("SIP initiated"),
        after={"reasons": reasons, "source": source},
    )
    return plan


# --- Requests to take part (an initiative that reached an existing SIP) ---------------------


def join_request_make(plan: Plan, *, actor: Actor, **initiative) -> JoinRequest:
    """Record the initiative as a request to take part in the plan, visible to the plan's
    participants only, and tell its lead and writing units. Nothing goes to the initiator."""
    unit = actor.unit
    plan = plan_lock(plan)
    waiting = JoinRequest.objects.filter(
        plan=plan, unit=unit, state=JoinRequest.State.PENDING
    ).first()
    if waiting is not None:
        return waiting  # the same initiative again: there is nothing new to tell anyone
    request = JoinRequest.objects.create(
        plan=plan, unit=unit, requested_by=actor_user(actor), **initiative
    )
    event_record(
        plan,
        actor=actor,
        kind=Kind.JOIN_REQUESTED,
        summary=_("%(unit)s asks to take part") % {"unit": unit.name},
        after={
            "join_request": request.pk,
            "unit": unit.name,
            "reasons": request.reasons,
            "source": request.source,
        },
    )
    signals.join_requested.send(sender=JoinRequest, join_request=request)
    return request


def take_part(plan: Plan, unit: Unit) -> None:
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


def join_request_accept(
    plan: Plan, request: JoinRequest, *, actor: Actor, by_consent: int | None = None
) -> None:
    """The requesting unit takes part within the consent: record the answer and tell it."""
    unit = actor.unit
    request.state, request.answered_at = JoinRequest.State.ACCEPTED, timezone.now()
    request.answered_by, request.answer_unit = actor_user(actor), unit
    request.save(update_fields=["state", "answered_at", "answered_by", "answer_unit"])
    event_record(
        plan,
        actor=actor,
        kind=Kind.JOIN_REQUEST_ACCEPTED,
        summary=_("Request to take part accepted: %(unit)s takes part")
        % {"unit": request.unit.name},
        after={"join_request": request.pk, "unit": request.unit.name, "consent": by_consent},
    )
    signals.join_accepted.send(sender=JoinRequest, join_request=request)


@transaction.atomic
def join_request_answer(
    *, actor: Actor, join_request: JoinRequest, accept: bool, reason: str = ""
) -> JoinRequest:
    """The plan's lead or a writing unit answers a unit's request to take part.

    Accepting works only within the individual's consent (rules.join_request_acceptable):
    when the current consent names the unit, it takes part and is told so; otherwise this
    refuses with ConsentDoesNotCover, and recording a new consent that includes the unit
    accepts the request (consent_record). Declining needs a reason, which stays in the plan:
    the requesting unit is never told, so it learns nothing about the plan. The same answer
    again changes nothing.
    """
    unit = actor.unit
    plan = plan_lock(join_request.plan)
    request = JoinRequest.objects.select_related("unit__organization").get(
        pk=join_request.pk, plan=plan
    )
    wanted = JoinRequest.State.ACCEPTED if accept else JoinRequest.State.DECLINED
    if request.state == wanted:
        return request
    refuse_unless(request.is_pending, _("The request has already been answered."))
    if accept:
        rules.join_request_acceptable(plan, request.unit)
        take_part(plan, request.unit)
        join_request_accept(plan, request, actor=actor)
        return request
    refuse_unless(not plan.is_closed, _("The SIP is closed and can no longer be changed."))
    reason = reason.strip()
    refuse_unless(bool(reason), _("Say why the request is declined."))
    refuse_unless(len(reason) <= 1000, _("The reason is too long (at most 1,000 characters)."))
    request.state, request.answered_at = JoinRequest.State.DECLINED, timezone.now()
    request.answered_by, request.answer_unit, request.decline_reason = (
        actor_user(actor),
        unit,
        reason,
    )
    request.save(
        update_fields=["state", "answered_at", "answered_by", "answer_unit", "decline_reason"]
    )
    event_record(
        plan,
        actor=actor,
        kind=Kind.JOIN_REQUEST_DECLINED,
        summary=_("Request to take part from %(unit)s declined") % {"unit": request.unit.name},
        after={"join_request": request.pk, "unit": request.unit.name, "reason": reason},
    )
    return request
