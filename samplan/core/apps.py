from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "samplan.core"
    verbose_name = _("Samplan")

    def ready(self) -> None:
        from samplan.core import lookups

        lookups.register()


class SamplanAdminConfig(AdminConfig):
    default_site = "samplan.accounts.admin_site.SamplanAdminSite"
