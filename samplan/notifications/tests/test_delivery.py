"""Delivery in the worker's shoes, in-process: the claim, retries with backoff, permanent
failure, the sweeper, and what a crash at each point leads to. The real worker process and a
real SMTP server are in test_worker.py."""

import datetime
import socket

import pytest
from aiosmtpd.controller import Controller
from django.core.cache import cache
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from samplan.notifications import services, tasks
from samplan.notifications.management.commands.run_worker import enqueue_sweep
from samplan.notifications.models import Notification
from samplan.notifications.tests.conftest import TASKS_IMMEDIATE, written_for

Status = Notification.Status


class WorkerKilled(BaseException):
    """Stands in for SIGKILL: nothing after it runs, not even `except Exception`."""


class KilledBeforeAcceptance(LocmemBackend):
    def send_messages(self, messages):
        raise WorkerKilled


class KilledAfterAcceptance(LocmemBackend):
    def send_messages(self, messages):
        super().send_messages(messages)  # the server has the message
        raise WorkerKilled


@pytest.fixture
def outbox_mail(cast) -> Notification:
    """One e-mail waiting in the outbox, not yet handed to a worker (these tests run no
    on-commit callbacks): the invitation scheduling the meeting wrote to the primary care
    centre. The invitation's other e-mail is out of the way (sent)."""
    mail = written_for(cast.meeting(cast.plan())).get(email="vc@region.test")
    Notification.objects.filter(channel="email").exclude(pk=mail.pk).update(status="sent")
    return mail


def expire_claim(notification: Notification) -> None:
    Notification.objects.filter(pk=notification.pk).update(
        claimed_until=timezone.now() - datetime.timedelta(seconds=1)
    )


def make_due(notification: Notification) -> None:
    Notification.objects.filter(pk=notification.pk).update(next_attempt_at=timezone.now())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_delivered_email_is_marked_sent_and_never_sent_again(outbox_mail, mailoutbox):
    assert services.notification_deliver(outbox_mail.pk) == "sent"
    assert services.notification_deliver(outbox_mail.pk) == "done"
    outbox_mail.refresh_from_db()
    assert (outbox_mail.status, outbox_mail.attempts, outbox_mail.claim) == ("sent", 1, "")
    assert len(mailoutbox) == 1


