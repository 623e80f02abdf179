"""Collaboration failures as the people involved describe them: a report, the joint handling by
the unit managers of the units concerned, the escalation ladder of the local agreement that the
clock climbs by itself, who sees what, and the reports Samplan proposes from its own data.

The cast: Alice (caseworker) and Mona (unit manager) at the municipality's needs assessment,
Petra the unit manager of the region's primary care centre (where Bob works), Ulla the unit
manager of the psychiatric clinic, which no report here concerns. The municipality's local
agreement gives the unit managers 14 days, then step 2 (the heads of operations, Stina, 7 days)
and step 3 (the joint management group, Lars, 10 days).
"""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from samplan import policy
from samplan.accounts.models import Membership
from samplan.conftest import make_user
from samplan.deviations import services
from samplan.deviations.models import Deviation, DeviationAction, DeviationEvent
from samplan.notifications import tasks
from samplan.notifications.models import Notification
from samplan.plans import services as plans
from samplan.plans.models import EscalationStep, Invitee, LocalAgreement
from samplan.plans.rules import RuleViolation
from samplan.plans.services.base import StaleEdit
from samplan.testing.cast import refused, staff

Kind = Deviation.Kind
Event = DeviationEvent.Kind
MANAGER = Membership.Role.UNIT_MANAGER
SCAN_KEY = "samplan.notifications:reminder-scan"


def today() -> datetime.date:
    return timezone.localdate()


def days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


def at_noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


@pytest.fixture
def petra(primary_care):
    return make_user("petra", (primary_care, MANAGER))


@pytest.fixture
def ulla(psychiatry):
    return make_user("ulla", (psychiatry, MANAGER))


@pytest.fixture
def stina(social_psychiatry):
    return make_user("stina", (social_psychiatry, Membership.Role.CASEWORKER))


@pytest.fixture
def lars(social_psychiatry):
    return make_user("lars", (social_psychiatry, Membership.Role.CASEWORKER))


@pytest.fixture
def ladder(municipality, stina, lars) -> LocalAgreement:
    agreement = LocalAgreement.objects.create(organization=municipality)
    heads = EscalationStep.objects.create(
        agreement=agreement, number=2, name="Verksamhetschefer", days=7, email="chefer@kommun.test"
    )
    heads.members.set([stina])
    board = EscalationStep.objects.create(
        agreement=agreement, number=3, name="Ledningsgrupp", days=10, email="ledning@kommun.test"
    )
    board.members.set([lars])
    return agreement


@pytest.fixture
def as_mona(mona, needs_assessment):
    return staff(mona, needs_assessment)


@pytest.fixture
def as_petra(petra, primary_care):
    return staff(petra, primary_care)


def values(**overrides) -> dict:
    return {
        "kind": Kind.RESPONSIBILITY,
        "what_happened": "Vårdcentralen och biståndet var oense om vem som skulle boka hemtjänst.",
        "happened_on": today(),
        "consequence": "Hemtjänsten kom i gång en vecka för sent.",
        **overrides,
    }


@pytest.fixture
def report(as_mona, primary_care, petra, ladder):
    """Mona reports, without a plan, a failure concerning primary care."""
    return services.deviation_report(actor=as_mona, units=[primary_care], **values())


@pytest.fixture
def plan(sip):
    return sip.to("consented")


def fresh(deviation: Deviation) -> Deviation:
    return Deviation.objects.get(pk=deviation.pk)


def events(deviation: Deviation, kind: str | None = None) -> list[DeviationEvent]:
    found = DeviationEvent.objects.filter(deviation=deviation)
    return list(found.filter(kind=kind) if kind else found)


# --- Reporting ---------------------------------------------------------------------------------


def test_a_caseworker_reports_a_failure_about_a_plan_her_unit_takes_part_in(
    plan, alice, needs_assessment, primary_care, mona, petra
):
    deviation = services.deviation_report(
        actor=staff(alice, needs_assessment), plan=plan, units=[primary_care], **values()
    )
    assert (deviation.state, deviation.level, deviation.level_due) == ("reported", 1, days(14))
    assert deviation.plan == plan and deviation.reporter == alice
    assert set(deviation.units.all()) == {needs_assessment, primary_care}
    assert deviation.agreement_organization == plan.initiating_unit.organization
    [event] = events(deviation)
    assert (event.kind, event.actor, event.acting_unit) == (Event.REPORTED, alice, needs_assessment)
    told = Notification.objects.filter(kind="collaboration_failure", channel="inbox")
    assert {n.user for n in told} == {mona, petra}  # the unit managers, never the reporter herself


