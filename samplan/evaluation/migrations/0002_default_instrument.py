"""Samplan's own questionnaire as data (samplan/evaluation/default.py)."""

from django.db import migrations

from samplan.evaluation.default import install


def create(apps, schema_editor):
    install(apps)


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
