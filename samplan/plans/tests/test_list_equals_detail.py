"""`plan.list` returns exactly the plans for which `plan.view` is allowed (docs/security.md).

The list (samplan.policy.plans_visible_to, one query) and the detail decision
(samplan.policy.decide, one plan at a time) are two implementations of one rule; here they are
compared for actors drawn from a generated world, and the worklist page for a few staff.
"""

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samplan import policy
from samplan.plans.access import plans_visible_to
from samplan.plans.models import Plan
from samplan.testing.world import build_world, plans_prefetched, staff_client

SEED = 20250602
PLAN_LINK = re.compile(r'href="/sip/([0-9a-f-]{36})/"')


@pytest.fixture
def world(db):
    world = build_world(seed=SEED, plans=90, individuals=60)
    world.prefetched = plans_prefetched(world)
    return world


def viewable(actor, plans) -> set:
    return {p.pk for p in plans if policy.decide(actor, "plan.view", p).value == 200}


def listed(actor) -> set:
    return set(plans_visible_to(actor).values_list("pk", flat=True))


@st.composite
def actors(draw, world):
    kind = draw(st.sampled_from(["membership", "any unit", "citizen"]))
    if kind == "membership":  # a user acting for one of his or her units
        user, unit, role = draw(st.sampled_from(world.staff_actors()))
        return policy.Staff(user=user, unit=unit, role=role)
    if kind == "any unit":  # whatever the request says: the two must still agree
        return policy.Staff(
            user=draw(st.sampled_from(world.users)),
            unit=draw(st.sampled_from(world.units)),
            role=draw(st.sampled_from(["caseworker", "unit_manager", "administrator"])),
        )
    return policy.Citizen(person=draw(st.sampled_from(world.persons)))


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_the_list_is_exactly_the_plans_the_actor_may_view(world, data):
    actor = data.draw(actors(world))
    assert listed(actor) == viewable(actor, world.prefetched), actor


def test_nobody_lists_nothing(world):
    assert listed(None) == set() == viewable(None, world.prefetched)


def test_the_worklist_shows_exactly_the_viewable_plans_for_each_state_filter(world):
    states = {p.pk: p.state for p in world.prefetched}
    staff = world.staff_actors()
    # The staff who see the most, and one user with several units for each of them.
    staff.sort(key=lambda a: -len(viewable(policy.Staff(*a), world.prefetched)))
    several = [a for a in staff if sum(1 for b in staff if b[0] == a[0]) > 1]
    chosen = list(dict.fromkeys(staff[:3] + several[:2]))
    for user, unit, role in chosen:
        allowed = viewable(policy.Staff(user=user, unit=unit, role=role), world.prefetched)
        client = staff_client(user, unit)
        for state in ["", *Plan.State.values]:
            response = client.get("/sip/", {"state": state})
            assert response.status_code == 200
            shown = set(PLAN_LINK.findall(response.content.decode()))
            wanted = {
                str(pk)
                for pk in allowed
                if (states[pk] == state if state else states[pk] != Plan.State.CLOSED)
            }
            assert shown == wanted, (user.username, unit.pk, role, state or "all open")