def test_a_unit_manager_reports_without_a_plan(report, mona, needs_assessment, municipality):
    assert report.plan is None and report.reporter == mona
    assert report.agreement_organization == municipality


def test_a_caseworker_must_link_the_plan_the_failure_is_about(
    alice, needs_assessment, primary_care
):
    with pytest.raises(RuleViolation) as refusal:
        services.deviation_report(
            actor=staff(alice, needs_assessment), units=[primary_care], **values()
        )
    assert refusal.value.field == "plan"
    assert not Deviation.objects.exists()


def test_a_plan_the_unit_does_not_take_part_in_cannot_be_linked(
    plan, ulla, psychiatry, primary_care
):
    with pytest.raises(RuleViolation) as refusal:
        services.deviation_report(
            actor=staff(ulla, psychiatry), plan=plan, units=[primary_care], **values()
        )
    assert refusal.value.field == "plan"


@pytest.mark.parametrize(
    "field, text",
    [
        ("what_happened", "Eva 19811218-9876 fick ingen tid."),
        ("what_happened", "Gäller 811218-9876."),
        ("consequence", "Personen (198112189876) blev utan stöd."),
    ],
)
def test_an_identity_number_in_the_text_is_refused(
    as_mona, primary_care, field, text, messages_in_english
):
    with refused("Write no identity number in the report") as refusal:
        services.deviation_report(actor=as_mona, units=[primary_care], **values(**{field: text}))
    assert refusal.value.field == field


def test_the_units_concerned_are_chosen_among_those_offered(
    as_mona, plan, alice, needs_assessment, primary_care, psychiatry, social_insurance
):
    # Without a plan: active units of municipalities and regions, not Försäkringskassan
    offered = set(services.unit_choices(as_mona, None))
    assert primary_care in offered and social_insurance not in offered
    assert needs_assessment not in offered  # the own unit is concerned anyway
    as_alice = staff(alice, needs_assessment)
    # With a plan: the units taking part in it
    assert set(services.unit_choices(as_alice, plan)) == {primary_care, social_insurance}
    for actor, linked, units in [
        (as_mona, None, [social_insurance]),
        (as_alice, plan, [psychiatry]),
        (as_mona, None, [needs_assessment]),  # only the own unit
        (as_mona, None, []),
    ]:
        with pytest.raises(RuleViolation) as refusal:
            services.deviation_report(actor=actor, plan=linked, units=units, **values())
        assert refusal.value.field == "units", units
    primary_care.is_active = False
    primary_care.save(update_fields=["is_active"])
    with pytest.raises(RuleViolation):
        services.deviation_report(actor=as_mona, units=[primary_care], **values())
    assert not Deviation.objects.exists()


def test_the_reporting_unit_is_always_among_the_units_concerned(
    as_mona, needs_assessment, primary_care, psychiatry
):
    deviation = services.deviation_report(
        actor=as_mona, units=[primary_care, needs_assessment, psychiatry, primary_care], **values()
    )
    assert set(deviation.units.all()) == {needs_assessment, primary_care, psychiatry}


def test_a_proposal_is_reported_once(as_mona, primary_care):
    first = services.deviation_report(
        actor=as_mona, units=[primary_care], suggestion="deadline:x", **values()
    )
    again = services.deviation_report(
        actor=as_mona, units=[primary_care], suggestion="deadline:x", **values()
    )
    assert again.pk == first.pk
    assert Deviation.objects.count() == 1 and len(events(first)) == 1


# --- The joint handling ------------------------------------------------------------------------


def test_the_first_comment_of_a_handler_starts_the_handling(report, as_petra, mona):
    event = services.deviation_comment(
        actor=as_petra, deviation=report, text="Vi ringer er i morgon."
    )
    report = fresh(report)
    assert report.state == "handling" and report.lock_version == 2
    assert (event.kind, event.text) == (Event.COMMENTED, "Vi ringer er i morgon.")
    assert Notification.objects.filter(user=mona, dedupe_key__contains=f":{event.pk}:").exists()
    with pytest.raises(RuleViolation) as refusal:
        services.deviation_comment(actor=as_petra, deviation=report, text="  ")
    assert refusal.value.field == "text"


def test_an_action_is_owned_by_someone_at_a_unit_concerned(
    report, as_petra, bob, ulla, messages_in_english
):
    with refused("Choose an owner among the staff of the units concerned") as refusal:
        services.action_agree(
            actor=as_petra, deviation=report, what="Boka möte", owner=ulla, due=days(7)
        )
    assert refusal.value.field == "owner"
    action = services.action_agree(
        actor=as_petra, deviation=report, what="Boka möte", owner=bob, due=days(7)
    )
    assert (action.owner, action.due, action.agreed_by.username) == (bob, days(7), "petra")
    assert fresh(report).state == "handling"
    assert [e.kind for e in events(report)] == [Event.REPORTED, Event.ACTION_AGREED]


