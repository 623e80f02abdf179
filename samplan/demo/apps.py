from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo world (`manage.py load_demo`): made through the services, like real work."""

    name = "samplan.demo"
    verbose_name = _("Demo")
