from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save, pre_delete
from django.utils.translation import gettext_lazy as _


class StatisticsConfig(AppConfig):
    name = "samplan.statistics"
    verbose_name = _("Statistics")

    def ready(self) -> None:
        """Keep the history of the local agreements' deadlines (the plans app does not know
        the statistics exist): every save or delete of an agreement records its terms. A plan
        deleted (culled) takes its facts out of the monthly counts before they are gone."""
        from samplan.plans.models import LocalAgreement, Plan
        from samplan.statistics import receivers

        post_save.connect(receivers.agreement_saved, sender=LocalAgreement, dispatch_uid="terms")
        post_delete.connect(
            receivers.agreement_deleted, sender=LocalAgreement, dispatch_uid="terms"
        )
        pre_delete.connect(receivers.plan_deleted, sender=Plan, dispatch_uid="facts")
