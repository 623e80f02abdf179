"""Analysts: the organisation's figures, or the joint areas', and never a plan. An analyst
works in a unit that takes part in every plan of the world, so only the role keeps the plans
from him or her."""

import re
from html import unescape

import pytest
from django.urls import reverse

from samplan.accounts.models import Membership
from samplan.notifications.outbox import unit_members
from samplan.plans.forms import participant_staff
from samplan.statistics.tests import world
from samplan.statistics.tests.test_pages import PAGE, Q1, cells
from samplan.testing.cast import make_user
from samplan.testing.world import staff_client

ANALYST, JOINT = Membership.Role.ANALYST, Membership.Role.JOINT_ANALYST


@pytest.fixture
def analyst(needs_assessment):
    return make_user("ann", (needs_assessment, ANALYST))


@pytest.fixture
def joint_analyst(needs_assessment):
    return make_user("jon", (needs_assessment, JOINT))


def test_an_analyst_sees_no_plan_no_person_and_no_report(built, analyst, needs_assessment):
    plan = built["P1"]
    with world.on("2026-04-15"):
        client = staff_client(analyst, needs_assessment)
        start = client.get("/")
        assert start.status_code == 302 and start["Location"] == PAGE
        for path in [
            reverse("plans:worklist"),
            reverse("plans:our_interventions"),
            reverse("plans:overview", args=[plan.pk]),
            reverse("people:search"),
            reverse("deviations:list"),
        ]:
            assert client.get(path).status_code == 404, path
        page = client.get(PAGE).content.decode()
    assert 'href="/statistik/"' in page
    assert reverse("plans:worklist") not in page and reverse("people:search") not in page
    # Never offered as lead, attendee or contact person; none of the unit's inbox items.
    assert analyst not in unit_members(needs_assessment)
    assert analyst not in participant_staff(plan)


def test_an_analyst_reads_the_whole_organisation_and_any_of_its_units(
    built, analyst, needs_assessment, social_psychiatry, primary_care, municipality, region
):
    with world.on("2026-04-15"):
        client = staff_client(analyst, needs_assessment)
        whole = client.get(PAGE, Q1)
        one = client.get(PAGE, Q1 | {"enhet": social_psychiatry.pk})
        joint = client.get(PAGE, Q1 | {"omrade": region.pk})
        refused = client.get(PAGE, Q1 | {"enhet": primary_care.pk})
    assert whole.status_code == 200
    html = unescape(whole.content.decode())
    assert f"Hela {municipality.name}" in html  # the default: the whole organisation
    assert re.search(rf'<h2 id="summary-heading">{re.escape(municipality.name)},', html)
    # Every plan of the world has the municipality's needs assessment unit in it.
    assert [row[1] for row in cells(whole.content.decode(), "key-caption")] == [
        "8",
        "8",
        "7",
        "<5",
        "7",
    ]
    assert {row[1] for row in cells(one.content.decode(), "key-caption")} == {"0"}
    # The plans both took part in: P1-P7 started (P8 has no consent, so no region).
    assert [row[1] for row in cells(joint.content.decode(), "key-caption")] == [
        "7",
        "8",
        "7",
        "<5",
        "7",
    ]
    assert refused.status_code == 400
    assert "Välj en av enheterna i listan." in unescape(refused.content.decode())


def test_a_joint_area_analyst_reads_the_joint_areas_only(
    built, joint_analyst, needs_assessment, municipality, region
):
    with world.on("2026-04-15"):
        client = staff_client(joint_analyst, needs_assessment)
        default = client.get(PAGE, Q1)
        alone = client.get(PAGE, Q1 | {"omrade": ""})
        wrong = client.get(PAGE, Q1 | {"omrade": municipality.pk})
        learning = client.get(reverse("deviations:learning"))
        learning_alone = client.get(reverse("deviations:learning"), {"med": ""})
    html = unescape(default.content.decode())
    assert 'name="enhet"' not in html  # no unit, no organisation alone
    assert f"{municipality.name} och {region.name}" in html
    assert [row[1] for row in cells(default.content.decode(), "key-caption")] == [
        "7",
        "8",
        "7",
        "<5",
        "7",
    ]
    # An empty choice is the first joint area, never the organisation alone.
    assert cells(alone.content.decode(), "key-caption") == cells(
        default.content.decode(), "key-caption"
    )
    assert wrong.status_code == 400
    assert learning.status_code == 200
    assert f"Endast {municipality.name}" not in unescape(learning.content.decode())
    assert learning_alone.status_code == 200
    assert f"Endast {municipality.name}" not in unescape(learning_alone.content.decode())


def test_a_joint_area_analyst_of_an_organisation_without_a_counterpart_is_told_so(
    sip, social_insurance
):
    lonely = make_user("lo", (social_insurance, JOINT))
    client = staff_client(lonely, social_insurance)
    response = client.get(PAGE)
    assert response.status_code == 200
    assert "har inget gemensamt område" in unescape(response.content.decode())


def test_the_evaluation_s_results_are_the_organisation_s_for_an_analyst(
    sip, analyst, joint_analyst, needs_assessment, municipality
):
    page = reverse("evaluation:results")
    whole = staff_client(analyst, needs_assessment).get(page)
    assert whole.status_code == 200
    assert municipality.name in unescape(whole.content.decode())
    joint = staff_client(joint_analyst, needs_assessment).get(page)
    assert joint.status_code == 302 and joint["Location"] == PAGE
