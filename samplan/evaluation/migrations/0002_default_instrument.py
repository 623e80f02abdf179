"""Samplan's own questionnaire for the individual as data (samplan/evaluation/default.py)."""

from django.db import migrations

from samplan.evaluation.default import install_individual


def create(apps, schema_editor):
    install_individual(apps)


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
