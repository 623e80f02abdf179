"""A plan frozen as plain data (for versions), and the difference between two such copies."""

from django.utils.translation import gettext_lazy as _

from samplan.plans import rules


def plan_snapshot(plan) -> dict:
    """Everything the plan says, keyed by stable uids, as JSON-ready data."""
    goals = list(plan.goals.select_related("follow_up_by", "parent").order_by("position", "id"))
    interventions = list(
        plan.interventions.select_related("organization", "unit", "depends_on")
        .prefetch_related("goals")
        .order_by("position", "id")
    )
    participants = plan.participants.filter(is_active=True).select_related(
        "unit__organization", "contact_person"
    )
    return {
        "person": plan.person.full_name,
        "own_words": plan.own_words,
        "goals": [
            {
                "uid": str(g.uid),
                "term": g.get_term_display(),
                "text": g.text,
                "topic": g.topic,
                "parent": str(g.parent.uid) if g.parent else None,
                "follow_up_by": str(g.follow_up_by) if g.follow_up_by else "",
                "status": g.get_status_display(),
            }
            for g in goals
        ],
        "interventions": [
            {
                "uid": str(i.uid),
                "what": i.what,
                "topic": i.topic,
                "organization": i.organization.name,
                "organization_id": i.organization_id,
                "unit_id": i.unit_id,
                "organization_kind": i.organization.kind,
                "unit": i.unit.name if i.unit else "",
                "responsible_person": i.responsible_person,
                "start": i.start.isoformat() if i.start else "",
                "frequency": i.frequency,
                "after": str(i.depends_on.uid) if i.depends_on else None,
                "status": i.get_status_display(),
                "goals": sorted(str(g.uid) for g in i.goals.all()),
            }
            for i in interventions
        ],
        "self_actions": plan.self_actions,
        "no_other_actors": plan.no_other_actors,
        "overall_responsibility": plan.overall_responsibility.name
        if plan.overall_responsibility
        else "",
        "lead": str(plan.lead) if plan.lead else "",
        "next_follow_up": plan.next_follow_up.isoformat() if plan.next_follow_up else "",
        "participants": [
            {
                "unit": p.unit.name,
                "organization": p.unit.organization.name,
                "contact_person": str(p.contact_person) if p.contact_person else "",
            }
            for p in participants
        ],
    }


def snapshot_for(snapshot: dict, limit) -> dict:
    """The snapshot as a unit limited by the consent may see it (rules.ItemLimit, None for the
    whole plan). Snapshots made before items had topics have none; an intervention whose unit
    a snapshot does not record is kept from a unit limited to its own interventions."""
    if limit is None or not snapshot:
        return snapshot
    goals = snapshot.get("goals", [])
    topics = {g["uid"]: g.get("topic", "") for g in goals}
    shown_goals = [
        g
        for g in goals
        if not rules.goal_hidden(
            limit, topic=g.get("topic", ""), parent_topic=topics.get(g.get("parent"), "")
        )
    ]
    shown_interventions = [
        i
        for i in snapshot.get("interventions", [])
        if "unit_id" in i or not limit.shared_only
        if not rules.intervention_hidden(
            limit,
            topic=i.get("topic", ""),
            unit_id=i.get("unit_id"),
            organization_id=i.get("organization_id"),
        )
    ]
    return {**snapshot, "goals": shown_goals, "interventions": shown_interventions}


SCALARS = [
    ("own_words", _("What is important to the individual")),
    ("self_actions", _("What the individual and relatives do themselves")),
    ("overall_responsibility", _("Overall responsibility")),
    ("lead", _("Lead")),
    ("next_follow_up", _("Next follow-up")),
]


def snapshot_diff(old: dict, new: dict) -> dict:
    """Rows for a side-by-side comparison: each with a change flag (same/changed/added/removed)."""
    scalars = []
    for key, label in SCALARS:
        a, b = old.get(key, ""), new.get(key, "")
        scalars.append(
            {
                "key": key,
                "label": label,
                "old": a,
                "new": b,
                "change": "same" if a == b else "changed",
            }
        )
    return {
        "scalars": scalars,
        "goals": _by_uid(
            old.get("goals", []), new.get("goals", []), ("term", "text", "status", "follow_up_by")
        ),
        "interventions": _by_uid(
            old.get("interventions", []),
            new.get("interventions", []),
            ("what", "organization", "unit", "responsible_person", "start", "frequency", "status"),
        ),
    }


# Set at each follow-up with the individual, without a new version: not a change to approve.
SCHEDULING = {"next_follow_up"}


def changes_count(diff: dict) -> int:
    """How many rows of a comparison differ: plan-wide fields (the follow-up date aside),
    goals and interventions."""
    scalars = [row for row in diff["scalars"] if row.get("key") not in SCHEDULING]
    rows = scalars + diff["goals"] + diff["interventions"]
    return sum(1 for row in rows if row["change"] != "same")


def _by_uid(old: list[dict], new: list[dict], fields: tuple[str, ...]) -> list[dict]:
    old_by, new_by = {x["uid"]: x for x in old}, {x["uid"]: x for x in new}
    rows = []
    for uid in list(old_by) + [u for u in new_by if u not in old_by]:
        a, b = old_by.get(uid), new_by.get(uid)
        if a is None:
            change = "added"
        elif b is None:
            change = "removed"
        else:
            change = "same" if all(a.get(f) == b.get(f) for f in fields) else "changed"
        changed_fields = [f for f in fields if a and b and a.get(f) != b.get(f)]
        rows.append(
            {"uid": uid, "old": a, "new": b, "change": change, "changed_fields": changed_fields}
        )
    return rows
