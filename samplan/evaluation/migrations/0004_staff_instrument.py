"""Samplan's own questionnaire for the staff who took part, as data
(samplan/evaluation/default.py): staff are asked it from now on, the individual's side keeps
the individual's."""

from django.db import migrations

from samplan.evaluation.default import install_staff


def create(apps, schema_editor):
    install_staff(apps)


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0003_instrument_audience")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
