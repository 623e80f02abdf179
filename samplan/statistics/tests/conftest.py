"""The hand-made world of the statistics' page tests, with its facts written."""

import pytest

from samplan.statistics.services import facts_rebuild
from samplan.statistics.tests import world
from samplan.testing.world import staff_client


@pytest.fixture
def built(sip, relative, mona):
    plans = world.build(sip, relative)
    world.failures(sip, mona)
    facts_rebuild()
    return plans


@pytest.fixture
def manager(mona, needs_assessment):
    with world.on("2026-04-15"):
        yield staff_client(mona, needs_assessment)
