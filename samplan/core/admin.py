"""Shared admin building blocks."""


class SystemAdministratorOnly:
    """ModelAdmin mixin: system administrators may do everything, nobody else anything.

    Django's per-model permissions are not used; the admin is a tool for a small group.
    """

    def _is_admin(self, request) -> bool:
        return request.user.is_authenticated and request.user.is_system_administrator

    def has_module_permission(self, request) -> bool:
        return self._is_admin(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._is_admin(request)

    def has_add_permission(self, request, obj=None) -> bool:
        return self._is_admin(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._is_admin(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._is_admin(request)
