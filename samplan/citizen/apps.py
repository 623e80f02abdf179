from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CitizenConfig(AppConfig):
    name = "samplan.citizen"
    verbose_name = _("Min SIP")
