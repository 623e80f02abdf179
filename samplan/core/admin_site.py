"""The Django admin, open to system administrators only."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class SamplanAdminSite(admin.AdminSite):
    site_header = _("Samplan administration")
    site_title = _("Samplan administration")
    index_title = _("Organisations, units and staff")

    def has_permission(self, request) -> bool:
        """Caseworkers and unit managers never use the admin, whatever their flags say."""
        user = request.user
        return user.is_authenticated and user.is_system_administrator