def test_marking_an_action_done_twice_changes_nothing(report, as_petra, bob, primary_care, ulla):
    action = services.action_agree(
        actor=as_petra, deviation=report, what="Boka möte", owner=bob, due=days(7)
    )
    stale = DeviationAction.objects.get(pk=action.pk)
    done = services.action_done(actor=staff(bob, primary_care), action=action)  # the owner
    assert done.done_at is not None
    again = services.action_done(actor=as_petra, action=stale)  # a copy read before
    assert again.done_at == done.done_at
    assert len(events(report, Event.ACTION_DONE)) == 1
    with pytest.raises(RuleViolation):  # neither owner nor handler
        services.action_done(actor=staff(ulla, ulla.memberships.get().unit), action=action)


@pytest.mark.parametrize("conclusion", ["resolved", "not_a_failure"])
def test_the_handlers_conclude_a_report(report, as_petra, conclusion):
    concluded = services.deviation_conclude(
        actor=as_petra, deviation=report, conclusion=conclusion, text="Rutinen är förtydligad."
    )
    assert (concluded.state, concluded.conclusion, concluded.level_due) == (
        "concluded",
        conclusion,
        None,
    )
    assert concluded.concluded_at is not None
    assert concluded.conclusion_text == "Rutinen är förtydligad."
    assert events(report)[-1].kind == Event.CONCLUDED
    with pytest.raises(RuleViolation):
        services.deviation_comment(actor=as_petra, deviation=report, text="En till")
    # The clock no longer runs for it
    assert services.deviations_escalate_due(days(100)) == []


def test_handlers_who_cannot_agree_take_the_report_to_the_next_step(report, as_petra, stina):
    escalated = services.deviation_conclude(
        actor=as_petra, deviation=report, conclusion="escalated", text="Vi är inte överens."
    )
    assert (escalated.state, escalated.level, escalated.level_due) == ("handling", 2, days(7))
    [event] = events(report, Event.ESCALATED)
    assert (event.level, event.text) == (2, "Vi är inte överens.")
    assert "Verksamhetschefer" in event.summary
    assert Notification.objects.filter(user=stina, kind="collaboration_failure").exists()


def test_at_the_top_of_the_ladder_the_report_cannot_be_escalated(
    report, as_petra, as_mona, messages_in_english
):
    for handler in (as_petra, as_mona):
        services.deviation_conclude(
            actor=handler, deviation=report, conclusion="escalated", text="Vidare."
        )
    assert fresh(report).level == 3
    with refused("The local agreement has no step above this one") as refusal:
        services.deviation_conclude(
            actor=as_mona, deviation=report, conclusion="escalated", text="Vidare igen."
        )
    assert refusal.value.field == "conclusion"
    assert fresh(report).level == 3 and len(events(report, Event.ESCALATED)) == 2


def test_without_a_ladder_the_unit_managers_conclude_themselves(
    as_mona, primary_care, messages_in_english
):
    deviation = services.deviation_report(actor=as_mona, units=[primary_care], **values())
    assert deviation.level_due == days(14)  # the default agreement's days
    with refused("no step above this one") as refusal:
        services.deviation_conclude(
            actor=as_mona, deviation=deviation, conclusion="escalated", text="Vidare."
        )
    assert refusal.value.field == "conclusion"


def test_a_conclusion_written_on_a_stale_page_is_refused(report, as_petra, as_mona):
    seen = report.lock_version
    services.deviation_comment(actor=as_mona, deviation=report, text="Jag har ringt.")
    with pytest.raises(StaleEdit) as stale:
        services.deviation_conclude(
            actor=as_petra,
            deviation=report,
            conclusion="resolved",
            text="Klart.",
            lock_version=seen,
        )
    assert stale.value.current.state == "handling"
    assert fresh(report).state == "handling"
    services.deviation_conclude(
        actor=as_petra,
        deviation=report,
        conclusion="resolved",
        text="Klart.",
        lock_version=fresh(report).lock_version,
    )
    assert fresh(report).state == "concluded"


# --- The escalation clock ----------------------------------------------------------------------


