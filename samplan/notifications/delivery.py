"""Delivery of the outbox's e-mails, in the worker: claim, send, retry with backoff, sweep.

Idempotent: a claim decides who sends; a lost task is found by the sweeper and enqueued again.
"""

import datetime
import logging
import smtplib
from email.mime.text import MIMEText
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks import task

from samplan.notifications.models import Notification
from samplan.notifications.texts import (
    setting,
)

logger = logging.getLogger(__name__)

Kind = Notification.Kind
Status = Notification.Status
EMAIL, INBOX = Notification.Channel.EMAIL, Notification.Channel.INBOX

MAX_ATTEMPTS = 8
SWEEP_BATCH = 500
# A delivery task still waiting after this long is taken to be lost and enqueued again.
REQUEUE_AFTER = datetime.timedelta(minutes=5)


@task()
def deliver_notification(notification_id: int) -> str:
    """Send one e-mail from the outbox (idempotent: the claim decides who sends)."""
    return notification_deliver(notification_id)


def enqueue_delivery(notification_id: int) -> None:
    """After the commit: hand the e-mail to the worker. If that fails the sweeper finds it."""
    try:
        deliver_notification.enqueue(notification_id)
    except Exception:  # the row is safe in the outbox; the sweeper re-enqueues it
        logger.exception("could not enqueue notification %s; the sweeper will", notification_id)


def retry_delay(attempts: int) -> datetime.timedelta:
    """1 minute after the first failure, then 2, 4, 8, ... capped."""
    base = setting("NOTIFICATIONS_RETRY_BASE_SECONDS", 60)
    cap = setting("NOTIFICATIONS_RETRY_MAX_SECONDS", 3600)
    return datetime.timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def _lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=setting("NOTIFICATIONS_SEND_LEASE_SECONDS", 300))


def describe_error(error: BaseException) -> tuple[str, bool]:
    """(a description without personal data, whether it is permanent). SMTP replies may echo
    the address, so only the class and reply codes are kept."""
    name = type(error).__name__
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _msg in error.recipients.values()})
        return f"{name}: {', '.join(map(str, codes))}", all(code >= 500 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{name}: {error.smtp_code}", error.smtp_code >= 500
    if isinstance(error, OSError) and error.strerror:
        return f"{name}: {error.strerror}", False
    return name, False


def _email_message(notification: Notification, connection) -> EmailMessage:
    message = EmailMessage(
        subject=notification.subject,
        body=notification.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.email],
        headers={"Message-ID": notification.message_id, "Auto-Submitted": "auto-generated"},
        connection=connection,
    )
    if notification.ics:
        method = "CANCEL" if notification.kind == Kind.MEETING_CANCELLED else "REQUEST"
        part = MIMEText(notification.ics, "calendar", "utf-8")
        part.set_param("method", method)
        part.add_header("Content-Disposition", "attachment", filename="mote.ics")
        message.attach(part)
    return message


