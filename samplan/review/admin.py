from django.contrib import admin

from samplan.accounts.access import security_events_visible_to
from samplan.accounts.admin_scope import SystemAdministratorOnly
from samplan.audit.models import SecurityEvent


@admin.register(SecurityEvent)
class SecurityEventAdmin(SystemAdministratorOnly, admin.ModelAdmin):
    """Read-only: security events are evidence and are never edited. An organisation's
    administrator sees those of his or her organisations (security_events_visible_to)."""

    list_display = [
        "at",
        "kind",
        "user",
        "attempted_username",
        "unit",
        "previous_unit",
        "actor",
        "detail",
        "ip_address",
    ]
    list_filter = ["kind"]
    date_hierarchy = "at"
    search_fields = ["user__username", "attempted_username"]
    list_select_related = ["user", "unit__organization", "previous_unit__organization", "actor"]
    superuser_only = False

    def scope_queryset(self, request, queryset):
        return security_events_visible_to(request.user, queryset)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
