from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewConfig(AppConfig):
    """The unit manager's review of the access log, and the log in the admin. Kept apart from
    samplan.audit, which every app writes to, because reviewing needs the plans."""

    name = "samplan.review"
    verbose_name = _("Log review")
