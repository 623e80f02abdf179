"""Organisations, units, staff and memberships in the admin.

Who may change what is decided in samplan.accounts.access (docs/security.md,
"Administration"); the changes of access are made by samplan.accounts.services, which records
each as a security event.
"""

import re

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from samplan.accounts import access, services
from samplan.accounts.admin_scope import SystemAdministratorOnly
from samplan.accounts.models import Membership, Organization, Unit, User

admin.site.unregister(Group)


class RowCheckedFormSet(BaseInlineFormSet):
    """An inline formset that refuses, with the reason, every row the administrator may not add,
    change or delete (Django checks inlines only per parent object)."""

    request = None  # set by the inline's get_formset

    def total_form_count(self) -> int:
        """Rows end with the last row whose fields were sent. A crafted TOTAL_FORMS otherwise
        makes the server build and check up to 2,000 empty rows (each counts as changed: an
        unticked box differs from its default), seconds of work for one request."""
        total = super().total_form_count()
        if not self.is_bound:
            return total
        row = re.compile(rf"{re.escape(self.prefix)}-(\d{{1,4}})-")
        sent = [int(match[1]) for key in self.data if (match := row.match(key))]
        return min(total, max(sent, default=-1) + 1)

    def row_refusal(self, form, deleting: bool) -> str | None:
        raise NotImplementedError

    def clean(self) -> None:
        super().clean()
        refusals = []
        for form in self.forms:
            deleting = self.can_delete and self._should_delete_form(form)
            if not deleting and not (form.has_changed() and form.is_valid()):
                continue  # unchanged, or its own errors are shown already
            refusal = self.row_refusal(form, deleting)
            if refusal is not None and refusal not in refusals:
                refusals.append(refusal)
        if refusals:
            raise ValidationError(refusals)


class MembershipFormSet(RowCheckedFormSet):
    def row_refusal(self, form, deleting: bool) -> str | None:
        actor = self.request.user
        if form.instance.pk is None and deleting:
            return None
        if form.instance.pk is not None:
            before = Membership.objects.select_related("user", "unit").get(pk=form.instance.pk)
            refusal = access.membership_refusal(
                actor, user=before.user, unit=before.unit, role=before.role
            )
            if refusal is not None or deleting:
                return refusal
        after = form.instance
        return access.membership_refusal(actor, user=after.user, unit=after.unit, role=after.role)


class UnitFormSet(RowCheckedFormSet):
    def row_refusal(self, form, deleting: bool) -> str | None:
        if form.instance.pk is None:
            return None  # a new unit of the organisation on the page, which the admin may change
        unit = Unit.objects.get(pk=form.instance.pk)
        if access.may_manage_unit(self.request.user, unit):
            return None
        return gettext(
            "You cannot change a unit that you are a member of yourself: ask another administrator."
        )


class FormSetWithRequest:
    """Inline mixin: the formset knows the request, for its row checks."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.request = request
        return formset


class MembershipFields:
    """User and role choices for a membership: only what the administrator may give (the
    membership page; on the user's and the unit's pages the formset checks each row)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = access.users_grantable_by(request.user)
            kwargs["error_messages"] = {
                "invalid_choice": _(
                    "Choose a member of staff that you may administer. Nobody can give himself "
                    "or herself access, and only a superuser changes an administrator's access."
                )
            }
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role" and not self._is_superuser(request):
            kwargs["choices"] = [
                (value, label)
                for value, label in Membership.Role.choices
                if value != Membership.Role.ADMINISTRATOR
            ]
            kwargs["error_messages"] = {
                "invalid_choice": _("Only a superuser can give the role administrator.")
            }
        return super().formfield_for_choice_field(db_field, request, **kwargs)


class MembershipChangesRecorded:
    """ModelAdmin mixin: memberships of inlines are saved and deleted through the services."""

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        memberships = formset.save(commit=False)
        for membership in formset.deleted_objects:
            services.membership_delete(actor=request.user, membership=membership, request=request)
        for membership in memberships:
            services.membership_save(actor=request.user, membership=membership, request=request)
        formset.save_m2m()
        return None


class UnitInline(FormSetWithRequest, SystemAdministratorOnly, admin.TabularInline):
    model = Unit
    formset = UnitFormSet
    extra = 0
    fields = ["name", "kind", "hsa_id", "email", "phone", "is_active", "receives_requests"]
    show_change_link = True
    superuser_only = False
    organization_path = "organization"

    def may_view(self, request, obj) -> bool:  # obj: the organisation on the page
        return True

    def may_change(self, request, obj) -> bool:
        return access.may_change_organization(request.user, obj)

    def may_add(self, request, obj=None) -> bool:
        return obj is None or access.may_change_organization(request.user, obj)


@admin.register(Organization)
class OrganizationAdmin(SystemAdministratorOnly, admin.ModelAdmin):
    list_display = ["name", "kind", "organization_number", "municipality_code", "hsa_id"]
    list_filter = ["kind"]
    search_fields = ["name", "organization_number", "hsa_id"]
    inlines = [UnitInline]
    superuser_only = False
    organization_path = "pk"

    def may_change(self, request, obj) -> bool:
        return access.may_change_organization(request.user, obj)

    def may_delete(self, request, obj) -> bool:
        return access.may_add_or_delete_organization(request.user)

    def may_add(self, request, obj=None) -> bool:
        return access.may_add_or_delete_organization(request.user)


