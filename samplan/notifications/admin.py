from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from samplan.accounts.admin_scope import SystemAdministratorOnly
from samplan.notifications import services
from samplan.notifications.models import FailedEmail, Notification


@admin.register(FailedEmail)
class FailedEmailAdmin(SystemAdministratorOnly, admin.ModelAdmin):
    list_display = ["subject", "last_error", "attempts", "created_at"]
    fields = ["subject", "last_error", "attempts", "created_at"]
    readonly_fields = fields
    actions = ["retry"]
    date_hierarchy = None

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(channel=Notification.Channel.EMAIL, status=Notification.Status.FAILED)
        )

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Try to send again"), permissions=["view"])
    def retry(self, request, queryset) -> None:
        count = 0
        for notification in queryset:
            services.notification_retry(notification=notification)
            count += 1
        self.message_user(
            request,
            ngettext("%d e-mail will be sent again.", "%d e-mails will be sent again.", count)
            % count,
            messages.SUCCESS,
        )
