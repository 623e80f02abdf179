"""The worker keeps the statistics current: `run_worker` enqueues the refresh with every sweep
(by its dotted path in settings.PERIODIC_TASKS, as notifications may not import statistics)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from samplan.notifications.management.commands.run_worker import enqueue_periodic
from samplan.statistics.models import PlanFact
from samplan.statistics.services import facts_write
from samplan.statistics.tasks import statistics_refresh
from samplan.statistics.tests import world
from samplan.testing.cast import make_person


def test_the_sweep_enqueues_the_statistics_refresh_once(db):
    assert enqueue_periodic() == [
        "samplan.statistics.tasks.statistics_refresh",
        "samplan.evaluation.tasks.evaluation_expire",
        "samplan.api.tasks.api_prune",
    ]
    assert enqueue_periodic() == []  # one of each is already waiting
    waiting = DBTaskResult.objects.ready().filter(task_path=statistics_refresh.module_path)
    assert waiting.count() == 1


def test_the_refresh_task_writes_the_facts_of_a_new_plan(sip):
    """Eva's number, 19811218-9876, is a man's (7 is odd); 44 years old on 1 June 2026."""
    with world.on("2026-06-01"):
        plan = sip.initiate()
        assert statistics_refresh.call() == {"plans": 1}
    fact = PlanFact.objects.get(plan=plan)
    assert (fact.state, fact.consent_on, fact.sex, fact.age_band) == (
        "initiated",
        None,
        "male",
        "25-44",
    )
    assert not hasattr(fact, "person_id")


def test_writing_the_facts_asks_the_same_number_of_queries_for_more_plans(sip):
    plans = [sip.to("active")] + [
        sip.to("active", make_person(f"1970010{i}", "123", f"P{i}", "Fakta")) for i in range(1, 4)
    ]
    facts_write([plan.pk for plan in plans])  # written again below, as the worker does
    counts = []
    for some in (plans[:1], plans):
        with CaptureQueriesContext(connection) as queries:
            assert facts_write([plan.pk for plan in some]) == len(some)
        counts.append(len(queries))
    assert counts[0] == counts[1]