def test_the_clock_moves_an_unconcluded_report_up_the_ladder_once_per_step(
    report, stina, lars, mona, petra
):
    assert services.deviations_escalate_due(days(14)) == []  # the last day of step 1
    day = days(15)
    assert services.deviations_escalate_due(day) == [report]
    report = fresh(report)
    assert (report.level, report.level_due, report.state) == (
        2,
        day + datetime.timedelta(7),
        "handling",
    )
    # Run twice the same day: nothing more
    assert services.deviations_escalate_due(day) == []
    assert fresh(report).level == 2
    [escalated] = events(report, Event.ESCALATED)
    assert escalated.actor is None and escalated.level == 2
    told = Notification.objects.filter(
        kind="collaboration_failure", dedupe_key__contains=str(escalated.pk)
    )
    assert {n.user for n in told.filter(channel="inbox")} == {stina, mona, petra}
    assert [n.email for n in told.filter(channel="email")] == ["chefer@kommun.test"]
    assert not Notification.objects.filter(user=lars).exists()

    # Step 2's seven days pass: up to step 3, whose e-mail is told
    day += datetime.timedelta(days=8)
    assert services.deviations_escalate_due(day) == [report]
    assert (fresh(report).level, fresh(report).level_due) == (3, day + datetime.timedelta(10))
    assert Notification.objects.filter(user=lars, kind="collaboration_failure").exists()
    assert Notification.objects.filter(channel="email", email="ledning@kommun.test").count() == 1

    # Past the top step's days: marked once, and the clock stops
    day += datetime.timedelta(days=12)
    assert services.deviations_escalate_due(day) == [report]
    report = fresh(report)
    assert (report.level, report.level_due) == (3, None)
    [overdue] = events(report, Event.OVERDUE)
    assert "2" in overdue.summary  # two days past the last day
    for later in (day, day + datetime.timedelta(days=30)):
        assert services.deviations_escalate_due(later) == []
    assert len(events(report, Event.OVERDUE)) == 1
    assert len(events(report, Event.ESCALATED)) == 2


def test_the_worker_sweep_escalates_what_is_past_its_days(report):
    with time_machine.travel(at_noon(days(15)), tick=False):
        cache.delete(SCAN_KEY)
        result = tasks.sweep_and_remind.call()
        assert result["escalated"] == 1
        cache.delete(SCAN_KEY)
        assert tasks.sweep_and_remind.call()["escalated"] == 0
    assert fresh(report).level == 2
    assert len(events(report, Event.ESCALATED)) == 1


# --- Who sees and handles ----------------------------------------------------------------------


def decide(user, unit, action, deviation):
    return policy.decide(staff(user, unit), action, fresh(deviation))


def test_the_reporter_follows_her_report_and_the_unit_managers_concerned_handle_it(
    plan, alice, bob, carl, needs_assessment, primary_care, mona, petra, ulla, psychiatry
):
    deviation = services.deviation_report(
        actor=staff(alice, needs_assessment), plan=plan, units=[primary_care], **values()
    )
    Decision = policy.Decision
    assert decide(alice, needs_assessment, "deviation.view", deviation) is Decision.ALLOW
    assert decide(alice, needs_assessment, "deviation.handle", deviation) is Decision.FORBIDDEN
    for manager, unit in [(mona, needs_assessment), (petra, primary_care)]:
        assert decide(manager, unit, "deviation.handle", deviation) is Decision.ALLOW
    # Nobody else learns of it: a manager of an uninvolved unit, caseworkers of units concerned
    assert decide(ulla, psychiatry, "deviation.view", deviation) is Decision.NOT_FOUND
    assert decide(carl, needs_assessment, "deviation.view", deviation) is Decision.NOT_FOUND
    assert decide(bob, primary_care, "deviation.view", deviation) is Decision.NOT_FOUND
    # The lists agree with the decisions
    assert list(services.deviations_for(staff(petra, primary_care))) == [deviation]
    assert list(services.deviations_for(staff(alice, needs_assessment))) == [deviation]
    assert list(services.deviations_for(staff(ulla, psychiatry))) == []
    assert list(services.deviations_for(staff(carl, needs_assessment))) == []


def test_a_member_of_an_escalation_step_sees_the_report_once_it_reaches_the_step(
    report, stina, lars, social_psychiatry, as_petra
):
    Decision = policy.Decision
    for member in (stina, lars):
        assert decide(member, social_psychiatry, "deviation.view", report) is Decision.NOT_FOUND
    services.deviation_conclude(
        actor=as_petra, deviation=report, conclusion="escalated", text="Vi är inte överens."
    )
    assert decide(stina, social_psychiatry, "deviation.handle", report) is Decision.ALLOW
    assert decide(lars, social_psychiatry, "deviation.view", report) is Decision.NOT_FOUND
    assert list(services.deviations_for(staff(stina, social_psychiatry))) == [fresh(report)]
    services.deviations_escalate_due(days(8))
    assert decide(lars, social_psychiatry, "deviation.handle", report) is Decision.ALLOW


