"""A plan frozen as plain data (for versions), and the difference between two such copies."""

import datetime

from django.utils.translation import gettext_lazy as _

from samplan.core import dates
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
    # Nor does it learn of hidden items through the links to them.
    goal_uids = {g["uid"] for g in shown_goals}
    intervention_uids = {i["uid"] for i in shown_interventions}
    shown_interventions = [
        {
            **i,
            "goals": [uid for uid in i.get("goals", []) if uid in goal_uids],
            "after": i.get("after") if i.get("after") in intervention_uids else None,
        }
        for i in shown_interventions
    ]
    return {**snapshot, "goals": shown_goals, "interventions": shown_interventions}


SCALARS = [
    ("own_words", _("What is important to the individual")),
    ("self_actions", _("What the individual and relatives do themselves")),
    ("overall_responsibility", _("Overall responsibility")),
    ("lead", _("Lead")),
    ("next_follow_up", _("Next follow-up")),
]


# Each goal's and intervention's fields a comparison shows, in the order shown, with their labels.
GOAL_FIELDS = (
    ("text", _("Goal")),
    ("term", _("Term")),
    ("status", _("Status")),
    ("follow_up_by", _("Followed up by")),
    ("parent", _("Sub-goal of")),
    ("topic", _("Topic")),
)
INTERVENTION_FIELDS = (
    ("what", _("Intervention")),
    ("organization", _("Organisation")),
    ("unit", _("Unit")),
    ("responsible_person", _("Responsible person")),
    ("start", _("Start")),
    ("frequency", _("How often")),
    ("status", _("Status")),
    ("after", _("Comes after")),
    ("goals", _("Serves the goals")),
    ("topic", _("Topic")),
)
DATES = {"start", "next_follow_up"}  # kept as ISO dates in a snapshot


def snapshot_diff(old: dict, new: dict) -> dict:
    """Rows for a side-by-side comparison: each with a change flag (same/changed/added/removed),
    and for a goal or an intervention the keys of the fields that changed."""
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
            old.get("goals", []), new.get("goals", []), tuple(k for k, _label in GOAL_FIELDS)
        ),
        "interventions": _by_uid(
            old.get("interventions", []),
            new.get("interventions", []),
            tuple(k for k, _label in INTERVENTION_FIELDS),
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
        changed_fields = [f for f in fields if a and b and _raw(a, f) != _raw(b, f)]
        if a is None:
            change = "added"
        elif b is None:
            change = "removed"
        else:
            change = "changed" if changed_fields else "same"
        rows.append(
            {"uid": uid, "old": a, "new": b, "change": change, "changed_fields": changed_fields}
        )
    return rows


def _raw(item: dict, key: str):
    """A field as compared: missing (a snapshot older than the field) is the same as empty."""
    return item.get(key) or None


def comparison(old: dict, new: dict) -> dict:
    """snapshot_diff for reading. Each goal's and intervention's row also has its title, whether
    it is a sub-goal, and its fields (label, old and new value in words, whether it changed):
    the changed ones of a changed item; all an added or removed one says besides its title.
    Dates are in words."""
    diff = snapshot_diff(old, new)
    for row in diff["scalars"]:
        if row["key"] in DATES:
            row["old"], row["new"] = _shown(row["key"], row["old"]), _shown(row["key"], row["new"])
    for kind, fields, title in (
        ("goals", GOAL_FIELDS, "text"),
        ("interventions", INTERVENTION_FIELDS, "what"),
    ):
        for row in diff[kind]:
            item = row["new"] or row["old"]
            row["title"] = item.get(title, "")
            row["sub_goal"] = bool(item.get("parent"))
            row["fields"] = [
                {
                    "key": key,
                    "label": label,
                    "old": _shown(key, row["old"].get(key), old) if row["old"] else "",
                    "new": _shown(key, row["new"].get(key), new) if row["new"] else "",
                    "changed": key in row["changed_fields"],
                }
                for key, label in fields
                if key in row["changed_fields"]
                or (row["change"] in ("added", "removed") and key != title and _raw(item, key))
            ]
    return diff


def _shown(key: str, value, snapshot: dict | None = None) -> str:
    """A snapshot's value in words: dates spelled out, other goals and interventions by their
    words, topics by name."""
    if not value:
        return ""
    if key in DATES:
        return dates.day(datetime.date.fromisoformat(value))
    if key == "topic":
        return str(rules.topic_label(value))
    texts = {
        x["uid"]: x.get("text") or x.get("what", "")
        for x in (snapshot or {}).get("goals", []) + (snapshot or {}).get("interventions", [])
    }
    if key in ("parent", "after"):
        return texts.get(value, "")
    if key == "goals":
        return ", ".join(quoted(texts[uid]) for uid in value if uid in texts)
    return str(value)


def with_dates(snapshot: dict) -> dict:
    """The snapshot with its ISO dates as dates, for a page to spell out (|day)."""

    def dated(data: dict) -> dict:
        return {
            key: datetime.date.fromisoformat(value) if key in DATES and value else value
            for key, value in data.items()
        }

    return {
        **dated(snapshot),
        "interventions": [dated(i) for i in snapshot.get("interventions", [])],
    }


def quoted(text: str) -> str:
    """Words in the quotation marks of the language shown (” ” in Swedish)."""
    return _("“%(text)s”") % {"text": text}
