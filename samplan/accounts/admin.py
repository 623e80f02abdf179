from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from samplan.accounts.models import Membership, Organization, Unit, User
from samplan.core.admin import SystemAdministratorOnly

admin.site.unregister(Group)


class UnitInline(SystemAdministratorOnly, admin.TabularInline):
    model = Unit
    extra = 0
    fields = ["name", "kind", "hsa_id", "email", "phone", "is_active"]
    show_change_link = True


@admin.register(Organization)
class OrganizationAdmin(SystemAdministratorOnly, admin.ModelAdmin):
    list_display = ["name", "kind", "organization_number", "municipality_code", "hsa_id"]
    list_filter = ["kind"]
    search_fields = ["name", "organization_number", "hsa_id"]
    inlines = [UnitInline]


class MembershipInline(SystemAdministratorOnly, admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["unit", "user"]
    fields = ["user", "unit", "role", "is_active"]


@admin.register(Unit)
class UnitAdmin(SystemAdministratorOnly, admin.ModelAdmin):
    list_display = ["name", "organization", "kind", "email", "phone", "is_active"]
    list_filter = ["kind", "is_active", "organization__kind", "organization"]
    search_fields = ["name", "organization__name", "hsa_id"]
    list_select_related = ["organization"]
    inlines = [MembershipInline]


@admin.register(User)
class UserAdmin(SystemAdministratorOnly, DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "title", "email", "is_active"]
    list_filter = ["is_active", "is_superuser", "memberships__role"]
    search_fields = ["username", "first_name", "last_name", "email", "hsa_id"]
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            _("Personal info"),
            {"fields": ("first_name", "last_name", "title", "email", "phone", "hsa_id")},
        ),
        (_("Access"), {"fields": ("is_active", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "first_name",
                    "last_name",
                    "email",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    readonly_fields = ["last_login", "date_joined"]

    def get_readonly_fields(self, request, obj=None):
        """Only a superuser may make another superuser."""
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields.append("is_superuser")
        return fields


@admin.register(Membership)
class MembershipAdmin(SystemAdministratorOnly, admin.ModelAdmin):
    list_display = ["user", "unit", "role", "is_active", "created_at"]
    list_filter = ["role", "is_active", "unit__organization"]
    search_fields = ["user__username", "user__last_name", "unit__name"]
    autocomplete_fields = ["user", "unit"]
    list_select_related = ["user", "unit", "unit__organization"]
