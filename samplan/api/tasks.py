"""Background tasks (django-tasks). `manage.py run_worker` enqueues `api_tokens_prune` with its
sweep (settings.PERIODIC_TASKS)."""

from django_tasks import task

from samplan.api.services import api_tokens_prune


@task()
def api_prune() -> dict:
    """Sweep the expired tokens and used client assertions of every client."""
    return {"pruned": api_tokens_prune()}
