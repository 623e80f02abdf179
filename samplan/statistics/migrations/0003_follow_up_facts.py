"""A fact row per follow-up date (`FollowUpFact`). The worker is sent back to the first
event, so that it writes every plan's facts again, these rows with them (the same as
`manage.py statistics_rebuild`, a batch at a time)."""

import django.db.models.deletion
from django.db import migrations, models


def read_again(apps, schema_editor):
    Watermark = apps.get_model("statistics", "Watermark")
    Watermark.objects.filter(name="plan_events").update(last_event_id=0)


class Migration(migrations.Migration):
    dependencies = [
        ("statistics", "0002_agreement_terms_seed"),
        ("plans", "0022_followup_due_on"),
    ]

    operations = [
        migrations.CreateModel(
            name="FollowUpFact",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("due_on", models.DateField()),
                ("held_on", models.DateField(null=True)),
                (
                    "fact",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="follow_up_dates",
                        to="statistics.planfact",
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["due_on"], name="follow_up_fact_due")],
            },
        ),
        migrations.RunPython(read_again, migrations.RunPython.noop),
    ]
