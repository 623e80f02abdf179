"""The figures `/metrics` reads from the database at each scrape (Prometheus text format): the
task queue, the outbox, failed deliveries and the worker's heartbeat. The per-process
figures (requests, access-log write failures) are in `samplan.core.metrics`."""

import os

from django.db.models import Min
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from prometheus_client import CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import REGISTRY

from samplan.notifications.models import Heartbeat, Notification
from samplan.ops.checks import waiting_emails


class DatabaseFigures:
    """A collector: read at each scrape, never kept."""

    def collect(self):
        now = timezone.now()
        ready = DBTaskResult.objects.ready()
        oldest_task = ready.aggregate(oldest=Min("enqueued_at"))["oldest"]
        yield _gauge("samplan_task_queue_depth", "Tasks waiting for the worker.", ready.count())
        yield _gauge(
            "samplan_task_queue_oldest_seconds",
            "How long the oldest waiting task has waited.",
            (now - oldest_task).total_seconds() if oldest_task else 0,
        )
        waiting = waiting_emails()
        oldest_email = waiting.aggregate(oldest=Min("created_at"))["oldest"]
        yield _gauge("samplan_outbox_waiting", "E-mails waiting to be sent.", waiting.count())
        yield _gauge(
            "samplan_outbox_oldest_seconds",
            "How long the oldest e-mail waiting has waited.",
            (now - oldest_email).total_seconds() if oldest_email else 0,
        )
        failed = Notification.objects.filter(status=Notification.Status.FAILED).count()
        yield _gauge("samplan_deliveries_failed", "E-mails that failed for good.", failed)
        beat = Heartbeat.objects.filter(name="worker").values_list("at", flat=True).first()
        yield _gauge(
            "samplan_worker_heartbeat_age_seconds",
            "Seconds since the worker's last sweep (-1: never).",
            (now - beat).total_seconds() if beat else -1,
        )


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


def exposition() -> bytes:
    """Every metric in Prometheus' text format: this process's (or, with
    PROMETHEUS_MULTIPROC_DIR, every process's) and the database's."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
        text = generate_latest(registry)
    else:
        text = generate_latest(REGISTRY)
    database = CollectorRegistry()
    database.register(DatabaseFigures())
    return text + generate_latest(database)
