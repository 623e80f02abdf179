"""Background tasks (django-tasks). `manage.py run_worker` enqueues `evaluation_expire` with its
sweep (settings.PERIODIC_TASKS)."""

from django_tasks import task

from samplan.evaluation.services import evaluation_requests_expire


@task()
def evaluation_expire() -> dict:
    """Close the requests to evaluate that were not answered in time."""
    return {"expired": evaluation_requests_expire()}
