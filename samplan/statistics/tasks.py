"""Background tasks (django-tasks). `manage.py run_worker` enqueues `statistics_refresh` with
its sweep (settings.PERIODIC_TASKS), so the statistics follow the plans within a minute."""

from django_tasks import task

from samplan.statistics.services import facts_refresh


@task()
def statistics_refresh() -> dict:
    """Recompute the facts of the plans with new events since the watermark."""
    return {"plans": facts_refresh()}
