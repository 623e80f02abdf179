"""The Django admin, open to system administrators only."""

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.utils.translation import gettext_lazy as _

from samplan.accounts.forms import bound_login_fields


class AdminLoginForm(AdminAuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bound_login_fields(self)


class SamplanAdminSite(admin.AdminSite):
    site_header = _("Samplan administration")
    site_title = _("Samplan administration")
    index_title = _("Organisations, units and staff")
    login_form = AdminLoginForm

    def has_permission(self, request) -> bool:
        """Caseworkers and unit managers never use the admin, whatever their flags say."""
        user = request.user
        return user.is_authenticated and user.is_system_administrator
