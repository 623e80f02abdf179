"""The local agreements as they are when the statistics start: in force since always (the
history of later changes is written when an agreement is saved)."""

from django.db import migrations


def seed(apps, schema_editor):
    LocalAgreement = apps.get_model("plans", "LocalAgreement")
    AgreementTerms = apps.get_model("statistics", "AgreementTerms")
    AgreementTerms.objects.bulk_create(
        AgreementTerms(
            organization_id=agreement.organization_id,
            valid_from=None,
            consent_within_days=agreement.consent_within_days,
            first_meeting_within_days=agreement.first_meeting_within_days,
        )
        for agreement in LocalAgreement.objects.all()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("statistics", "0001_facts"),
        ("plans", "0021_escalation_ladder"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