class MembershipInline(FormSetWithRequest, SystemAdministratorOnly, admin.TabularInline):
    model = Membership
    formset = MembershipFormSet
    extra = 0
    autocomplete_fields = ["unit", "user"]
    fields = ["user", "unit", "role", "is_active"]
    superuser_only = False
    organization_path = "unit__organization"

    def may_view(self, request, obj) -> bool:  # obj: the user or unit on the page
        return True

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """Any member of staff the administrator sees, so that the rows of those he or she may
        not change still validate unchanged; MembershipFormSet refuses changes, with the reason."""
        if db_field.name == "user":
            kwargs["queryset"] = access.users_visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def may_change(self, request, obj) -> bool:
        if isinstance(obj, Unit):
            return access.may_manage_unit(request.user, obj)
        # A user's page: nobody changes his or her own memberships, nor (unless a superuser)
        # those of a user he or she may not manage. Each row is checked again by the formset.
        return obj.pk != request.user.pk and access.may_manage_user(request.user, obj)

    def may_add(self, request, obj=None) -> bool:
        return obj is None or self.may_change(request, obj)


@admin.register(Unit)
class UnitAdmin(MembershipChangesRecorded, SystemAdministratorOnly, admin.ModelAdmin):
    list_display = [
        "name",
        "organization",
        "kind",
        "email",
        "phone",
        "is_active",
        "receives_requests",
    ]
    list_filter = [
        "kind",
        "is_active",
        "receives_requests",
        "organization__kind",
        ("organization", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["name", "organization__name", "hsa_id"]
    list_select_related = ["organization"]
    inlines = [MembershipInline]
    superuser_only = False
    organization_path = "organization"

    def may_change(self, request, obj) -> bool:
        return access.may_manage_unit(request.user, obj)


@admin.register(User)
class UserAdmin(MembershipChangesRecorded, SystemAdministratorOnly, DjangoUserAdmin):
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
    superuser_only = False

    def scope_queryset(self, request, queryset):
        return queryset.filter(pk__in=access.users_visible_to(request.user).values("pk"))

    def get_inline_instances(self, request, obj=None):
        """Memberships are given on the user's page, after the account is created."""
        return super().get_inline_instances(request, obj) if obj is not None else []

    def may_change(self, request, obj) -> bool:
        return access.may_manage_user(request.user, obj)

    def may_delete(self, request, obj) -> bool:
        return access.may_delete_user(request.user, obj)

    def get_readonly_fields(self, request, obj=None):
        """Only a superuser may make another superuser (or staff)."""
        fields = list(super().get_readonly_fields(request, obj))
        if not self._is_superuser(request):
            fields += ["is_superuser", "is_staff"]
        return fields

    def save_model(self, request, obj, form, change) -> None:
        services.user_save(actor=request.user, user=obj, request=request)

    def delete_model(self, request, obj) -> None:
        services.user_delete(actor=request.user, user=obj, request=request)

    def delete_queryset(self, request, queryset) -> None:
        for user in queryset:
            services.user_delete(actor=request.user, user=user, request=request)

    def user_change_password(self, request, id, form_url=""):
        """Django's page (404 outside the scope, 403 for users one may not manage), and a
        security event when the password was set or removed."""
        with transaction.atomic():
            user = self.get_object(request, unquote(id))
            before = user.password if user is not None else None
            response = super().user_change_password(request, id, form_url)
            if user is not None and request.method == "POST":
                user.refresh_from_db(fields=["password"])
                if user.password != before:
                    services.user_password_change_record(
                        actor=request.user, user=user, request=request
                    )
        return response


class MembershipForm(forms.ModelForm):
    """Refuses, with the reason, a membership the administrator may not give."""

    actor = None  # set by MembershipAdmin.get_form

    def clean(self):
        cleaned = super().clean()
        user, unit, role = (cleaned.get(name) for name in ("user", "unit", "role"))
        if user is not None and unit is not None and role:
            refusal = access.membership_refusal(self.actor, user=user, unit=unit, role=role)
            if refusal is not None:
                raise ValidationError(refusal)
        return cleaned


@admin.register(Membership)
class MembershipAdmin(
    MembershipFields, MembershipChangesRecorded, SystemAdministratorOnly, admin.ModelAdmin
):
    form = MembershipForm
    list_display = ["user", "unit", "role", "is_active", "created_at"]
    list_filter = ["role", "is_active", ("unit__organization", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["user__username", "user__last_name", "unit__name"]
    autocomplete_fields = ["user", "unit"]
    list_select_related = ["user", "unit", "unit__organization"]
    superuser_only = False
    organization_path = "unit__organization"

    def may_change(self, request, obj) -> bool:
        return access.may_manage_membership(request.user, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = request.user
        return form

    def save_model(self, request, obj, form, change) -> None:
        services.membership_save(actor=request.user, membership=obj, request=request)

    def delete_model(self, request, obj) -> None:
        services.membership_delete(actor=request.user, membership=obj, request=request)

    def delete_queryset(self, request, queryset) -> None:
        for membership in queryset:
            services.membership_delete(actor=request.user, membership=membership, request=request)