def test_an_smtp_server_that_cannot_be_reached_means_retries_with_growing_waits(
    outbox_mail, settings, mailoutbox
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    waits = []
    for attempt in range(1, services.MAX_ATTEMPTS + 1):
        before = timezone.now()
        outcome = services.notification_deliver(outbox_mail.pk)
        outbox_mail.refresh_from_db()
        assert outbox_mail.attempts == attempt
        assert "Connection refused" in outbox_mail.last_error
        if attempt < services.MAX_ATTEMPTS:
            assert (outcome, outbox_mail.status) == ("retry", "pending")
            waits.append(round((outbox_mail.next_attempt_at - before).total_seconds() / 60))
            assert services.notification_deliver(outbox_mail.pk) == "not due"
            make_due(outbox_mail)
    assert waits == [1, 2, 4, 8, 16, 32, 60]  # minutes, capped at an hour
    assert (outcome, outbox_mail.status) == ("failed", "failed_permanently")
    assert outbox_mail.next_attempt_at is None


def test_after_a_server_outage_the_email_goes_out_once(outbox_mail, settings, mailoutbox):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    assert services.notification_deliver(outbox_mail.pk) == "retry"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # back up
    make_due(outbox_mail)
    assert services.notification_deliver(outbox_mail.pk) == "sent"
    assert [m.to for m in mailoutbox] == [["vc@region.test"]]


class RefusingHandler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        return f"550 5.1.1 <{address}>: no such mailbox"


def test_a_permanent_refusal_fails_at_once_and_the_error_names_no_address(outbox_mail, settings):
    controller = Controller(RefusingHandler(), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
        assert services.notification_deliver(outbox_mail.pk) == "failed"
    finally:
        controller.stop()
    outbox_mail.refresh_from_db()
    assert outbox_mail.status == "failed_permanently" and outbox_mail.attempts == 1
    assert outbox_mail.last_error == "SMTPRecipientsRefused: 550"


def test_a_claimed_email_is_not_sent_by_a_second_worker_while_the_lease_runs(
    outbox_mail, settings, mailoutbox
):
    settings.EMAIL_BACKEND = f"{__name__}.KilledBeforeAcceptance"
    with pytest.raises(WorkerKilled):
        services.notification_deliver(outbox_mail.pk)
    outbox_mail.refresh_from_db()
    assert outbox_mail.status == "sending" and outbox_mail.claimed_until > timezone.now()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.notification_deliver(outbox_mail.pk) == "claimed"
    assert services.notifications_sweep() == 0  # not due: the lease still runs
    assert mailoutbox == []


def test_killed_before_the_server_accepted_the_sweeper_sends_it_once_after_the_lease(
    outbox_mail, settings, mailoutbox
):
    settings.TASKS = TASKS_IMMEDIATE
    settings.EMAIL_BACKEND = f"{__name__}.KilledBeforeAcceptance"
    with pytest.raises(WorkerKilled):
        services.notification_deliver(outbox_mail.pk)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    expire_claim(outbox_mail)

    assert outbox_mail.pk in set(services.notifications_due().values_list("pk", flat=True))
    services.notifications_sweep()  # enqueues; the immediate backend delivers at once

    outbox_mail.refresh_from_db()
    assert (outbox_mail.status, outbox_mail.attempts) == ("sent", 2)
    assert [m.to for m in mailoutbox] == [["vc@region.test"]]


def test_killed_after_the_server_accepted_it_is_sent_again_with_the_same_message_id(
    outbox_mail, settings, mailoutbox
):
    """The one window left open (docs/notifications.md): between the server's "250 OK" and
    the commit that marks the row sent. The message goes out again, with the same
    Message-ID, so the receiving side can tell it is the same message."""
    settings.TASKS = TASKS_IMMEDIATE
    settings.EMAIL_BACKEND = f"{__name__}.KilledAfterAcceptance"
    with pytest.raises(WorkerKilled):
        services.notification_deliver(outbox_mail.pk)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    expire_claim(outbox_mail)
    services.notifications_sweep()

    assert len(mailoutbox) == 2
    ids = {m.message()["Message-ID"] for m in mailoutbox}
    assert ids == {outbox_mail.message_id}


def test_a_worker_that_keeps_dying_gives_up_after_the_last_attempt(outbox_mail, settings):
    settings.EMAIL_BACKEND = f"{__name__}.KilledBeforeAcceptance"
    for _attempt in range(services.MAX_ATTEMPTS):
        with pytest.raises(WorkerKilled):
            services.notification_deliver(outbox_mail.pk)
        expire_claim(outbox_mail)
    assert services.notification_deliver(outbox_mail.pk) == "failed"
    outbox_mail.refresh_from_db()
    assert outbox_mail.status == "failed_permanently"


def test_the_sweeper_picks_due_and_abandoned_emails_only(cast):
    cast.emails_for()
    due, later, abandoned = written_for(cast.meeting(cast.plan())).filter(channel="email")
    now = timezone.now()
    Notification.objects.filter(pk=later.pk).update(next_attempt_at=now + datetime.timedelta(1))
    Notification.objects.filter(pk=abandoned.pk).update(
        status="sending", claimed_until=now - datetime.timedelta(seconds=5)
    )
    assert set(services.notifications_due().values_list("pk", flat=True)) == {
        due.pk,
        abandoned.pk,
    }
    Notification.objects.filter(pk=due.pk).update(status="sent")
    Notification.objects.filter(pk=abandoned.pk).update(claimed_until=now + datetime.timedelta(1))
    assert not services.notifications_due().exists()
    assert not services.notifications_due().filter(channel="inbox").exists()


def test_the_sweeper_leaves_a_queued_email_alone_until_its_task_looks_lost(outbox_mail):
    assert services.notifications_sweep() == 0  # its task went on the queue at the commit
    later = timezone.now() + services.REQUEUE_AFTER + datetime.timedelta(seconds=1)
    assert services.notifications_sweep(later) == 1
    assert services.notifications_sweep(later) == 0  # queued again just now
    enqueued = DBTaskResult.objects.filter(task_path__endswith="deliver_notification")
    assert [t.args_kwargs["args"] for t in enqueued] == [[outbox_mail.pk]]


def test_the_sweep_task_requeues_every_time_and_reminds_every_ten_minutes(outbox_mail):
    Notification.objects.filter(pk=outbox_mail.pk).update(enqueued_at=None)  # a retry is due
    cache.delete("samplan.notifications:reminder-scan")
    result = tasks.sweep_and_remind.call()
    assert result["requeued"] == 1 and "reminders" in result
    assert tasks.sweep_and_remind.call() == {"requeued": 0}


def test_the_scheduler_enqueues_one_sweep_while_one_is_waiting(db):
    assert enqueue_sweep() is True
    assert enqueue_sweep() is False
    assert DBTaskResult.objects.filter(task_path__endswith="sweep_and_remind").count() == 1


def test_the_admin_retries_a_failed_email(
    outbox_mail, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.TASKS = TASKS_IMMEDIATE
    Notification.objects.filter(pk=outbox_mail.pk).update(
        status="failed_permanently", attempts=8, next_attempt_at=None
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.notification_retry(notification=outbox_mail)
    outbox_mail.refresh_from_db()
    assert (outbox_mail.status, outbox_mail.attempts) == ("sent", 1)
    assert len(mailoutbox) == 1
