from django.contrib import admin

from samplan.accounts.admin_scope import SystemAdministratorOnly
from samplan.plans import services
from samplan.plans.models import LocalAgreement, Plan


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

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self._refresh(obj)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self._refresh(obj)

    def delete_queryset(self, request, queryset):
        agreements = list(queryset)
        super().delete_queryset(request, queryset)
        for agreement in agreements:
            self._refresh(agreement)

    @staticmethod
    def _refresh(agreement: LocalAgreement) -> None:
        """The organisation's open plans get their deadlines by the new agreement."""
        services.deadlines_refresh(
            Plan.objects.filter(initiating_unit__organization_id=agreement.organization_id)
        )
