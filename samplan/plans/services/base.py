"""Shared steps of every change: lock, record the event, move the state, save once."""

import datetime
from typing import Any

from django.db.models import F

from samplan.accounts.models import User
from samplan.plans import rules
from samplan.plans.models import (
    Meeting,
    Plan,
    PlanEvent,
    PlanVersion,
)
from samplan.plans.snapshot import changes_count, plan_snapshot, snapshot_diff
from samplan.policy import Actor, Citizen, Staff

State = Plan.State


class StaleEdit(Exception):
    """Someone saved the same thing first. Carries what it looks like now."""

    def __init__(self, current: Any):
        super().__init__("stale edit")
        self.current = current


def actor_user(actor: Actor) -> User | None:
    """The staff member who acts, for "recorded by" fields; None for a citizen."""
    return actor.user if isinstance(actor, Staff) else None


def event_record(plan: Plan, *, actor: Actor, kind: str, summary: str, before=None, after=None):
    """Every change is attributable: staff by user and acting unit, Min SIP by person."""
    staff = actor if isinstance(actor, Staff) else None
    PlanEvent.objects.create(
        plan=plan,
        actor=staff.user if staff else None,
        acting_unit=staff.unit if staff else None,
        citizen=actor.person if isinstance(actor, Citizen) else None,
        kind=kind,
        summary=summary[:300],
        before=before or {},
        after=after or {},
    )
    deadline_refresh(plan)


def deadline_refresh(plan: Plan) -> None:
    """Store the plan's next deadline (rules.deadline_columns) as the database has it now.
    Every change records an event, and every event refreshes it."""
    current = (
        Plan.objects.select_related("initiating_unit__organization__local_agreement")
        .prefetch_related("consents")
        .get(pk=plan.pk)
    )
    columns = rules.deadline_columns(current)
    if any(getattr(current, name) != value for name, value in columns.items()):
        Plan.objects.filter(pk=plan.pk).update(**columns)
    for name, value in columns.items():
        setattr(plan, name, value)


def draft_refresh(plan: Plan) -> int:
    """Count how the working draft (the plan as staff edit it) differs from the version in
    force, which is what the individual approved. Staff see the count; the draft becomes a
    version only through a revision the individual approves."""
    in_force = (
        PlanVersion.objects.filter(plan_id=plan.pk, number=F("plan__current_version"))
        .values_list("snapshot", flat=True)
        .first()
    )
    count = changes_count(snapshot_diff(in_force, plan_snapshot(plan))) if in_force else 0
    Plan.objects.filter(pk=plan.pk).update(unapproved_changes=count)
    plan.unapproved_changes = count
    return count


def plan_lock(plan: Plan) -> Plan:
    """Re-read the plan under a row lock so transitions on one plan run one at a time."""
    return Plan.objects.select_for_update().get(pk=plan.pk)


def meeting_lock(meeting: Meeting) -> Meeting:
    """The meeting as it is now, read under its plan's row lock (a page may have loaded it
    before someone else held, moved or cancelled it)."""
    plan = plan_lock(meeting.plan)
    meeting = Meeting.objects.get(pk=meeting.pk, plan=plan)
    meeting.plan = plan
    return meeting


def state_set(plan: Plan, state: str) -> dict:
    change = {"state": [plan.state, state]}
    Plan.objects.filter(pk=plan.pk).update(state=state, lock_version=F("lock_version") + 1)
    plan.state = state
    plan.lock_version += 1
    return change


def save_locked(obj, *, expected: int, fields: dict[str, Any]) -> None:
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


def plain_value(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return str(value)
    return value


def deadlines_refresh(plans) -> int:
    """Store the next deadline of many plans (after a local agreement changes, or after an
    upgrade: `manage.py refresh_deadlines`). Returns how many changed."""
    names = ["deadline_kind", "deadline_due", "deadline_soon_from"]
    changed, batch = 0, []
    rows = (
        plans.select_related("initiating_unit__organization__local_agreement")
        .prefetch_related("consents")
        .order_by("pk")
    )
    for plan in rows.iterator(chunk_size=1000):
        columns = rules.deadline_columns(plan)
        if any(getattr(plan, name) != value for name, value in columns.items()):
            for name, value in columns.items():
                setattr(plan, name, value)
            batch.append(plan)
        if len(batch) >= 1000:
            changed += Plan.objects.bulk_update(batch, names)
            batch = []
    return changed + (Plan.objects.bulk_update(batch, names) if batch else 0)
