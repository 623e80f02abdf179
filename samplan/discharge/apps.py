from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DischargeConfig(AppConfig):
    name = "samplan.discharge"
    verbose_name = _("Discharge from inpatient care")

    def ready(self) -> None:
        from samplan.discharge import receivers
        from samplan.plans import signals

        # The first invitation after a discharge meets (or misses) the deadline.
        signals.meeting_changed.connect(receivers.meeting_booked, dispatch_uid="discharge_invited")
