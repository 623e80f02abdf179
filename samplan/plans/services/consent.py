"""Consent: recorded (the scope of who takes part), renewed, withdrawn (which closes the SIP)."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samplan.accounts.models import Unit
from samplan.core import dates
from samplan.people.models import Person
from samplan.plans import rules
from samplan.plans.models import (
    CitizenMessage,
    Consent,
    ConsentLimit,
    JoinRequest,
    Participant,
    Plan,
    PlanEvent,
    Topic,
)
from samplan.plans.rules import refuse_unless
from samplan.plans.services.base import actor_user, event_record, plan_lock, state_set
from samplan.plans.services.closing import plan_close_now
from samplan.plans.services.initiative import join_request_accept
from samplan.plans.services.min_sip import message_address, message_units
from samplan.policy import Actor, Citizen

State = Plan.State
Kind = PlanEvent.Kind


# --- Consent --------------------------------------------------------------------------------


def participants_sync(plan: Plan, units: list[Unit]) -> dict:
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


def limits_valid(plan: Plan, units, limits: list[tuple]) -> None:
    """Each limit is for a unit the consent covers, once, with a known reach and topics, and
    keeps no unit from the topic of an intervention it is responsible for."""
    covered = {u.pk for u in units}
    limited = [unit.pk for unit, _reach, _topics in limits]
    refuse_unless(
        set(limited) <= covered and len(set(limited)) == len(limited),
        _("A limit is set once for a unit that may take part."),
    )
    for unit, reach, topics in limits:
        refuse_unless(
            reach in ConsentLimit.Reach.values and set(topics) <= set(Topic.values),
            _("Choose what the unit may take part in from the lists."),
        )
        clash = plan.interventions.filter(unit=unit, topic__in=topics).first()
        refuse_unless(
            clash is None,
            _(
                "%(unit)s is responsible for the intervention “%(what)s” about %(topic)s. "
                "Change who is responsible, or the intervention's topic, first."
            )
            % {
                "unit": unit.name,
                "what": clash.what[:60] if clash else "",
                "topic": rules.topic_label(clash.topic).lower() if clash else "",
            },
        )


@transaction.atomic
def consent_record(
    *,
    actor: Actor,
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
    limits: list[tuple] = (),
) -> Consent:
    """Record consent given or refused, with its scope. A change is a new consent version.

    `limits` are (unit, reach, topics): what a unit may take part in, when not the whole plan
    (ConsentLimit); from then on the unit sees nothing of what is kept from it."""
    unit = actor.unit
    plan = plan_lock(plan)
    today = timezone.localdate()
    refuse_unless(
        rules.may_start("consent.record", plan), _("The SIP is closed; consent cannot be changed.")
    )
    refuse_unless(
        decision in {Consent.Decision.GIVEN, Consent.Decision.REFUSED},
        _("Choose whether consent was given or refused."),
    )
    refuse_unless(
        decided_on <= today, _("The date of the consent cannot be in the future."), "decided_on"
    )
    rules.date_sane("consent", decided_on, "decided_on")
    started = timezone.localdate(plan.initiated_at)
    refuse_unless(
        decided_on >= started,
        _("The consent cannot be dated before the SIP was initiated (%(day)s).")
        % {"day": dates.day(started)},
        "decided_on",
    )
    refuse_unless(
        valid_until is None or valid_until >= decided_on,
        _("The consent cannot end before it was given."),
        "valid_until",
    )
    if valid_until is not None:
        rules.date_sane("valid_until", valid_until, "valid_until")
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
    limits = [(unit, reach, sorted(set(topics))) for unit, reach, topics in limits]
    if decision == Consent.Decision.GIVEN:
        limits_valid(plan, units, limits)
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
        recorded_by=actor_user(actor),
        recorded_unit=unit,
    )
    consent.guardians.set(guardians)
    if decision == Consent.Decision.GIVEN:
        consent.units.set(units)
        consent.relatives.set(relatives)
        ConsentLimit.objects.bulk_create(
            ConsentLimit(consent=consent, unit=unit, reach=reach, topics=topics)
            for unit, reach, topics in limits
        )
        scope = participants_sync(plan, list(units))
        state = {}
        if plan.state in rules.BEFORE_CONSENT:
            state = state_set(plan, State.CONSENTED)
        event_record(
            plan,
            actor=actor,
            kind=Kind.CONSENT_GIVEN,
            summary=_("Consent recorded (version %(n)s)") % {"n": consent.number},
            before={"consent": previous.number if previous else None},
            after={
                "consent": consent.number,
                **scope,
                **state,
                "limits": {unit.name: [reach, *topics] for unit, reach, topics in limits},
            },
        )
        # A unit that asked to take part and is now covered by the consent takes part.
        waiting = plan.join_requests.filter(
            state=JoinRequest.State.PENDING, unit__in=list(units)
        ).select_related("unit")
        for request in waiting:
            join_request_accept(plan, request, actor=actor, by_consent=consent.number)
    else:
        state = state_set(plan, State.CONSENT_REFUSED)
        event_record(
            plan,
            actor=actor,
            kind=Kind.CONSENT_REFUSED,
            summary=_("Consent refused"),
            after=state,
        )
    plan.__dict__.pop("_prefetched_objects_cache", None)
    return consent


@transaction.atomic
def consent_withdraw(
    *,
    actor: Actor,
    plan: Plan,
    decided_on: datetime.date | None = None,
    mode: str = "",
    note: str = "",
) -> Plan:
    """Withdrawn consent ends the SIP at once (Socialstyrelsen: the plan is closed).

    Staff record a withdrawal the individual made (when and how); the individual may end the
    SIP himself or herself in Min SIP at any time, which is digital and today, and the lead is
    told through a message."""
    plan = plan_lock(plan)
    refuse_unless(not plan.is_closed, _("The SIP is already closed."))
    current = plan.current_consent
    refuse_unless(rules.consent_given(current), _("There is no given consent to withdraw."))
    by_citizen = isinstance(actor, Citizen)
    if by_citizen:
        decided_on, mode, note = timezone.localdate(), Consent.Mode.DIGITAL, ""
    refuse_unless(decided_on is not None, _("Enter the date."), "decided_on")
    refuse_unless(
        decided_on <= timezone.localdate(), _("The date cannot be in the future."), "decided_on"
    )
    refuse_unless(
        decided_on >= current.decided_on,
        _("The consent cannot be withdrawn before it was given (%(day)s).")
        % {"day": dates.day(current.decided_on)},
        "decided_on",
    )
    withdrawal = Consent.objects.create(
        plan=plan,
        number=current.number + 1,
        decision=Consent.Decision.WITHDRAWN,
        decided_on=decided_on,
        mode=mode,
        given_by=current.given_by,
        exclusions=note.strip(),
        recorded_by=actor_user(actor),
        recorded_unit=None if by_citizen else actor.unit,
        recorded_by_citizen=actor.person if by_citizen else None,
    )
    by_guardian = by_citizen and rules.acts_for_child(actor.person, plan)
    if by_guardian:
        # One guardian's withdrawal ends the consent; the record names who withdrew it.
        withdrawal.guardians.set([actor.person])
    if by_guardian:
        summary = _("Consent withdrawn in Min SIP by %(name)s, guardian") % {
            "name": actor.person.full_name
        }
    elif by_citizen:
        summary = _("Consent withdrawn in Min SIP by %(name)s") % {"name": actor.person.full_name}
    else:
        summary = _("Consent withdrawn")
    event_record(
        plan,
        actor=actor,
        kind=Kind.CONSENT_WITHDRAWN,
        summary=summary,
        after={} if by_citizen else {"consent": withdrawal.number},
    )
    if by_citizen:
        withdrawn = CitizenMessage.objects.create(
            plan=plan,
            author=actor.person,
            kind=CitizenMessage.Kind.WITHDRAWAL,
            text=_("I withdraw my consent and end the SIP."),
        )
        message_address(withdrawn, message_units(plan))  # every unit taking part
    return plan_close_now(
        plan,
        actor=actor,
        reason=Plan.ClosingReason.CONSENT_WITHDRAWN,
        text=_("samtycke återkallat"),
    )
