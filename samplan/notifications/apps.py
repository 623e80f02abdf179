from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "samplan.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        """Hear of plan changes (samplan.plans.signals) and requests for a SIP
        (requests from Min SIP, also in samplan.plans.signals), and write the outbox."""
        from samplan.notifications import outbox  # models are loaded by now
        from samplan.plans import signals

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
