"""Background tasks (django-tasks, database backend; the worker is `manage.py run_worker`)."""

import datetime

from django.core.cache import cache
from django.utils import timezone
from django_tasks import task

from samplan.core.once import submissions_forget
from samplan.deviations.services import deviations_escalate_due
from samplan.notifications import delivery, reminders
from samplan.notifications.delivery import deliver_notification  # noqa: F401 - the worker's task
from samplan.notifications.models import Heartbeat

FINISHED_TASKS_KEPT = datetime.timedelta(days=7)
REMINDER_SCAN_SECONDS = 10 * 60  # reminders are about days; the scan reads every open plan


@task()
def sweep_and_remind() -> dict:
    """Every minute: hand due e-mails to the worker again. Every ten minutes (per worker
    process) also: write the reminders that are due, forget finished task results older
    than a week (the outbox keeps the record), move collaboration failures past the days of
    their step up the escalation ladder, and forget the once-only tokens of forms sent more
    than a day ago."""
    Heartbeat.objects.update_or_create(name="worker", defaults={"at": timezone.now()})
    result = {"requeued": delivery.notifications_sweep()}
    if cache.add("samplan.notifications:reminder-scan", True, timeout=REMINDER_SCAN_SECONDS):
        result["reminders"] = len(reminders.reminders_send())
        result["escalated"] = len(deviations_escalate_due())
        result["pruned"] = _prune_task_results()
        result["forms_forgotten"] = submissions_forget()
    return result


def _prune_task_results() -> int:
    from django_tasks_db.models import DBTaskResult

    old = DBTaskResult.objects.finished().filter(
        finished_at__lt=timezone.now() - FINISHED_TASKS_KEPT
    )
    return old.delete()[0]
