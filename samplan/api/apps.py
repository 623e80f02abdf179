from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The REST API for record systems: system clients, their tokens and the endpoints
    (docs/api.md)."""

    name = "samplan.api"
    verbose_name = _("API for record systems")

    def ready(self) -> None:
        from django.db.models.signals import pre_save

        from samplan.accounts.models import User
        from samplan.api import signals

        pre_save.connect(
            signals.service_user_keeps_no_password, sender=User, dispatch_uid="api-service-user"
        )
