from django.contrib import admin

from samplan.audit.models import SecurityEvent
from samplan.core.admin import SystemAdministratorOnly


@admin.register(SecurityEvent)
class SecurityEventAdmin(SystemAdministratorOnly, admin.ModelAdmin):
    """Read-only: security events are evidence and are never edited."""

    list_display = [
        "at",
        "kind",
        "user",
        "attempted_username",
        "unit",
        "previous_unit",
        "ip_address",
    ]
    list_filter = ["kind"]
    date_hierarchy = "at"
    search_fields = ["user__username", "attempted_username"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
