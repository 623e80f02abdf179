"""The sealer's thread in the background worker (`manage.py run_worker`).

It seals the access log until it has caught up, waits ACCESS_LOG_SEAL_SECONDS (1 by default)
and seals again; every hour it also makes sure the coming months' partitions exist. Several
workers may run it: one sealer works at a time, the others find the lock taken.
"""

import logging
import threading
import time

from django.conf import settings
from django.db import connections

from samplan.audit.services import SEAL_BLOCK, access_log_partitions_ensure, access_log_seal

logger = logging.getLogger("samplan.audit.sealer")

PARTITIONS_EVERY = 3600.0
AFTER_FAILURE = 30.0


def sealer_run(stop: threading.Event, interval: float | None = None) -> None:
    """Seal until `stop` is set. Failures are logged and retried after half a minute."""
    interval = interval or getattr(settings, "ACCESS_LOG_SEAL_SECONDS", 1.0)
    partitions_due = 0.0
    while not stop.is_set():
        pause = interval
        try:
            if time.monotonic() >= partitions_due:
                access_log_partitions_ensure()
                partitions_due = time.monotonic() + PARTITIONS_EVERY
            while not stop.is_set() and access_log_seal() >= SEAL_BLOCK:
                pass
        except Exception:
            logger.exception("the access log sealer failed; trying again in %s s", AFTER_FAILURE)
            pause = AFTER_FAILURE
        finally:
            for connection in connections.all(initialized_only=True):
                connection.close_if_unusable_or_obsolete()
        stop.wait(pause)
    connections.close_all()  # this thread's connections only


def sealer_start(stop: threading.Event) -> threading.Thread:
    """Start the sealer in a daemon thread of the worker; it ends when `stop` is set."""
    thread = threading.Thread(
        target=sealer_run, args=(stop,), name="samplan-access-log-sealer", daemon=True
    )
    thread.start()
    return thread
