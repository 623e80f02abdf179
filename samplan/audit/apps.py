from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "samplan.audit"
    verbose_name = _("Audit")

    def ready(self) -> None:
        from samplan.audit import checks, receivers  # noqa: F401
