"""A SIP kept elsewhere: registered in Samplan (where it is kept, its date, the principals,
the lead, the next follow-up) so that it counts in the worklist, the deadlines and the
statistics; brought into Samplan later to be written here ("SIP finns i pappersakt")."""

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from samplan import policy
from samplan.accounts.models import Unit
from samplan.people.models import Person
from samplan.plans import rules
from samplan.plans.models import JoinRequest, Participant, Plan, PlanEvent
from samplan.plans.rules import OpenPlanExists, refuse_unless
from samplan.plans.services.base import actor_user, event_record, plan_lock, save_locked
from samplan.plans.services.initiative import join_request_make, take_part
from samplan.policy import Actor

Kind = PlanEvent.Kind


@transaction.atomic
def plan_register_elsewhere(
    *,
    actor: Actor,
    person: Person,
    kept: str,
    where: str,
    made_on: datetime.date | None,
    principals: Iterable[Unit],
    lead_name: str,
    next_follow_up: datetime.date | None,
    meets_law: bool = False,
) -> Plan | JoinRequest:
    """Register a SIP that exists on paper, in another system, or as a joint plan that meets
    the law's requirements. It is open and established as far as Samplan counts (worklist,
    deadlines, statistics), with the principals' units taking part, but its content stays
    where it is kept until it is brought in (plan_bring_in; rules.WHILE_KEPT_ELSEWHERE).

    The individual has one open SIP at a time, as for an initiative (plan_initiate): the
    acting unit is told of an open SIP it sees (OpenPlanExists); one it does not see gets a
    request to take part, and nothing about it is revealed.
    """
    unit = actor.unit
    where, lead_name = where.strip(), lead_name.strip()
    rules.kept_elsewhere_valid(kept, where, meets_law)
    refuse_unless(len(where) <= 200, _("At most 200 characters."), "kept_where")
    refuse_unless(made_on is not None, _("Give the date the SIP was made."), "made_on")
    rules.date_sane("sip_made", made_on, "made_on")
    refuse_unless(bool(lead_name), _("Name the lead (huvudansvarig)."), "lead_name")
    refuse_unless(len(lead_name) <= 200, _("At most 200 characters."), "lead_name")
    refuse_unless(
        next_follow_up is not None, _("Give the date of the next follow-up."), "next_follow_up"
    )
    rules.date_sane("follow_up", next_follow_up, "next_follow_up")
    units = list(dict.fromkeys([unit, *principals]))
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
            source=Plan.Source.STAFF,
            source_detail="",
            reasons=[],
            reason_text=_("A SIP kept elsewhere: %(where)s") % {"where": where},
        )
    plan = Plan.objects.create(
        person=person,
        state=Plan.State.ACTIVE,
        initiated_by=actor_user(actor),
        initiating_unit=unit,
        kept_elsewhere=kept,
        kept_where=where,
        made_on=made_on,
        lead_name=lead_name,
        next_follow_up=next_follow_up,
    )
    Participant.objects.create(
        plan=plan, unit=unit, access=Participant.Access.EDIT, contact_person=actor_user(actor)
    )
    for other in units[1:]:
        take_part(plan, other)
    rules.both_principals_take_part(
        Plan.objects.prefetch_related("participants__unit__organization").get(pk=plan.pk)
    )
    event_record(
        plan,
        actor=actor,
        kind=Kind.REGISTERED_ELSEWHERE,
        summary=_("SIP kept elsewhere registered: %(where)s") % {"where": where},
        after={
            "kept_elsewhere": kept,
            "kept_where": where,
            "made_on": made_on.isoformat(),
            "principals": [u.name for u in units],
            "lead_name": lead_name,
            "next_follow_up": next_follow_up.isoformat(),
            "meets_law": bool(meets_law),
        },
    )
    return plan


@transaction.atomic
def plan_bring_in(*, actor: Actor, plan: Plan) -> Plan:
    """Bring a SIP kept elsewhere into Samplan: from now on its content is written here (the
    content page), and revised with the individual as any plan is. Where it was kept, and its
    registration, stay in the history."""
    plan = plan_lock(plan)
    refuse_unless(
        rules.may_start("plan.bring_in", plan),
        _("Only a SIP kept elsewhere can be brought into Samplan."),
    )
    before = {"kept_elsewhere": plan.kept_elsewhere, "kept_where": plan.kept_where}
    save_locked(plan, expected=plan.lock_version, fields={"kept_elsewhere": ""})
    event_record(
        plan,
        actor=actor,
        kind=Kind.BROUGHT_IN,
        summary=_("SIP brought into Samplan from: %(where)s") % {"where": plan.kept_where},
        before=before,
        after={"kept_elsewhere": ""},
    )
    return plan
