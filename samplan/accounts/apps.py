from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "samplan.accounts"
    verbose_name = _("Organisations and staff")

    def ready(self) -> None:
        from samplan.accounts import receivers  # noqa: F401
