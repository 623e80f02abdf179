"""The plan's content: preparation, goals, interventions, contact persons."""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from samplan.accounts.models import Organization, Unit, User
from samplan.plans import rules
from samplan.plans.models import (
    Goal,
    Intervention,
    Participant,
    Plan,
    PlanEvent,
    Topic,
)
from samplan.plans.rules import refuse_unless
from samplan.plans.services.base import draft_refresh, event_record, plain_value, save_locked
from samplan.policy import Actor, Staff

State = Plan.State
Kind = PlanEvent.Kind


# --- What the consent lets the acting unit write ---------------------------------------------


def _limit(plan: Plan, actor: Actor) -> rules.ItemLimit | None:
    return rules.item_limit(plan, actor.unit) if isinstance(actor, Staff) else None


def topic_allowed(plan: Plan, actor: Actor, topic: str) -> None:
    """A known topic, and not one the consent keeps from the acting unit (it could not see
    what it wrote)."""
    refuse_unless(topic in ("", *Topic.values), _("Choose a topic from the list."), field="topic")
    limit = _limit(plan, actor)
    refuse_unless(
        limit is None or topic not in limit.topics,
        _("The consent keeps %(topic)s from your unit: choose another topic, or ask a unit "
          "that may take part in it.") % {"topic": rules.topic_label(topic).lower()},
        field="topic",
    )  # fmt: skip


def item_facts(item: Goal | Intervention) -> dict:
    """What an event about a goal or an intervention records so that the history can keep it
    from the units the consent keeps the item from, also after the item is removed."""
    if isinstance(item, Goal):
        parent_topic = item.parent.topic if item.parent_id else ""
        return {"topic": item.topic, "parent_topic": parent_topic}
    return {"topic": item.topic, "unit_id": item.unit_id, "organization_id": item.organization_id}


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
    plan.state, plan.current_version, plan.kept_elsewhere = (
        Plan.objects.filter(pk=plan.pk)
        .values_list("state", "current_version", "kept_elsewhere")
        .get()
    )
    refuse_unless(not plan.is_closed, _("The SIP is closed and can no longer be changed."))
    refuse_unless(
        not rules.kept_elsewhere(plan),
        _("The SIP is kept elsewhere. Bring it into Samplan before writing its content here."),
    )
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
    if "next_follow_up" in fields and fields["next_follow_up"] != plan.next_follow_up:
        rules.date_sane("follow_up", fields["next_follow_up"], "next_follow_up")
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
    topic: str = "",
    parent: Goal | None = None,
    follow_up_by: User | None = None,
    status: str = Goal.Status.OPEN,
) -> Goal:
    """Add or change a goal. Goals are the individual's own words (principle 2)."""
    content_editable(plan)
    refuse_unless(bool(text.strip()), _("Write the goal, in the individual's own words."))
    topic_allowed(plan, actor, topic)
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
        "topic": topic,
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
            after={"goal": str(goal.uid), **item_facts(goal)},
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
            after={"goal": str(goal.uid), "text": goal.text, "status": status, **item_facts(goal)},
        )
    draft_refresh(plan)
    return goal


@transaction.atomic
def goal_remove(*, actor: Actor, plan: Plan, goal: Goal) -> None:
    content_editable(plan)
    refuse_unless(
        not goal.sub_goals.exclude(rules.goals_visible_q(_limit(plan, actor))).exists(),
        _(
            "The goal has sub-goals your unit may not see under the consent. Ask a unit that "
            "takes part in the whole plan to remove it."
        ),
    )
    event_record(
        plan,
        actor=actor,
        kind=Kind.GOAL_REMOVED,
        summary=_("Goal removed: %(t)s") % {"t": goal.text[:80]},
        before={"goal": str(goal.uid), "text": goal.text, **item_facts(goal)},
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
    topic: str = "",
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
    if intervention is None or start != intervention.start:
        rules.date_sane("intervention", start, "start")
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
    topic_allowed(plan, actor, topic)
    limit = _limit(plan, actor)
    refuse_unless(
        limit is None
        or not limit.shared_only
        or not rules.intervention_hidden(
            limit, topic="", unit_id=getattr(responsible_unit, "pk", None),
            organization_id=organization.pk,
        ),
        _("Under the consent your unit takes part only in its own interventions: make your "
          "unit responsible, or ask the unit that is."),
        field="responsible_unit",
    )  # fmt: skip
    responsible_limit = rules.item_limit(plan, responsible_unit)
    refuse_unless(
        responsible_limit is None or topic not in responsible_limit.topics,
        _("The consent keeps %(topic)s from %(unit)s, so it cannot be responsible for this.")
        % {
            "topic": rules.topic_label(topic).lower(),
            "unit": getattr(responsible_unit, "name", ""),
        },
        field="topic",
    )
    if intervention is not None:
        # What the unit cannot see stays as it was: links to hidden goals, a hidden predecessor.
        goals += list(intervention.goals.exclude(rules.goals_visible_q(limit)))
        hidden_before = (
            intervention.depends_on_id
            and not plan.interventions.filter(
                rules.interventions_visible_q(limit), pk=intervention.depends_on_id
            ).exists()
        )
        if hidden_before and depends_on is None:
            depends_on = intervention.depends_on
    fields = {
        "what": what.strip(),
        "topic": topic,
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
            **item_facts(intervention),
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
        before={
            "intervention": str(intervention.uid),
            "what": intervention.what,
            **item_facts(intervention),
        },
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
        person is None
        or person.memberships.filter(
            unit=participant.unit, is_active=True, role__in=rules.PLAN_ROLES
        ).exists(),
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


PROGRESS_NOTE_MAX = 500


@transaction.atomic
def intervention_progress(
    *, actor: Actor, intervention: Intervention, status: str, note: str = ""
) -> Intervention:
    """The responsible unit reports its intervention's status and a short note (also a unit
    that only reads the plan). Nothing else of the plan changes; the note is kept in the
    event, which the next follow-up lists."""
    plan = Plan.objects.prefetch_related("participants", "consents").get(pk=intervention.plan_id)
    intervention = Intervention.objects.select_for_update().get(pk=intervention.pk)
    refuse_unless(
        isinstance(actor, Staff) and rules.reports_progress(plan, actor.unit, intervention),
        _("Only the unit responsible for the intervention reports its progress, while the SIP "
          "is open and the consent is valid."),
    )  # fmt: skip
    refuse_unless(status in rules.PROGRESS_STATUSES, _("Choose a status."), field="status")
    note = note.strip()
    refuse_unless(
        len(note) <= PROGRESS_NOTE_MAX,
        _("Keep the note short (at most %(n)s characters).") % {"n": PROGRESS_NOTE_MAX},
        field="note",
    )
    before = intervention.status
    Intervention.objects.filter(pk=intervention.pk).update(
        status=status, lock_version=F("lock_version") + 1
    )
    intervention.refresh_from_db(fields=["status", "lock_version"])
    event_record(
        plan,
        actor=actor,
        kind=Kind.INTERVENTION_CHANGED,
        summary=_("Progress reported: %(t)s") % {"t": intervention.what[:80]},
        before={"intervention": str(intervention.uid), "status": before},
        after={
            "intervention": str(intervention.uid),
            "progress": True,
            "status": status,
            "note": note,
            **item_facts(intervention),
        },
    )
    draft_refresh(plan)
    return intervention