def test_a_concluded_report_is_seen_but_no_longer_handled(report, as_petra, petra, primary_care):
    services.deviation_conclude(
        actor=as_petra, deviation=report, conclusion="resolved", text="Löst."
    )
    assert decide(petra, primary_care, "deviation.view", report) is policy.Decision.ALLOW
    assert decide(petra, primary_care, "deviation.handle", report) is policy.Decision.FORBIDDEN
    assert list(services.deviations_for(staff(petra, primary_care))) == []
    assert list(services.deviations_for(staff(petra, primary_care), show="concluded")) == [
        fresh(report)
    ]


# --- Proposals ---------------------------------------------------------------------------------


def keys(actor) -> dict[str, services.Suggestion]:
    return {s.key: s for s in services.suggestions_for(actor)}


def test_an_overdue_first_meeting_is_proposed_to_each_unit_taking_part(
    plan, bob, primary_care, frida, social_insurance
):
    assert keys(staff(bob, primary_care)) == {}
    with time_machine.travel(at_noon(days(30)), tick=False):
        proposed = list(keys(staff(bob, primary_care)).values())
        assert [(s.kind, s.plan) for s in proposed] == [(Kind.DEADLINE_MISSED, plan)]
        assert proposed[0].key.startswith("deadline:first_meeting:")
        assert list(keys(staff(frida, social_insurance))) == [proposed[0].key]


def test_a_principal_declining_the_invitation_is_proposed(
    plan, sip, alice, needs_assessment, bob, primary_care
):
    meeting = sip.invite(plan)
    invitee = Invitee.objects.get(meeting=meeting, unit=primary_care)
    plans.invitation_respond(
        actor=staff(bob, primary_care), invitee=invitee, response="declined", reason="Ingen tid"
    )
    [proposed] = services.suggestions_for(staff(alice, needs_assessment))
    assert (proposed.kind, proposed.units, proposed.key) == (
        Kind.PRINCIPAL_ABSENT,
        [primary_care],
        f"invitation:{invitee.pk}",
    )
    assert services.suggestions_for(staff(bob, primary_care)) == []  # not to itself


def test_an_intervention_past_its_start_still_planned_is_proposed(
    plan, sip, alice, needs_assessment, region, primary_care
):
    plans.intervention_save(
        **sip.as_alice,
        plan=plan,
        what="Läkarbesök",
        organization=region,
        responsible_unit=primary_care,
        start=days(2),
    )
    assert services.suggestions_for(staff(alice, needs_assessment)) == []
    with time_machine.travel(at_noon(days(5)), tick=False):
        [proposed] = services.suggestions_for(staff(alice, needs_assessment))
    assert (proposed.kind, proposed.units, proposed.happened_on) == (
        Kind.INTERVENTION_NOT_DELIVERED,
        [primary_care],
        days(2),
    )


def test_a_dismissed_proposal_is_not_proposed_again_to_the_unit(
    plan, bob, primary_care, frida, social_insurance
):
    with time_machine.travel(at_noon(days(30)), tick=False):
        [key] = keys(staff(bob, primary_care))
        services.suggestion_dismiss(
            actor=staff(bob, primary_care), key=key, reason="Mötet är bokat, det väntade på tolk."
        )
        assert keys(staff(bob, primary_care)) == {}
        assert list(keys(staff(frida, social_insurance))) == [key]  # another unit's own choice
        with pytest.raises(RuleViolation) as refusal:
            services.suggestion_dismiss(actor=staff(bob, primary_care), key=key, reason="Igen")
        assert refusal.value.field == "reason"


def test_a_reported_proposal_is_not_proposed_again(plan, bob, primary_care, needs_assessment):
    with time_machine.travel(at_noon(days(30)), tick=False):
        as_bob = staff(bob, primary_care)
        [proposed] = services.suggestions_for(as_bob)
        deviation = services.deviation_report(
            actor=as_bob,
            plan=proposed.plan,
            units=[needs_assessment],
            suggestion=proposed.key,
            **values(
                kind=proposed.kind,
                what_happened=proposed.what_happened,
                happened_on=proposed.happened_on,
            ),  # fmt: skip
        )
        assert deviation.suggestion == proposed.key
        assert services.suggestions_for(as_bob) == []
        assert services.suggestion_find(as_bob, proposed.key) is None
