"""Each follow-up keeps the follow-up date it answered (`FollowUp.due_on`), so that the
statistics can measure every follow-up against its date, not only the first.

The follow-ups recorded before are given the date where the history tells it: the plan's
next follow-up as last known before the follow-up was recorded, from the versions'
snapshots and the events that wrote the date (plan details changed, SIP kept elsewhere
registered). A follow-up that continued the plan set a new date without an event: until a
version or an event tells the date again, the next follow-up's date is not known and stays
empty.
"""

import datetime

from django.db import migrations, models

# At the same moment, the follow-up asks first, then it sets an unknown date, then a known
# date written by the same step (a revision's new version) is read.
ASK, UNKNOWN, KNOWN = 0, 1, 2


def _date(value):
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        return None


def backfill(apps, schema_editor):
    FollowUp = apps.get_model("plans", "FollowUp")
    PlanVersion = apps.get_model("plans", "PlanVersion")
    PlanEvent = apps.get_model("plans", "PlanEvent")
    plan_ids = sorted(set(FollowUp.objects.values_list("plan_id", flat=True)))
    for start in range(0, len(plan_ids), 500):
        batch = plan_ids[start : start + 500]
        moments: dict[int, list] = {pk: [] for pk in batch}
        for version in PlanVersion.objects.filter(plan_id__in=batch).only(
            "plan_id", "created_at", "snapshot"
        ):
            if isinstance(version.snapshot, dict) and "next_follow_up" in version.snapshot:
                due = _date(version.snapshot["next_follow_up"])
                moments[version.plan_id].append((version.created_at, KNOWN, due))
        events = PlanEvent.objects.filter(
            plan_id__in=batch, kind__in=["plan_updated", "registered_elsewhere"]
        ).only("plan_id", "at", "after")
        for event in events:
            if isinstance(event.after, dict) and "next_follow_up" in event.after:
                moments[event.plan_id].append(
                    (event.at, KNOWN, _date(event.after["next_follow_up"]))
                )
        followups = FollowUp.objects.filter(plan_id__in=batch, due_on__isnull=True).only(
            "plan_id", "recorded_at", "decision"
        )
        for followup in followups:
            moments[followup.plan_id].append((followup.recorded_at, ASK, followup))
            if followup.decision != "close":
                moments[followup.plan_id].append((followup.recorded_at, UNKNOWN, None))
        changed = []
        for rows in moments.values():
            due = None
            for _at, what, value in sorted(rows, key=lambda row: (row[0], row[1])):
                if what == KNOWN:
                    due = value
                elif what == UNKNOWN:
                    due = None
                elif due is not None:
                    value.due_on = due
                    changed.append(value)
        FollowUp.objects.bulk_update(changed, ["due_on"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0021_escalation_ladder"),
    ]

    operations = [
        migrations.AddField(
            model_name="followup",
            name="due_on",
            field=models.DateField(blank=True, null=True, verbose_name="follow-up due"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
