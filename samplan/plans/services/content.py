"""The plan's content: preparation, goals, interventions, contact persons."""

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from samplan.accounts.models import Organization, Unit, User
from samplan.plans import rules
from samplan.plans.models import (
    Goal,
    Intervention,
    Participant,
    Plan,
    PlanEvent,
)
from samplan.plans.rules import refuse_unless
from samplan.plans.services.base import draft_refresh, event_record, plain_value, save_locked
from samplan.policy import Actor

State = Plan.State
Kind = PlanEvent.Kind


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


def content_editable(plan: Plan) -> None:
    # Read the state afresh: the caller's copy may predate a transition made meanwhile.
    plan.state, plan.current_version = (
        Plan.objects.filter(pk=plan.pk).values_list("state", "current_version").get()
    )
    refuse_unless(not plan.is_closed, _("The SIP is closed and can no longer be changed."))
    refuse_unless(
        plan.state != State.REVISION,
        _(
            "A new version waits for the individual's answer. Record the answer before changing the plan."
        ),
    )
    refuse_unless(
        rules.may_start("content.edit", plan),
        _("Record the individual's consent before writing the plan."),
    )


@transaction.atomic
def plan_update(*, actor: Actor, plan: Plan, expected_version: int, **fields) -> Plan:
    """Change the preparation or the plan-wide content (responsibility, lead, follow-up date)."""
    unknown = set(fields) - set(PREPARATION_FIELDS) - set(CONTENT_FIELDS)
    if unknown:
        raise TypeError(f"not editable here: {sorted(unknown)}")
    content_editable(plan)
    rules.established_fields_kept(plan, fields)
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
    before = {name: plain_value(getattr(plan, name)) for name in fields}
    save_locked(plan, expected=expected_version, fields=fields)
    after = {name: plain_value(value) for name, value in fields.items()}
    changed = {k: [before[k], after[k]] for k in fields if before[k] != after[k]}
    if changed:
        event_record(
            plan,
            actor=actor,
            kind=Kind.PLAN_UPDATED,
            summary=_("Plan details changed"),
            before={k: v[0] for k, v in changed.items()},
            after={k: v[1] for k, v in changed.items()},
        )
        if set(changed) & set(CONTENT_FIELDS) or "own_words" in changed:
            draft_refresh(plan)
    return plan


@transaction.atomic
def goal_save(
    *,
    actor: Actor,
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
    content_editable(plan)
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
        event_record(
            plan,
            actor=actor,
            kind=Kind.GOAL_ADDED,
            summary=_("Goal added: %(t)s") % {"t": goal.text[:80]},
            after={"goal": str(goal.uid)},
        )
    else:
        before = goal.text
        save_locked(goal, expected=expected_version, fields=fields)
        event_record(
            plan,
            actor=actor,
            kind=Kind.GOAL_CHANGED,
            summary=_("Goal changed: %(t)s") % {"t": goal.text[:80]},
            before={"text": before},
            after={"goal": str(goal.uid), "text": goal.text, "status": status},
        )
    draft_refresh(plan)
    return goal


@transaction.atomic
def goal_remove(*, actor: Actor, plan: Plan, goal: Goal) -> None:
    content_editable(plan)
    event_record(
        plan,
        actor=actor,
        kind=Kind.GOAL_REMOVED,
        summary=_("Goal removed: %(t)s") % {"t": goal.text[:80]},
        before={"goal": str(goal.uid), "text": goal.text},
    )
    goal.delete()
    draft_refresh(plan)


@transaction.atomic
def intervention_save(
    *,
    actor: Actor,
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
    content_editable(plan)
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
        kind, summary = Kind.INTERVENTION_ADDED, _("Intervention added: %(t)s")
    else:
        save_locked(intervention, expected=expected_version, fields=fields)
        kind, summary = Kind.INTERVENTION_CHANGED, _("Intervention changed: %(t)s")
    intervention.goals.set(goals)
    event_record(
        plan,
        actor=actor,
        kind=kind,
        summary=summary % {"t": intervention.what[:80]},
        after={
            "intervention": str(intervention.uid),
            "organization": organization.name,
            "status": status,
        },
    )
    rules.established_content_kept(plan)
    draft_refresh(plan)
    return intervention


@transaction.atomic
def intervention_remove(*, actor: Actor, plan: Plan, intervention: Intervention) -> None:
    content_editable(plan)
    event_record(
        plan,
        actor=actor,
        kind=Kind.INTERVENTION_REMOVED,
        summary=_("Intervention removed: %(t)s") % {"t": intervention.what[:80]},
        before={"intervention": str(intervention.uid), "what": intervention.what},
    )
    intervention.delete()
    rules.established_content_kept(plan)
    draft_refresh(plan)


@transaction.atomic
def contact_person_set(
    *, actor: Actor, plan: Plan, participant: Participant, person: User | None
) -> None:
    """Each participating unit names its contact person for the plan."""
    content_editable(plan)
    refuse_unless(participant.plan_id == plan.pk, _("Unknown participant."))
    refuse_unless(
        person is None or person.memberships.filter(unit=participant.unit, is_active=True).exists(),
        _("The contact person must work in that unit."),
    )
    Participant.objects.filter(pk=participant.pk).update(contact_person=person)
    event_record(
        plan,
        actor=actor,
        kind=Kind.CONTACT_PERSON_SET,
        summary=_("Contact person for %(unit)s: %(name)s")
        % {"unit": participant.unit.name, "name": person or "–"},
    )
