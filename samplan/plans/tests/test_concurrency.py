"""Optimistic concurrency: two people open the same form; the first save wins, the second is
told (services.StaleEdit carrying what it looks like now) and nothing is lost."""

import pytest

from samplan.plans import services
from samplan.plans.models import Goal, Intervention
from samplan.testing.cast import fresh, in_days, staff

pytestmark = pytest.mark.usefixtures("messages_in_english")


def edit_goal(goal, *, actor, text, expected_version):
    return services.goal_save(
        actor=actor,
        plan=goal.plan,
        goal=goal,
        expected_version=expected_version,
        term=goal.term,
        text=text,
    )


def edit_intervention(intervention, *, actor, frequency, expected_version):
    return services.intervention_save(
        actor=actor,
        plan=intervention.plan,
        intervention=intervention,
        expected_version=expected_version,
        what=intervention.what,
        organization=intervention.organization,
        responsible_unit=intervention.unit,
        frequency=frequency,
    )


def test_the_second_of_two_goal_edits_is_stale_and_gets_the_first(
    sip, alice, needs_assessment, bob, primary_care
):
    plan = sip.to("invited")
    sip.fill(plan)
    opened_by_alice, opened_by_bob = Goal.objects.get(), Goal.objects.get()
    as_alice, as_bob = (
        {"actor": staff(alice, needs_assessment)},
        {"actor": staff(bob, primary_care)},
    )
    edit_goal(opened_by_alice, **as_alice, text="Bo kvar hemma", expected_version=1)
    with pytest.raises(services.StaleEdit) as stale:
        edit_goal(opened_by_bob, **as_bob, text="Flytta till eget", expected_version=1)
    assert stale.value.current.text == "Bo kvar hemma" and stale.value.current.lock_version == 2
    assert Goal.objects.get().text == "Bo kvar hemma"
    assert plan.events.filter(kind="goal_changed").count() == 1


def test_a_stale_goal_edit_saved_again_on_the_current_version_wins(
    sip, alice, needs_assessment, bob, primary_care
):
    plan = sip.to("invited")
    sip.fill(plan)
    goal = Goal.objects.get()
    edit_goal(goal, actor=staff(alice, needs_assessment), text="Bo kvar hemma", expected_version=1)
    with pytest.raises(services.StaleEdit) as stale:
        edit_goal(
            goal, actor=staff(bob, primary_care), text="Bo kvar, med stöd", expected_version=1
        )
    current = stale.value.current
    edit_goal(
        current,
        actor=staff(bob, primary_care),
        text="Bo kvar, med stöd",
        expected_version=current.lock_version,
    )
    assert (Goal.objects.get().text, Goal.objects.get().lock_version) == ("Bo kvar, med stöd", 3)


def test_the_second_of_two_intervention_edits_is_stale_and_gets_the_first(
    sip, alice, needs_assessment, bob, primary_care, region
):
    plan = sip.to("invited")
    sip.fill(plan)
    opened_by_alice = Intervention.objects.get(organization=region)
    opened_by_bob = Intervention.objects.get(organization=region)
    edit_intervention(
        opened_by_alice,
        actor=staff(alice, needs_assessment),
        frequency="Varje månad",
        expected_version=1,
    )
    with pytest.raises(services.StaleEdit) as stale:
        edit_intervention(
            opened_by_bob,
            actor=staff(bob, primary_care),
            frequency="Varje vecka",
            expected_version=1,
        )
    assert stale.value.current.frequency == "Varje månad"
    assert Intervention.objects.get(organization=region).frequency == "Varje månad"
    assert plan.events.filter(kind="intervention_changed").count() == 1


def test_a_stale_intervention_edit_leaves_its_goals_alone(
    sip, alice, needs_assessment, bob, primary_care, region
):
    plan = sip.to("invited")
    sip.fill(plan)
    care = Intervention.objects.get(organization=region)
    edit_intervention(
        care, actor=staff(alice, needs_assessment), frequency="Varje månad", expected_version=1
    )
    with pytest.raises(services.StaleEdit):
        services.intervention_save(
            actor=staff(bob, primary_care),
            plan=plan,
            intervention=care,
            expected_version=1,
            what=care.what,
            organization=region,
            goals=[Goal.objects.get()],
        )
    assert not care.goals.exists()


def test_the_second_of_two_edits_of_the_same_plan_field_is_stale(sip, alice, needs_assessment):
    plan = sip.to("consented")
    opened = fresh(plan).lock_version
    services.plan_update(
        actor=staff(alice, needs_assessment),
        plan=fresh(plan),
        expected_version=opened,
        own_words="Att få bo kvar",
    )
    with pytest.raises(services.StaleEdit) as stale:
        services.plan_update(
            actor=staff(alice, needs_assessment),
            plan=fresh(plan),
            expected_version=opened,
            own_words="Att få jobba",
        )
    assert stale.value.current.own_words == "Att få bo kvar"
    assert fresh(plan).own_words == "Att få bo kvar"
    assert plan.events.filter(kind="plan_updated").count() == 1


def test_edits_of_different_plan_fields_from_the_same_version_conflict_too(
    sip, alice, needs_assessment, bob, primary_care
):
    plan = sip.to("invited")
    opened = fresh(plan).lock_version
    services.plan_update(
        actor=staff(alice, needs_assessment),
        plan=fresh(plan),
        expected_version=opened,
        next_follow_up=in_days(60),
    )
    with pytest.raises(services.StaleEdit) as stale:
        services.plan_update(
            actor=staff(bob, primary_care), plan=fresh(plan), expected_version=opened, lead=bob
        )
    assert stale.value.current.next_follow_up == in_days(60) and stale.value.current.lead is None


def test_a_transition_in_between_makes_an_open_plan_form_stale(sip, alice, needs_assessment):
    plan = sip.to("initiated")
    opened = fresh(plan).lock_version
    sip.consent(plan)
    with pytest.raises(services.StaleEdit) as stale:
        services.plan_update(
            actor=staff(alice, needs_assessment),
            plan=plan,
            expected_version=opened,
            own_words="Att bli lyssnad på",
        )
    assert stale.value.current.state == "consented" and stale.value.current.own_words == ""
