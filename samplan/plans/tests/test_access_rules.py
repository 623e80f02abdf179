"""Need-to-know (plans.access): which units see a plan and which may change it."""

import pytest

from samplan.plans import access, services
from samplan.plans.access import plans_of_unit
from samplan.testing.cast import fresh

pytestmark = pytest.mark.usefixtures("messages_in_english")


def sees(unit, plan) -> bool:
    return plans_of_unit(unit).filter(pk=plan.pk).exists()


def test_before_consent_only_the_initiating_unit_sees_the_plan(
    sip, needs_assessment, primary_care, social_psychiatry
):
    plan = sip.initiate()
    assert sees(needs_assessment, plan)
    assert not sees(primary_care, plan) and not sees(social_psychiatry, plan)


def test_after_refused_consent_only_the_initiating_unit_sees_the_plan(
    sip, needs_assessment, primary_care
):
    plan = sip.to("consent_refused")
    assert sees(needs_assessment, plan) and not sees(primary_care, plan)


def test_after_consent_the_units_in_its_scope_see_the_plan(sip):
    plan = sip.to("consented")
    assert all(sees(unit, plan) for unit in sip.scope)


def test_a_unit_outside_the_consent_does_not_see_the_plan(sip, social_psychiatry):
    plan = sip.to("active")
    assert not sees(social_psychiatry, plan)


def test_a_unit_removed_from_the_scope_by_a_new_consent_loses_sight_of_the_plan(
    sip, needs_assessment, primary_care, social_insurance
):
    plan = sip.to("invited")
    sip.consent(plan, units=[needs_assessment, primary_care])
    assert not sees(social_insurance, plan)
    assert sees(primary_care, plan)
    assert not fresh(plan).participants.get(unit=social_insurance).is_active


def test_a_unit_put_back_into_the_scope_sees_the_plan_again(
    sip, needs_assessment, primary_care, social_insurance
):
    plan = sip.to("consented")
    sip.consent(plan, units=[needs_assessment, primary_care])
    sip.consent(plan, units=sip.scope)
    assert sees(social_insurance, plan)


def test_the_initiating_unit_too_must_be_covered_by_the_consent(
    sip, needs_assessment, social_psychiatry, primary_care
):
    plan = sip.initiate()
    sip.consent(plan, units=[social_psychiatry, primary_care])
    assert not sees(needs_assessment, plan)
    assert sees(social_psychiatry, plan)


@pytest.mark.parametrize(
    "state", ["initiated", "consent_refused", "consented", "invited", "active", "closed"]
)
def test_an_outsider_unit_never_sees_the_plan(sip, psychiatry, state):
    plan = sip.to(state)
    assert not sees(psychiatry, plan)
    assert not access.unit_may(plan, psychiatry, "plan.edit")


def test_the_participants_still_see_a_closed_plan(sip, needs_assessment, primary_care):
    plan = sip.to("closed")
    assert sees(needs_assessment, plan) and sees(primary_care, plan)


def test_before_consent_only_the_initiating_unit_writes(sip, needs_assessment, primary_care):
    plan = sip.initiate()
    assert access.unit_may(plan, needs_assessment, "plan.edit")
    assert not access.unit_may(plan, primary_care, "plan.edit")


def test_principal_units_in_the_scope_write(sip, needs_assessment, primary_care):
    plan = sip.to("active")
    assert access.unit_may(plan, needs_assessment, "plan.edit") and access.unit_may(
        plan, primary_care, "plan.edit"
    )


def test_another_actors_unit_takes_part_read_only(sip, social_insurance):
    plan = sip.to("active")
    assert plan.participants.get(unit=social_insurance).access == "read"
    assert sees(social_insurance, plan)
    assert not access.unit_may(plan, social_insurance, "plan.edit")


def test_a_unit_removed_from_the_scope_can_no_longer_write(
    sip, needs_assessment, primary_care, social_psychiatry
):
    plan = sip.to("consented")
    sip.consent(plan, units=[needs_assessment, social_psychiatry])
    assert not access.unit_may(fresh(plan), primary_care, "plan.edit")
    assert access.unit_may(fresh(plan), social_psychiatry, "plan.edit")


@pytest.mark.parametrize("ending", ["plan_close", "consent_withdraw"])
def test_no_one_writes_in_a_closed_plan(sip, needs_assessment, primary_care, ending):
    plan = sip.to("active")
    if ending == "plan_close":
        services.plan_close(**sip.as_alice, plan=plan, reason="works")
    else:
        services.consent_withdraw(
            **sip.as_alice, plan=plan, decided_on=plan.current_consent.decided_on, mode="oral"
        )
    plan = fresh(plan)
    assert not access.unit_may(plan, needs_assessment, "plan.edit")
    assert not access.unit_may(plan, primary_care, "plan.edit")
