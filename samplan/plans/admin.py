from django.contrib import admin

from samplan.accounts.admin_scope import SystemAdministratorOnly
from samplan.plans.models import LocalAgreement


@admin.register(LocalAgreement)
class LocalAgreementAdmin(SystemAdministratorOnly, admin.ModelAdmin):
    """Deadlines per organisation. Plans themselves are never shown in the admin (need-to-know)."""

    list_display = [
        "organization",
        "consent_within_days",
        "first_meeting_within_days",
        "due_soon_days",
    ]
    autocomplete_fields = ["organization"]
    superuser_only = False  # an organisation's administrator: his or her organisations' only
    organization_path = "organization"