def notification_deliver(notification_id: int) -> str:
    """Send one e-mail from the outbox, at most once per claim. Returns what happened.

    1. Claim: under a row lock, a pending e-mail that is due (or one whose earlier claim has
       expired) becomes "sending" with a lease and a claim token; the attempt is counted.
    2. Send over SMTP with a Message-ID derived from the dedupe key (outside any transaction).
    3. Mark it sent; or, on failure, pending again with exponential backoff, and
       failed_permanently after MAX_ATTEMPTS attempts or at a permanent (5xx) refusal.

    A worker killed before the server accepted the message leaves the claim to expire; the
    sweeper then hands it to a worker again. Killed between the server's acceptance and step
    3, the message is sent again after the lease, with the same Message-ID (docs/
    notifications.md: the one at-least-once window).
    """
    now = timezone.now()
    token = get_random_string(32)
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .filter(pk=notification_id, channel=EMAIL)
            .first()
        )
        if notification is None:
            return "missing"
        if notification.status in {Status.SENT, Status.FAILED}:
            return "done"
        if notification.status == Status.PENDING and (notification.next_attempt_at or now) > now:
            return "not due"
        if notification.status == Status.SENDING and (notification.claimed_until or now) > now:
            return "claimed"
        if notification.attempts >= MAX_ATTEMPTS:  # the last claim expired: give up
            notification.status, notification.next_attempt_at = Status.FAILED, None
            notification.claim, notification.claimed_until = "", None
            notification.last_error = notification.last_error or "no answer from the worker"
            notification.save(
                update_fields=["status", "next_attempt_at", "claim", "claimed_until", "last_error"]
            )
            return "failed"
        notification.status = Status.SENDING
        notification.claim = token
        notification.claimed_until = now + _lease()
        notification.attempts += 1
        notification.enqueued_at = None  # this task is the one that was queued
        notification.save(
            update_fields=["status", "claim", "claimed_until", "attempts", "enqueued_at"]
        )

    try:
        timeout = setting("EMAIL_TIMEOUT", None) or 60
        with get_connection(timeout=timeout) as connection:
            _email_message(notification, connection).send()
    except Exception as error:  # SMTP and network errors; anything else counts as one too
        return _delivery_failed(notification, token, error)

    Notification.objects.filter(pk=notification.pk).exclude(status=Status.SENT).update(
        status=Status.SENT,
        sent_at=timezone.now(),
        claim="",
        claimed_until=None,
        next_attempt_at=None,
        last_error="",
    )
    return "sent"


def _delivery_failed(notification: Notification, token: str, error: BaseException) -> str:
    description, permanent = describe_error(error)
    logger.warning(
        "e-mail notification %s failed (attempt %s): %s",
        notification.pk,
        notification.attempts,
        description,
    )
    with transaction.atomic():
        current = Notification.objects.select_for_update().get(pk=notification.pk)
        if current.status != Status.SENDING or current.claim != token:
            return "claim lost"
        current.last_error = description[:300]
        current.claim, current.claimed_until = "", None
        if permanent or current.attempts >= MAX_ATTEMPTS:
            current.status, current.next_attempt_at = Status.FAILED, None
            outcome = "failed"
        else:
            current.status = Status.PENDING
            current.next_attempt_at = timezone.now() + retry_delay(current.attempts)
            outcome = "retry"
        current.save(
            update_fields=["last_error", "claim", "claimed_until", "status", "next_attempt_at"]
        )
    return outcome


def notifications_due(now: datetime.datetime | None = None) -> QuerySet:
    """E-mails a worker should try now: pending and due, or claimed by a worker whose lease
    has run out (it died or hung mid-delivery)."""
    now = now or timezone.now()
    return Notification.objects.filter(channel=EMAIL).filter(
        Q(status=Status.PENDING, next_attempt_at__lte=now)
        | Q(status=Status.SENDING, claimed_until__lte=now)
    )


def notifications_sweep(now: datetime.datetime | None = None) -> int:
    """Hand every due e-mail to the worker again, so none waits forever for a lost task:
    those without a task on the queue (a retry that has come due, a claim that expired) and
    those whose task has waited longer than REQUEUE_AFTER. A duplicate task does nothing
    (the claim decides)."""
    now = now or timezone.now()
    due = notifications_due(now).filter(
        Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - REQUEUE_AFTER)
    )
    ids = list(due.order_by("next_attempt_at").values_list("pk", flat=True)[:SWEEP_BATCH])
    Notification.objects.filter(pk__in=ids).update(enqueued_at=now)
    for notification_id in ids:
        enqueue_delivery(notification_id)
    return len(ids)


def notification_retry(*, notification: Notification) -> None:
    """An administrator tries a permanently failed e-mail again (the admin's action)."""
    now = timezone.now()
    Notification.objects.filter(pk=notification.pk, status=Status.FAILED).update(
        status=Status.PENDING, attempts=0, next_attempt_at=now, enqueued_at=now, last_error=""
    )
    transaction.on_commit(partial(enqueue_delivery, notification.pk))
