"""What the consent keeps from a unit, compared with an oracle for every unit and item.

A generated world gets topic-tagged goals (main and sub-goals), interventions of every
organisation (with and without a named unit), events about them (with and without the item's
facts) and limits on every consent of a plan, given or not. For each plan and each unit of the
world, the goals, interventions and history the unit is shown (samplan.plans.access) and the
version snapshot it is shown (snapshot_for) are compared, item by item, with an oracle written
here from the rule as docs/security.md states it, without the code's helpers. A sample of
staff then reads the plan page over HTTP, where every hidden item must be absent.

Prints `item visibility: N cases, M mismatches` in pytest's summary.
"""

import random
import uuid

import pytest

from samplan import policy
from samplan.plans import access
from samplan.plans.models import (
    Consent,
    ConsentLimit,
    Goal,
    Intervention,
    Plan,
    PlanEvent,
    Topic,
)
from samplan.plans.snapshot import plan_snapshot, snapshot_for
from samplan.testing.world import build_world, record_results, staff_client

SEED = 20261205
TOPICS = ["", *Topic.values]


def _text(kind: str, n: int) -> str:
    return f"{kind}-{n:05d}-slut"  # no text is part of another


@pytest.fixture
def world(db):
    world = build_world(seed=SEED, plans=70, individuals=50, passwords=True)
    rng = random.Random(SEED)  # noqa: S311 - a reproducible test world
    plans = list(Plan.objects.filter(pk__in=[p.pk for p in world.plans]).order_by("pk"))
    units_of = {}
    for unit in world.units:
        units_of.setdefault(unit.organization_id, []).append(unit)
    counter = iter(range(10**6))

    mains = [
        Goal(plan=p, term="long", text=_text("Mål", next(counter)), topic=rng.choice(TOPICS))
        for p in plans
        for _ in range(4)
    ]
    Goal.objects.bulk_create(mains)
    by_plan = {}
    for goal in mains:
        by_plan.setdefault(goal.plan_id, []).append(goal)
    subs = [
        Goal(
            plan=p,
            term="short",
            text=_text("Delmål", next(counter)),
            topic=rng.choice(TOPICS),
            parent=rng.choice(by_plan[p.pk]),
        )
        for p in plans
        for _ in range(4)
    ]
    Goal.objects.bulk_create(subs)
    interventions = []
    for plan in plans:
        for _ in range(8):
            organization = rng.choice(world.organizations)
            unit = rng.choice([None, *units_of[organization.pk]])
            interventions.append(
                Intervention(
                    plan=plan,
                    what=_text("Insats", next(counter)),
                    topic=rng.choice(TOPICS),
                    organization=organization,
                    unit=unit,
                )
            )
    Intervention.objects.bulk_create(interventions)

    events = []
    for goal in mains + subs:
        facts = {"topic": goal.topic, "parent_topic": goal.parent.topic if goal.parent else ""}
        after = {"goal": str(goal.uid), **(facts if rng.random() < 0.7 else {})}
        events.append(PlanEvent(plan_id=goal.plan_id, kind="goal_added", summary="", after=after))
    for item in interventions:
        facts = {
            "topic": item.topic,
            "unit_id": item.unit_id,
            "organization_id": item.organization_id,
        }
        before = {"intervention": str(item.uid), **(facts if rng.random() < 0.7 else {})}
        events.append(
            PlanEvent(plan_id=item.plan_id, kind="intervention_removed", summary="", before=before)
        )
    gone = str(uuid.UUID(int=rng.getrandbits(128)))  # an item removed before events had facts
    events += [
        PlanEvent(plan=p, kind="goal_removed", summary="", before={"goal": gone}) for p in plans
    ]
    PlanEvent.objects.bulk_create(events)

    limits = []
    for consent in Consent.objects.filter(plan__in=plans):
        for unit in rng.sample(world.units, k=len(world.units) // 3):
            limits.append(
                ConsentLimit(
                    consent=consent,
                    unit=unit,
                    reach=rng.choice(ConsentLimit.Reach.values),
                    topics=rng.sample(Topic.values, k=rng.choice([0, 1, 1, 2, 3])),
                )
            )
    ConsentLimit.objects.bulk_create(limits)
    world.item_plans = plans
    return world


# --- The oracle: the rule as docs/security.md states it ---------------------------------------


def oracle_limit(plan, unit):
    """(shared_only, topics) of the limit in force for the unit, or None for the whole plan: the
    limit the latest given consent sets, whatever came after it."""
    given = [c for c in plan.consents.all() if c.decision == "given"]
    if not given:
        return None
    latest = max(given, key=lambda c: c.number)
    row = next((r for r in latest.limits.all() if r.unit_id == unit.pk), None)
    if row is None or (row.reach == "whole" and not row.topics):
        return None
    return row.reach == "shared", set(row.topics)


def oracle_goal_shown(limit, goal: dict) -> bool:
    if limit is None:
        return True
    return goal["topic"] not in limit[1] and goal["parent_topic"] not in limit[1]


def oracle_intervention_shown(limit, item: dict, unit) -> bool:
    if limit is None:
        return True
    shared_only, topics = limit
    if item["topic"] in topics:
        return False
    if not shared_only:
        return True
    if item["unit_id"] is not None:
        return item["unit_id"] == unit.pk
    return item["organization_id"] == unit.organization_id


def items_of(plan):
    goals = {
        g.uid: {
            "topic": g.topic,
            "parent_topic": g.parent.topic if g.parent else "",
            "text": g.text,
        }
        for g in plan.goals.all()
    }
    interventions = {
        i.uid: {
            "topic": i.topic,
            "unit_id": i.unit_id,
            "organization_id": i.organization_id,
            "text": i.what,
        }
        for i in plan.interventions.all()
    }
    return goals, interventions


def expected_events(plan, limit, unit, goals, interventions) -> set:
    shown = set()
    for event in plan.events.all():
        if event.kind.startswith("goal_"):
            uid = uuid.UUID((event.after or event.before)["goal"])
            visible = uid in goals and oracle_goal_shown(limit, goals[uid])
        elif event.kind.startswith("intervention_"):
            uid = uuid.UUID((event.after or event.before)["intervention"])
            item = interventions.get(uid)
            visible = item is not None and oracle_intervention_shown(limit, item, unit)
        else:
            visible = True
        if limit is None or visible:
            shown.add(event.pk)
    return shown


def test_every_unit_sees_exactly_the_items_its_consent_lets_it_see(world):
    plans = list(
        Plan.objects.filter(pk__in=[p.pk for p in world.item_plans])
        .prefetch_related("consents__limits", "goals__parent", "interventions", "events")
        .order_by("pk")
    )
    cases, mismatches, limited = 0, [], 0
    for plan in plans:
        goals, interventions = items_of(plan)
        snapshot = plan_snapshot(plan)
        for unit in world.units:
            fresh = Plan.objects.get(pk=plan.pk)  # no cached limits between units
            actor = policy.Staff(user=None, unit=unit, role="caseworker")
            limit = oracle_limit(plan, unit)
            limited += limit is not None
            want_goals = {u for u, g in goals.items() if oracle_goal_shown(limit, g)}
            want_items = {
                u for u, i in interventions.items() if oracle_intervention_shown(limit, i, unit)
            }
            got_goals = set(access.goals_seen(actor, fresh).values_list("uid", flat=True))
            got_items = set(access.interventions_seen(actor, fresh).values_list("uid", flat=True))
            got_events = set(access.events_seen(actor, fresh).values_list("pk", flat=True))
            want_events = expected_events(plan, limit, unit, goals, interventions)
            shown = snapshot_for(snapshot, access.item_limit(actor, fresh))
            snap_goals = {uuid.UUID(g["uid"]) for g in shown["goals"]}
            snap_items = {uuid.UUID(i["uid"]) for i in shown["interventions"]}
            for kind, universe, want, got in [
                ("goal", goals, want_goals, got_goals),
                ("intervention", interventions, want_items, got_items),
                ("snapshot goal", goals, want_goals, snap_goals),
                ("snapshot intervention", interventions, want_items, snap_items),
                ("event", {e.pk for e in plan.events.all()}, want_events, got_events),
            ]:
                for item in universe:
                    cases += 1
                    if (item in want) != (item in got):
                        mismatches.append((kind, plan.pk, unit.pk, item, item in want))
    record_results("items", cases=cases, mismatches=len(mismatches))
    assert limited > 100, "the world should limit many units"
    assert not mismatches, mismatches[:10]
    assert cases >= 50_000


def test_staff_reading_the_plan_page_see_no_hidden_item(world):
    """The page shows what access says, for a sample of staff with and without limits."""
    rng = random.Random(SEED)  # noqa: S311
    plans = list(
        Plan.objects.filter(pk__in=[p.pk for p in world.item_plans])
        .select_related("person", "initiating_unit")
        .prefetch_related("participants", "consents__limits", "goals__parent", "interventions")
    )
    pairs = []
    for user, unit, role in world.staff_actors():
        actor = policy.Staff(user=user, unit=unit, role=role)
        for plan in plans:
            if policy.decide(actor, "plan.view", plan) is policy.Decision.ALLOW:
                pairs.append((user, unit, plan, oracle_limit(plan, unit)))
    with_limit = [p for p in pairs if p[3] is not None]
    without = [p for p in pairs if p[3] is None]
    sample = rng.sample(with_limit, k=min(10, len(with_limit))) + rng.sample(
        without, k=min(3, len(without))
    )
    assert len([s for s in sample if s[3] is not None]) >= 5
    cases, mismatches = 0, []
    for user, unit, plan, limit in sample:
        html = staff_client(user, unit).get(f"/sip/{plan.pk}/plan/").content.decode()
        goals, interventions = items_of(plan)
        for goal in goals.values():
            cases += 1
            if (goal["text"] in html) != oracle_goal_shown(limit, goal):
                mismatches.append((plan.pk, unit.pk, goal["text"]))
        for item in interventions.values():
            cases += 1
            if (item["text"] in html) != oracle_intervention_shown(limit, item, unit):
                mismatches.append((plan.pk, unit.pk, item["text"]))
    record_results("items", cases=cases, mismatches=len(mismatches))
    assert not mismatches, mismatches[:10]
