from django.contrib import admin

from samplan.accounts import access
from samplan.accounts.admin_scope import SystemAdministratorOnly, administration_scope
from samplan.plans import services
from samplan.plans.models import EscalationStep, LocalAgreement, Plan


class EscalationStepInline(SystemAdministratorOnly, admin.TabularInline):
    """The steps above the unit managers in the agreement's ladder for collaboration failures."""

    model = EscalationStep
    extra = 0
    fields = ["number", "name", "days", "email", "members"]
    autocomplete_fields = ["members"]
    superuser_only = False
    organization_path = "agreement__organization"

    def may_view(self, request, obj) -> bool:  # obj: the local agreement on the page
        return administration_scope(request).covers(obj.organization_id)

    def may_add(self, request, obj=None) -> bool:
        return obj is None or self.may_view(request, obj)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        """Members among the staff the administrator sees (the autocomplete offers no others)."""
        if db_field.name == "members":
            kwargs["queryset"] = access.users_visible_to(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(LocalAgreement)
class LocalAgreementAdmin(SystemAdministratorOnly, admin.ModelAdmin):
    """Deadlines per organisation. Plans themselves are never shown in the admin (need-to-know)."""

    list_display = [
        "organization",
        "consent_within_days",
        "first_meeting_within_days",
        "due_soon_days",
        "discharge_invitation_within_days",
        "discharge_days_counted",
        "failure_first_step_days",
    ]
    autocomplete_fields = ["organization"]
    inlines = [EscalationStepInline]
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
