from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "samplan.evaluation"
    verbose_name = _("Evaluation")

    def ready(self) -> None:
        # Asked inside the transaction of the change, so the requests commit or roll back with it.
        from samplan.evaluation import services
        from samplan.plans import signals

        signals.plan_established.connect(
            services.plan_established_received, dispatch_uid="evaluation_plan_established"
        )
        signals.plan_followed_up.connect(
            services.plan_followed_up_received, dispatch_uid="evaluation_plan_followed_up"
        )
