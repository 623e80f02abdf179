"""The real thing: `manage.py run_worker` as a separate process, a real SMTP server (aiosmtpd
on 127.0.0.1), the test database shared between them (a file on SQLite, see settings).

The SMTP server counts raw arrivals: every DATA it received and every message it accepted
(answered 250). "Exactly once" below means accepted exactly once, counted by the server,
not deduplicated by Message-ID.
"""

import asyncio
import datetime
import email
import email.policy
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

import icalendar
import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection
from django.utils import timezone

from samplan.notifications.models import Notification
from samplan.notifications.tests.conftest import personal_data
from samplan.plans import services as plans

LEASE_SECONDS = 3


class Mailbox:
    """An SMTP handler that records what it accepts. It can hold the n-th message inside
    DATA without answering, as a slow server would, until the client goes away."""

    def __init__(self, hold: int | None = None):
        self.lock = threading.Lock()
        self.received = 0  # DATA commands that reached the server
        self.accepted: list[email.message.EmailMessage] = []
        self.hold = hold
        self.holding = threading.Event()
        self.abandoned = threading.Event()  # the held message's client vanished

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.received += 1
            number = self.received
        if number == self.hold:
            self.holding.set()
            try:
                await asyncio.sleep(3600)  # never answers; cancelled when the client dies
            except asyncio.CancelledError:
                self.abandoned.set()
                raise
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self.lock:
            self.accepted.append(message)
        return "250 Message accepted for delivery"

    def message_ids(self) -> list[str]:
        with self.lock:
            return [m["Message-ID"] for m in self.accepted]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url() -> str:
    """The test database, as the worker process should reach it."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = quote(db["USER"] or "")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    """`manage.py run_worker` in its own process, pointed at the test database and SMTP."""

    def __init__(self, smtp_port: int):
        descriptor, self.log = tempfile.mkstemp(prefix="samplan-worker-", suffix=".log")
        env = os.environ | {
            "DATABASE_URL": database_url(),
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "EMAIL_TIMEOUT": "10",
            "NOTIFICATIONS_SEND_LEASE_SECONDS": str(LEASE_SECONDS),
            "NOTIFICATIONS_RETRY_BASE_SECONDS": "1",
            "PYTHONUNBUFFERED": "1",
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "run_worker",
                "--sweep-interval",
                "1",
                "--interval",
                "0.1",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=descriptor,
            stderr=subprocess.STDOUT,
        )
        os.close(descriptor)

    def output(self) -> str:
        return Path(self.log).read_text(errors="replace")[-4000:]

    def stop(self, sig=signal.SIGTERM, timeout: float = 15) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"the worker did not stop:\n{self.output()}") from None

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        os.unlink(self.log)


def wait_for(condition, *, timeout: float = 40, what: str = "", worker: Worker | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    log = worker.output() if worker else ""
    raise AssertionError(f"timed out waiting for {what or condition}\n{log}")


@pytest.fixture
def smtp():
    """Start an SMTP server: smtp(Mailbox(), port=None) -> the controller."""
    controllers = []

    def start(mailbox: Mailbox, port: int | None = None) -> Controller:
        controller = Controller(mailbox, hostname="127.0.0.1", port=port or free_port())
        controller.start()
        controllers.append(controller)
        return controller

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture
def workers(transactional_db):
    """Start worker processes: workers(port) -> Worker. All are gone before the database is
    flushed."""
    started = []

    def start(port: int) -> Worker:
        worker = Worker(port)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.close()


def emails() -> list[Notification]:
    return list(Notification.objects.filter(channel="email").order_by("pk"))


def all_sent() -> bool:
    mails = emails()
    return bool(mails) and all(n.status == "sent" for n in mails)


def invite(cast):
    """Schedule a meeting: meeting_schedule writes its invitations in its own transaction,
    and their e-mails go to the worker when it commits."""
    cast.emails_for()
    return cast.meeting(cast.plan())


def calendar_of(message: email.message.EmailMessage):
    (part,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    calendar = icalendar.Calendar.from_ical(part.get_payload(decode=True))
    (event,) = calendar.walk("VEVENT")
    return part.get_param("method"), calendar, event


def test_the_worker_delivers_an_invitation_its_change_and_its_cancellation(cast, smtp, workers):
    mailbox = Mailbox()
    server = smtp(mailbox)
    worker = workers(server.port)

    meeting = invite(cast)
    wait_for(lambda: len(mailbox.accepted) == 3, what="3 invitations", worker=worker)

    moved = meeting.starts_at + datetime.timedelta(days=1, hours=2)
    cast.move(meeting, to=moved)
    wait_for(lambda: len(mailbox.accepted) == 6, what="3 changes", worker=worker)

    plans.meeting_cancel(**cast.as_alice, meeting=meeting)
    wait_for(lambda: len(mailbox.accepted) == 9 and all_sent(), what="cancels", worker=worker)
    assert worker.stop() == 0, worker.output()  # SIGTERM: a clean stop

    assert mailbox.received == 9
    ids = mailbox.message_ids()
    assert sorted(ids) == sorted(n.message_id for n in emails())  # each exactly once
    by_recipient: dict[str, list] = {}
    for message in mailbox.accepted:
        by_recipient.setdefault(message["To"], []).append(calendar_of(message))
    assert set(by_recipient) == {"vc@region.test", "bistand@kommun.test", "eva.exempel@mejl.test"}
    for recipient, calendars in by_recipient.items():
        calendars.sort(key=lambda c: c[2]["SEQUENCE"])
        methods = [method for method, _cal, _event in calendars]
        assert methods == ["REQUEST", "REQUEST", "CANCEL"], recipient
        assert [c["METHOD"] for _m, c, _e in calendars] == methods
        events = [event for _m, _c, event in calendars]
        assert [e["SEQUENCE"] for e in events] == [0, 1, 2]
        assert {str(e["UID"]) for e in events} == {f"sip-meeting-{meeting.pk}@samplan"}
        assert events[1].decoded("DTSTART") == moved.replace(microsecond=0)
        assert str(events[2]["STATUS"]) == "CANCELLED"

    forbidden = [value.lower() for value in personal_data(cast)]
    for message in mailbox.accepted:
        parts = [str(message["Subject"])] + [
            p.get_payload(decode=True).decode()
            for p in message.walk()
            if p.get_content_maintype() == "text"
        ]
        content = "\n".join(parts).lower()
        assert not [value for value in forbidden if value in content], content


def test_a_worker_killed_mid_delivery_loses_nothing_and_sends_nothing_twice(cast, smtp, workers):
    """The server holds the second message inside DATA; the worker is killed with SIGKILL
    there. The first message was accepted and committed before: it must not go again. The
    second was never accepted: it must go once, by the next worker, after the claim's lease.
    The third was still queued: it must go once."""
    mailbox = Mailbox(hold=2)
    server = smtp(mailbox)
    worker = workers(server.port)
    invite(cast)
    wait_for(mailbox.holding.is_set, what="the second message to be held", worker=worker)
    wait_for(lambda: [n.status for n in emails()].count("sent") == 1, what="the first sent")

    worker.stop(signal.SIGKILL)
    wait_for(mailbox.abandoned.is_set, what="the server to see the client gone")
    statuses = sorted(n.status for n in emails())
    assert statuses == ["pending", "sending", "sent"], statuses
    (stranded,) = [n for n in emails() if n.status == "sending"]
    assert stranded.claimed_until > timezone.now() - datetime.timedelta(seconds=1)

    restarted = workers(server.port)
    wait_for(all_sent, what="every e-mail sent", worker=restarted)
    assert restarted.stop() == 0, restarted.output()

    ids = mailbox.message_ids()
    assert len(ids) == 3 and len(set(ids)) == 3  # accepted exactly once each
    assert set(ids) == {n.message_id for n in emails()}
    assert mailbox.received == 4  # the held DATA reached the server but was never accepted
    stranded.refresh_from_db()
    assert stranded.attempts == 2
    assert sorted(n.attempts for n in emails()) == [1, 1, 2]


def test_while_the_smtp_server_is_down_emails_wait_and_go_out_once_it_is_back(cast, smtp, workers):
    port = free_port()  # nothing listens here yet
    worker = workers(port)
    invite(cast)

    def retried() -> bool:
        mails = emails()
        return all(n.attempts >= 2 and n.status == "pending" for n in mails)

    wait_for(retried, what="failed attempts, retried with backoff", worker=worker)
    for mail in emails():
        assert "Connection refused" in mail.last_error
        assert mail.next_attempt_at is not None and mail.sent_at is None

    mailbox = Mailbox()
    smtp(mailbox, port=port)
    wait_for(all_sent, what="delivery after the outage", worker=worker)
    assert worker.stop() == 0, worker.output()
    ids = mailbox.message_ids()
    assert len(ids) == 3 and set(ids) == {n.message_id for n in emails()}
    assert mailbox.received == 3
