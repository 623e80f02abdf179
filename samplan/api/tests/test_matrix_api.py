"""The API in the permission matrix: a record system for every unit of the generated world,
against every plan, on every plan endpoint, checked against the oracle written from the table
in docs/security.md (samplan/plans/tests/test_matrix.py). A client acts as a staff member of
its unit, so its cells are that unit's: a plan it may not see is 404 on every endpoint, a plan
it may read but not change is 403 on a write.

The totals are added to pytest's summary line `permission matrix: N cases, M mismatches`."""

import json

from django.db import transaction
from django.utils import timezone

from samplan.accounts.models import Unit
from samplan.api.tests.helpers import RecordSystem
from samplan.plans.models import Plan, PlanEvent, PlanVersion
from samplan.plans.tests.test_matrix import (
    ALLOW,
    FORBIDDEN,
    NOT_FOUND,
    SEED,
    StaffActor,
    Tally,
    load_facts,
    oracle,
)
from samplan.testing.world import build_world, record_results

FOLLOW_UP = {
    "how_it_went": "Det har gått bra.",
    "helped_hindered": "Hemtjänsten hjälpte.",
    "coordination_needed": False,
    "continue_interventions": "Alla fortsätter.",
    "decision": "continue",
}


def write_expected(decision: int) -> set:
    """A follow-up the table allows is recorded, or refused by a rule of the plan's state."""
    return {201, 422} if decision == ALLOW else {decision}


def test_every_client_on_every_plan_and_endpoint_agrees_with_the_table(db):
    world = build_world(seed=SEED)
    plans = {plan.pk: plan for plan in world.plans}
    facts = load_facts(plans)
    body = json.dumps(
        FOLLOW_UP | {"next_follow_up": (timezone.localdate().replace(day=1).replace(
            year=timezone.localdate().year + 1)).isoformat()}
    )  # fmt: skip
    approved = {
        str(pk)
        for pk in PlanVersion.objects.filter(approval="approved").values_list("plan_id", flat=True)
    }
    tally = Tally(world)
    events_before = PlanEvent.objects.count()
    units = list(Unit.objects.filter(organization__in=world.organizations).order_by("pk"))
    for unit in units:
        system = RecordSystem(unit, may_write=True, name=f"System {unit.pk}")
        actor = StaffActor(system.client.user_id, unit.pk, "system")
        http = _client()
        auth = {"HTTP_AUTHORIZATION": f"Bearer {system.token(http)}"}
        who = f"the record system of unit {unit.pk}"
        seen = set()
        for offset in range(0, len(plans) + 100, 100):
            page = http.get(f"/api/v1/plans?limit=100&offset={offset}", **auth).json()
            seen |= {item["id"] for item in page["items"]}
        visible = {str(pk) for pk in plans if oracle(actor, "plan.view", facts[pk]) == ALLOW}
        missing, extra = sorted(visible - seen), sorted(seen - visible)
        tally.check(([], []), (missing, extra), who, "GET /api/v1/plans (missing, extra)", "")
        exported = set()
        for offset in range(0, len(plans) + 100, 100):
            page = http.get(f"/api/v1/careplans?limit=100&offset={offset}", **auth).json()
            exported |= {item["carePlanBody"]["planId"] for item in page["items"]}
        due = visible & approved
        missing, extra = sorted(due - exported), sorted(exported - due)
        tally.check(([], []), (missing, extra), who, "GET /api/v1/careplans (missing, extra)", "")
        for pk, plan_facts in facts.items():
            path = f"/api/v1/plans/{pk}"
            view = oracle(actor, "plan.view", plan_facts)
            tally.check(
                {ALLOW if view == ALLOW else NOT_FOUND},
                http.get(path, **auth).status_code,
                who,
                f"GET {path}",
                plan_facts,
            )
            tally.check(
                {ALLOW if view == ALLOW else NOT_FOUND},
                http.get(f"/api/fhir/R4/CarePlan/{pk}", **auth).status_code,
                who,
                f"GET /api/fhir/R4/CarePlan/{pk}",
                plan_facts,
            )
            edit = oracle(actor, "plan.edit", plan_facts)
            with transaction.atomic():
                status = http.post(
                    path + "/follow-ups",
                    body,
                    content_type="application/json",
                    HTTP_IF_MATCH="*",
                    **auth,
                ).status_code
                transaction.set_rollback(True)
            tally.check(write_expected(edit), status, who, f"POST {path}/follow-ups", plan_facts)
    record_results("matrix", cases=tally.cases, mismatches=len(tally.mismatches))
    assert PlanEvent.objects.count() == events_before
    assert Plan.objects.count() == len(plans)
    assert FORBIDDEN in {oracle(StaffActor(0, u.pk, "system"), "plan.edit", f)
                         for u in units for f in facts.values()}  # fmt: skip
    assert not tally.mismatches, tally.message()


def _client():
    from django.test import Client

    return Client()
