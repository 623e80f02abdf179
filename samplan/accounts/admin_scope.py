"""Shared admin building blocks."""

from django.utils.translation import gettext_lazy as _

from samplan.accounts import access
from samplan.accounts.models import Organization, Unit

SCOPE_ATTRIBUTE = "_samplan_administration_scope"


def administration_scope(request) -> access.AdministrationScope:
    """The organisations the requesting user administers, worked out once per request.

    Empty exactly when the user is not a system administrator (User.is_system_administrator).
    """
    scope = getattr(request, SCOPE_ATTRIBUTE, None)
    if scope is None:
        scope = access.administration_scope(request.user)
        setattr(request, SCOPE_ATTRIBUTE, scope)
        access.administration_scope_remember(request.user, scope)
    return scope


class SystemAdministratorOnly:
    """ModelAdmin mixin: superusers may nearly everything, organisations' administrators what the
    rules in samplan.accounts.access allow them, nobody else anything.

    A model is for superusers only unless its ModelAdmin sets `superuser_only = False`; then it
    shows an organisation's administrator only the rows of his or her organisations
    (`organization_path`, the lookup from the model to its organisation, or its own
    `scope_queryset`), and asks `may_view`, `may_change`, `may_delete` and `may_add` per object
    (for an inline, the object is the one on the page). Rows outside the scope are not found:
    the admin answers as for an id that does not exist. Foreign keys to organisations and units
    offer only those the administrator administers. Django's per-model permissions are not used;
    the admin is a tool for a small group.
    """

    superuser_only = True
    organization_path: str | None = None

    def _is_admin(self, request) -> bool:
        return not administration_scope(request).is_empty

    def _is_superuser(self, request) -> bool:
        return self._is_admin(request) and administration_scope(request).everything

    def _opens_to(self, request) -> bool:
        return self._is_admin(request) and (
            not self.superuser_only or administration_scope(request).everything
        )

    # The scope and the rules per object. They apply to superusers too: the rules in
    # samplan.accounts.access say what a superuser may (nearly everything).

    def scope_queryset(self, request, queryset):
        if self._is_superuser(request):
            return queryset
        if self.organization_path is None:
            return queryset.none()
        ids = administration_scope(request).organization_ids
        return queryset.filter(**{f"{self.organization_path}__in": ids})

    def may_view(self, request, obj) -> bool:
        queryset = self.model._default_manager.filter(pk=obj.pk)
        return self.scope_queryset(request, queryset).exists()

    def may_change(self, request, obj) -> bool:
        return self.may_view(request, obj)

    def may_delete(self, request, obj) -> bool:
        return self.may_change(request, obj)

    def may_add(self, request, obj=None) -> bool:
        return True

    # Django's hooks.

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if not self._opens_to(request):
            return queryset.none()
        return self.scope_queryset(request, queryset)

    def has_module_permission(self, request) -> bool:
        return self._opens_to(request)

    def _allows(self, request, obj, rule) -> bool:
        """Asks the rule once per request and object (Django asks many times per page)."""
        if not self._opens_to(request):
            return False
        if obj is None:
            return True
        if obj.pk is None:
            return rule(request, obj)
        answers = request.__dict__.setdefault("_samplan_admin_answers", {})
        key = (type(self).__name__, rule.__name__, type(obj).__name__, obj.pk)
        if key not in answers:
            answers[key] = rule(request, obj)
        return answers[key]

    def has_view_permission(self, request, obj=None) -> bool:
        return self._allows(request, obj, self.may_view)

    def has_add_permission(self, request, obj=None) -> bool:
        return self._opens_to(request) and self.may_add(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._allows(request, obj, self.may_change)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._allows(request, obj, self.may_delete)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not self._is_superuser(request):
            if db_field.related_model is Organization:
                kwargs["queryset"] = access.organizations_administered_by(request.user)
                kwargs["error_messages"] = {
                    "invalid_choice": _("Choose an organisation that you administer.")
                }
            elif db_field.related_model is Unit:
                kwargs["queryset"] = access.units_administered_by(request.user)
                kwargs["error_messages"] = {
                    "invalid_choice": _("Choose a unit of an organisation that you administer.")
                }
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
