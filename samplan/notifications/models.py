"""The outbox: every e-mail and inbox item Samplan sends, one row each.

An e-mail row is written in the same transaction as the change that causes it and delivered
by the worker afterwards (samplan.notifications.tasks); an inbox item is delivered the moment
its transaction commits. E-mails never carry personal data: a fixed text and a link.
"""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        INBOX = "inbox", _("Inbox")

    class Kind(models.TextChoices):
        MEETING_INVITATION = "meeting_invitation", _("Invitation to a SIP meeting")
        MEETING_CHANGED = "meeting_changed", _("A SIP meeting has changed")
        MEETING_CANCELLED = "meeting_cancelled", _("A SIP meeting is cancelled")
        PLAN_CLOSED = "plan_closed", _("A SIP has been closed")
        DEADLINE_DUE_SOON = "deadline_due_soon", _("A deadline is near")
        DEADLINE_OVERDUE = "deadline_overdue", _("A deadline has passed")
        APPROVAL_WAITING = "approval_waiting", _("A new plan is waiting for an answer")
        INVITATION_UNANSWERED = "invitation_unanswered", _("An invitation is not answered")
        JOIN_REQUEST = "join_request", _("A unit asks to take part in a SIP")
        JOIN_ACCEPTED = "join_accepted", _("Your unit now takes part in a SIP")
        PRINCIPAL_DECLINED = "principal_declined", _("A unit declined a SIP meeting")
        PRINCIPAL_NOT_ANSWERED = (
            "principal_not_answered",
            _("A unit has not answered an invitation in time"),
        )
        SIP_REQUEST = "sip_request", _("Someone asks for a SIP")
        SIP_REQUEST_ANSWERED = "sip_request_answered", _("A request for a SIP is answered")
        SIP_HANDED_OVER = "sip_handed_over", _("A SIP has been handed to your unit")
        DISCHARGE_NOTICE = "discharge_notice", _("A notice about discharge from hospital")
        COLLABORATION_FAILURE = "collaboration_failure", _("A collaboration failure")
        EVALUATION_REQUEST = "evaluation_request", _("A request to evaluate a SIP")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed_permanently", _("Failed")
        DELIVERED = "delivered", _("In the inbox")

    channel = models.CharField(_("channel"), max_length=5, choices=Channel.choices)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    # The recipient: a staff user (inbox), a person (Min SIP inbox, or e-mail when agreed),
    # or only an address (a unit's functional mailbox, `unit` says whose).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("individual"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    email = models.EmailField(_("address"), blank=True)
    plan = models.ForeignKey(
        "plans.Plan",
        verbose_name=_("SIP"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )

    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    ics = models.TextField(_("calendar file"), blank=True)
    dedupe_key = models.CharField(_("dedupe key"), max_length=255, unique=True)

    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    # When a delivery task was last put on the queue; cleared when a worker claims the row.
    enqueued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    claim = models.CharField(_("claim"), max_length=32, blank=True)
    last_error = models.CharField(_("error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(channel="inbox", email="", status="delivered")
                    & (
                        Q(user__isnull=False, person__isnull=True)
                        | Q(user__isnull=True, person__isnull=False)
                    )
                )
                | (Q(channel="email", user__isnull=True) & ~Q(email="") & ~Q(status="delivered")),
                name="notification_recipient_fits_channel",
            )
        ]
        indexes = [
            models.Index(
                fields=["user", "created_at"],
                condition=Q(channel="inbox", user__isnull=False),
                name="notification_user_inbox",
            ),
            models.Index(
                fields=["person", "created_at"],
                condition=Q(channel="inbox", person__isnull=False),
                name="notification_person_inbox",
            ),
            models.Index(
                fields=["status", "next_attempt_at"],
                condition=Q(status__in=["pending", "sending"]),
                name="notification_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_channel_display()})"

    @property
    def message_id(self) -> str:
        """The e-mail's Message-ID: derived from the dedupe key, the same on every attempt."""
        digest = hashlib.sha256(self.dedupe_key.encode()).hexdigest()[:40]
        return f"<{digest}@samplan>"


class FailedEmail(Notification):
    """E-mails the worker gave up on, as administrators see them: subject and error only."""

    class Meta:
        proxy = True
        verbose_name = _("failed e-mail")
        verbose_name_plural = _("failed e-mails")


class NotificationPreference(models.Model):
    """Whether a person agreed to get e-mail from Samplan (no by default)."""

    person = models.OneToOneField(
        "people.Person",
        verbose_name=_("individual"),
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    email_ok = models.BooleanField(_("e-mail me when there is news"), default=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.person_id)


class MeetingCalendar(models.Model):
    """The calendar entry sent for a meeting: its SEQUENCE grows with every change."""

    meeting = models.OneToOneField(
        "plans.Meeting",
        verbose_name=_("meeting"),
        on_delete=models.CASCADE,
        related_name="calendar",
        primary_key=True,
    )
    sequence = models.PositiveIntegerField(_("sequence"), default=0)
    method = models.CharField(_("method"), max_length=7)  # REQUEST or CANCEL, the last sent
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("calendar entry")
        verbose_name_plural = _("calendar entries")

    def __str__(self) -> str:
        return f"{self.meeting_id}: {self.method} {self.sequence}"


class Heartbeat(models.Model):
    """The last time a part of the background work ran (`worker`: the worker's sweep, every
    minute), for the health check (`/health`): a stopped worker is seen within minutes."""

    name = models.CharField(max_length=40, unique=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.at}"
