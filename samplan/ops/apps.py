from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "samplan.ops"
    verbose_name = "Operations"
