from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "samplan.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        """Hear of plan changes (samplan.plans.signals) and requests for a SIP
        (requests from Min SIP, also in samplan.plans.signals), and write the outbox."""
        from samplan.deviations import signals as deviation_signals
        from samplan.discharge import signals as discharge_signals
        from samplan.notifications import outbox  # models are loaded by now
        from samplan.plans import signals

        discharge_signals.admission_notice.connect(
            outbox.admission_notice_received, dispatch_uid="admission_notice"
        )
        deviation_signals.deviation_changed.connect(
            outbox.deviation_changed_received, dispatch_uid="deviation_changed"
        )
        signals.join_requested.connect(outbox.join_request_received, dispatch_uid="join")
        signals.join_accepted.connect(outbox.join_request_accepted_received, dispatch_uid="ok")
        signals.meeting_changed.connect(outbox.meeting_changed_received, dispatch_uid="meeting")
        signals.plan_closed.connect(outbox.plan_closed_received, dispatch_uid="closed")
        signals.invitation_answered.connect(
            outbox.invitation_answered_received, dispatch_uid="answered"
        )
        signals.version_answered.connect(outbox.version_answered_received, dispatch_uid="version")
        signals.sip_request_sent.connect(
            outbox.sip_request_sent_received, dispatch_uid="sip_request"
        )
        signals.sip_request_answered.connect(
            outbox.sip_request_answered_received, dispatch_uid="sip_request_answered"
        )
        signals.sip_handed_over.connect(
            outbox.sip_handed_over_received, dispatch_uid="sip_handed_over"
        )
