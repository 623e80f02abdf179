"""The health checks of `/health`: the database answers, the worker's sweep ran lately, and the
outbox's oldest e-mail waiting is not old. Each says what it found, nothing about a person."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Min, Q
from django.utils import timezone

from samplan.notifications.models import Heartbeat, Notification


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    seconds: float | None = None  # an age, where the check measures one


def worker_limit() -> datetime.timedelta:
    """A worker sweeps every NOTIFICATIONS_SWEEP_SECONDS: three missed sweeps (at least five
    minutes) and it is taken for stopped."""
    return datetime.timedelta(seconds=max(300, 3 * settings.NOTIFICATIONS_SWEEP_SECONDS))


def outbox_limit() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.HEALTH_OUTBOX_MAX_AGE_SECONDS)


def database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        return Check("database", False, f"unreachable: {type(error).__name__}")
    return Check("database", True, "answers")


def worker(now: datetime.datetime) -> Check:
    beat = Heartbeat.objects.filter(name="worker").values_list("at", flat=True).first()
    if beat is None:
        return Check("worker", False, "has never swept")
    age = (now - beat).total_seconds()
    ok = now - beat <= worker_limit()
    detail = "sweeping" if ok else f"no sweep for {age:.0f} s: stopped or stuck"
    return Check("worker", ok, detail, round(age, 1))


def waiting_emails():
    """E-mails waiting to be sent (or being sent), whose time to go has come."""
    return Notification.objects.filter(
        channel=Notification.Channel.EMAIL,
        status__in=[Notification.Status.PENDING, Notification.Status.SENDING],
    )


def outbox(now: datetime.datetime) -> Check:
    due = waiting_emails().filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    oldest = due.aggregate(oldest=Min("created_at"))["oldest"]
    if oldest is None:
        return Check("outbox", True, "empty", 0.0)
    age = (now - oldest).total_seconds()
    ok = now - oldest <= outbox_limit()
    detail = "moving" if ok else f"the oldest e-mail due has waited {age:.0f} s"
    return Check("outbox", ok, detail, round(age, 1))


def health(now: datetime.datetime | None = None) -> list[Check]:
    now = now or timezone.now()
    first = database()
    if not first.ok:
        return [first]
    return [first, worker(now), outbox(now)]
