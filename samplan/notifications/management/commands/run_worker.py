"""`manage.py run_worker`: the background worker, one process.

It runs django-tasks' database worker (the same Worker as `manage.py db_worker`) and, in a
second thread, enqueues `sweep_and_remind` every `--sweep-interval` seconds (60 by default,
and once at start, so a restarted worker picks up what a dead one left at once), and with it
the tasks named by dotted path in `settings.PERIODIC_TASKS` (apps above notifications, such as
the statistics' refresh, which this module must not import). SIGTERM or
SIGINT stop it cleanly: a task under way is finished first; a second signal stops at once.
"""

import logging
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils.crypto import get_random_string
from django.utils.module_loading import import_string
from django_tasks import DEFAULT_TASK_QUEUE_NAME, task_backends
from django_tasks_db import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from samplan.audit.worker import sealer_start
from samplan.notifications.tasks import sweep_and_remind

logger = logging.getLogger("samplan.notifications.worker")


def enqueue_sweep() -> bool:
    """Enqueue `sweep_and_remind` unless one is already waiting. True if it enqueued."""
    waiting = DBTaskResult.objects.ready().filter(task_path=sweep_and_remind.module_path)
    if waiting.exists():
        return False
    sweep_and_remind.enqueue()
    return True


def enqueue_periodic() -> list[str]:
    """Enqueue each task of `settings.PERIODIC_TASKS` unless one is already waiting. Returns
    the paths enqueued."""
    enqueued = []
    for path in getattr(settings, "PERIODIC_TASKS", []):
        periodic = import_string(path)
        if not DBTaskResult.objects.ready().filter(task_path=periodic.module_path).exists():
            periodic.enqueue()
            enqueued.append(path)
    return enqueued


def schedule(stop: threading.Event, interval: float) -> None:
    """The scheduler thread: a sweep now, then one every `interval` seconds until `stop`."""
    while not stop.is_set():
        try:
            enqueue_sweep()
            enqueue_periodic()
        except Exception:
            logger.exception("could not enqueue the sweep; trying again in %s s", interval)
        finally:
            connections.close_all()  # this thread's connections only
        stop.wait(interval)


class Command(BaseCommand):
    help = "Run the background worker: delivers e-mail, retries, and writes reminders."

    def add_arguments(self, parser):
        parser.add_argument(
            "--sweep-interval",
            type=float,
            default=getattr(settings, "NOTIFICATIONS_SWEEP_SECONDS", 60),
            help="Seconds between sweeps (re-enqueue due e-mails, write reminders).",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds to wait when the queue is empty before looking again.",
        )
        parser.add_argument("--queue-name", default=DEFAULT_TASK_QUEUE_NAME)
        parser.add_argument("--backend", default="default", dest="backend_name")
        parser.add_argument("--worker-id", default="")

    def handle(self, *args, sweep_interval, interval, queue_name, backend_name, worker_id, **o):
        backend = task_backends[backend_name]
        if not isinstance(backend, DatabaseBackend):
            raise CommandError(
                f"The task backend {backend_name!r} is not django-tasks' database backend; "
                "set TASKS in the settings."
            )
        if sweep_interval <= 0 or interval < 0:
            raise CommandError("The intervals must be positive.")
        worker = Worker(
            queue_names=queue_name.split(","),
            interval=interval,
            batch=False,
            backend_name=backend_name,
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id or get_random_string(32),
            excluded_queue_names=[],
        )
        stop = threading.Event()
        scheduler = threading.Thread(
            target=schedule, args=(stop, sweep_interval), name="samplan-sweep", daemon=True
        )
        worker.configure_signals()
        logger.info("worker %s started; sweeping every %s s", worker.worker_id, sweep_interval)
        scheduler.start()
        sealer_start(stop)  # seals the access log every second (docs/access-log.md)
        try:
            worker.run()
        finally:
            stop.set()
            scheduler.join(timeout=10)
            logger.info("worker %s stopped", worker.worker_id)
