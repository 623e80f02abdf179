"""Each indicator on the hand-made world of `world.py`, counted by hand (the first quarter of
2026, computed on 15 April 2026), the suppression of small cells and of differences, and the
facts kept current by the worker and by the rebuild command."""

import datetime
import importlib
import io

import pytest
import time_machine
from django.apps import apps as django_apps
from django.core.management import call_command

from samplan.plans import services as plan_services
from samplan.plans.models import FollowUp, Plan
from samplan.statistics import indicators as ind
from samplan.statistics.indicators import Period, Scope, protect, share_shown
from samplan.statistics.models import FollowUpFact, MonthCount, PlanFact, Watermark
from samplan.statistics.services import facts_rebuild, facts_refresh, sex_of
from samplan.statistics.tests import world
from samplan.testing.cast import fresh
from samplan.testing.world import record_results

Q1 = Period.of_months(datetime.date(2026, 1, 1), datetime.date(2026, 3, 1))


class Tally:
    """Counts the indicators checked and the wrong ones, for the suite's summary line."""

    def __init__(self):
        self.cases, self.wrong = 0, []

    def check(self, name: str, got, expected) -> None:
        self.cases += 1
        if got != expected:
            self.wrong.append(f"{name}: got {got!r}, expected {expected!r}")

    def done(self) -> None:
        record_results("statistics", cases=self.cases, mismatches=len(self.wrong))
        assert not self.wrong, "\n".join(self.wrong)


@pytest.fixture
def built(sip, relative, mona):
    plans = world.build(sip, relative)
    world.failures(sip, mona)
    with world.on("2026-04-15"):
        facts_rebuild()
    return plans


def figures(scope: Scope):
    with world.on("2026-04-15"):
        return ind.indicators(scope, Q1, world.TODAY)


def test_every_indicator_of_a_unit_is_the_figure_counted_by_hand(built, sip):
    result = figures(Scope(unit=sip.needs_assessment))
    tally = Tally()
    counts = {figure.key: (figure.value, figure.shown) for figure in result.counts}
    tally.check("started", counts["started"], (8, 8))  # P1-P8
    tally.check("active", counts["active"], (8, 8))  # consent by March, open: P9, P1-P7
    tally.check("established", counts["established"], (7, 7))  # P9, P1-P6
    tally.check("closed", counts["closed"], (2, "<5"))  # P1, P6
    tally.check("failures", counts["failures"], (7, 7))
    # Days, sorted: to consent 1 1 2 2 3 3 8; to the first meeting 6 8 8 13 14 16 22;
    # to the established plan 0 0 0 0 0 2 3. The 90th percentile is the 7th of 7.
    durations = {d.key: (d.count, d.median, d.p90) for d in result.durations}
    tally.check("median/p90 to consent", durations["to_consent"], (7, 2, 8))
    tally.check("median/p90 to meeting", durations["to_meeting"], (7, 13, 22))
    tally.check("median/p90 to established", durations["to_established"], (7, 0, 3))
    shares = {s.key: (s.yes, s.of, s.shown) for s in result.shares}
    # Consent due in the quarter: P1-P8; late: P3 (8 days of 5), P8 (none by 13 March).
    tally.check("consent deadline", shares["consent_deadline"], (6, 8, "–"))
    # First meeting due in the quarter: P9 (1 Jan, held 8 Jan: late), P1 (22 Jan, in time),
    # P2 (29 Jan, held 30 Jan: late), P3 (consent 28 Jan under the 15 days: due 12 Feb, held
    # 10 Feb: in time), P4 (10 days: 14 Feb, held 10 Feb), P5 (10 days: 21 Feb, held 25 Feb:
    # late, in time under the old 15), P6 (5 Mar, held 3 Mar), P7 (15 Mar, none: late).
    tally.check("first meeting deadline", shares["meeting_deadline"], (4, 8, "–"))
    tally.check("individual present", shares["individual_present"], (6, 7, "–"))
    tally.check("relatives present", shares["relatives_present"], (2, 7, "–"))
    tally.check("lead named", shares["lead_named"], (7, 7, "100 %"))
    tally.check("follow-up date set", shares["follow_up_set"], (7, 7, "100 %"))
    # First follow-up due in the quarter: P9 (in time), P1 (late), P2 (on the day), P3 (none
    # by 10 March), P4 (in time).
    tally.check("first follow-ups on time", shares["first_follow_up_on_time"], (3, 5, "–"))
    # Every follow-up due in the quarter: the five first ones, and P9's second (due 20
    # February, held 25 February: late) and third (due 15 March, never held: late). The
    # others are due from April on (120 days after the follow-up; P5 25 April, P6 closed
    # before 3 April). Four late of seven: not shown.
    tally.check("follow-ups on time", shares["follow_up_on_time"], (3, 7, "–"))
    tally.check("goals achieved at closing", shares["goals_achieved"], (1, 2, "–"))
    rows = {table.key: table.rows for table in result.tables}
    # Not needed (P1) and works (P6): the order of Plan.ClosingReason.
    tally.check(
        "closed by reason, true", result.table("closed_by_reason").values[:3], [[1], [1], [0]]
    )
    tally.check(
        "closed by reason, shown",
        [c for _l, c in rows["closed_by_reason"][:3]],
        [["<5"], ["<5"], [0]],
    )
    # Ages at the initiative: 25-44 P1 P2 P3 P6 P8, 45-64 P4 P5, 65-79 P7.
    tally.check("by age", [cells[0] for _l, cells in rows["by_age"]], [0, 0, 5, "<5", "<5", 0])
    # Six women and two men: the two would follow from the total, so the six is hidden too.
    tally.check("by sex", [cells[0] for _l, cells in rows["by_sex"]], ["<5", "<5", 0])
    tally.check("by sex, true", [v[0] for v in result.table("by_sex").values], [6, 2, 0])
    reasons = dict(
        zip([c for c, _l in Plan.Reason.choices], result.table("by_reason").values, strict=True)
    )
    tally.check(
        "by reason",
        (reasons["several_units"], reasons["inpatient"], reasons["passed_around"]),
        ([7], [1], [1]),
    )
    tally.check(
        "by month, true",
        result.table("by_month").values,
        [[3, 2, 0], [3, 4, 0], [2, 1, 2]],
    )
    tally.check(
        "by month, shown",
        [cells for _l, cells in rows["by_month"]],
        [["<5", "<5", 0], ["<5", "<5", 0], ["<5", "<5", "<5"]],
    )
    # Five deadlines missed and two principals absent: the five would give the two away.
    tally.check(
        "failures by kind",
        [cells[0] for _l, cells in rows["failures_by_kind"]],
        ["<5", 0, "<5", 0, 0, 0, 0],
    )
    tally.done()


def test_an_organisation_and_a_joint_area_count_the_plans_of_their_units(built, sip):
    tally = Tally()
    region = figures(Scope(organization=sip.region))
    # Primary care takes part from the consent: P9, P1-P7 (P8 has none).
    tally.check("region started", region.count("started").value, 7)
    tally.check("region active", region.count("active").value, 8)
    joint = figures(Scope(organization=sip.municipality, other=sip.region))
    tally.check("joint started", joint.count("started").value, 7)
    tally.check("joint failures", joint.count("failures").value, 7)
    municipality = figures(Scope(organization=sip.municipality))
    tally.check("municipality started", municipality.count("started").value, 8)
    tally.check("municipality failures", municipality.count("failures").value, 7)
    psychiatry = figures(Scope(unit=sip.region.units.create(name="Annan", kind="primary_care")))
    tally.check("other unit started", psychiatry.count("started").value, 0)
    tally.done()


def test_the_deadline_is_the_agreement_s_in_force_when_the_clock_started(built):
    """P3's consent came before the change (15 days), P5's after it (10 days)."""
    tally = Tally()
    p3 = PlanFact.objects.get(plan=built["P3"])
    p5 = PlanFact.objects.get(plan=built["P5"])
    tally.check("P3 first meeting due", p3.meeting_due, datetime.date(2026, 2, 12))
    tally.check("P5 first meeting due", p5.meeting_due, datetime.date(2026, 2, 21))
    tally.check("P3 consent due", p3.consent_due, datetime.date(2026, 1, 25))
    tally.check("P5 consent due", p5.consent_due, datetime.date(2026, 2, 13))
    tally.done()


def test_each_follow_up_date_is_a_fact_with_the_day_it_was_answered(built):
    """P9's three dates; P3's first, never held; P1 and P6 closed before their next date."""
    tally = Tally()

    def dates(name):
        rows = FollowUpFact.objects.filter(fact_id=built[name].pk).order_by("due_on")
        return [(str(r.due_on), r.held_on and str(r.held_on)) for r in rows]

    tally.check(
        "P9 follow-ups",
        dates("P9"),
        [("2026-02-08", "2026-02-05"), ("2026-02-20", "2026-02-25"), ("2026-03-15", None)],
    )
    tally.check("P3 follow-ups", dates("P3"), [("2026-03-10", None)])
    tally.check("P1 follow-ups", dates("P1"), [("2026-02-15", "2026-02-20")])
    tally.check("P6 follow-ups", dates("P6"), [])
    tally.check("P7 follow-ups", dates("P7"), [])
    tally.done()


def test_follow_ups_recorded_before_their_date_was_kept_get_it_from_the_history(built):
    """The migration's backfill: the date set at the establishment for a first follow-up; a
    follow-up after one that continued the plan (a new date with no event) stays unknown."""
    backfill = importlib.import_module("samplan.plans.migrations.0022_followup_due_on").backfill
    FollowUp.objects.update(due_on=None)
    backfill(django_apps, None)
    found = {
        name: [str(f.due_on) if f.due_on else None for f in built[name].follow_ups.all()]
        for name in ("P9", "P1", "P2", "P4")
    }
    assert found == {
        "P9": ["2026-02-08", None],
        "P1": ["2026-02-15"],
        "P2": ["2026-03-02"],
        "P4": ["2026-03-12"],
    }


def test_a_single_small_cell_of_a_breakdown_takes_the_next_smallest_with_it():
    tally = Tally()
    tally.check("one small", protect(12, [3, 0, 9]), ["<5", 0, "<5"])
    tally.check("two small", protect(20, [1, 2, 17]), ["<5", "<5", 17])
    tally.check("next smallest", protect(30, [2, 12, 7, 9]), ["<5", 12, "<5", 9])
    tally.check("none small", protect(10, [5, 5, 0]), [5, 5, 0])
    tally.check("small total", protect(3, [1, 2]), ["<5", "<5"])
    tally.check("share shown", share_shown(5, 10), "50 %")
    tally.check("share of too few", share_shown(4, 4), "–")
    tally.check("share with a small no", share_shown(18, 20), "–")
    tally.check("share of none", share_shown(0, 6), "0 %")
    tally.done()


@pytest.mark.parametrize("cells", [[3, 0, 9], [1, 2, 17], [2, 12, 7, 9], [4, 5, 6], [1, 9, 9, 9]])
def test_no_hidden_cell_can_be_computed_from_the_total_and_the_cells_shown(cells):
    total = sum(cells)
    shown = protect(total, cells)
    hidden = [n for n, s in zip(cells, shown, strict=True) if s == "<5"]
    rest = total - sum(s for s in shown if isinstance(s, int))
    assert len(hidden) >= 2  # the difference is shared by two hidden cells at least
    assert rest == sum(hidden)
    assert all(s == n for n, s in zip(cells, shown, strict=True) if s != "<5")


def test_sex_comes_from_the_second_to_last_digit_of_the_number():
    assert sex_of("personnummer", "198112189876") == "male"
    assert sex_of("personnummer", "198112189884") == "female"
    assert sex_of("reservnummer", "R12345") == "unknown"


def _facts() -> list[dict]:
    return list(
        PlanFact.objects.order_by("plan_id").values(
            *[f.attname for f in PlanFact._meta.concrete_fields if f.name != "refreshed_at"]
        )
    )


def _month_counts() -> set[tuple]:
    return set(
        MonthCount.objects.exclude(n=0).values_list("scope", "measure", "month", "value", "n")
    )


def test_a_new_event_updates_the_facts_and_the_rebuild_gives_the_same(built, sip):
    with world.on("2026-04-16"):
        plan_services.plan_close(**sip.as_alice, plan=fresh(built["P2"]), reason="moved")
        assert PlanFact.objects.get(plan=built["P2"]).closed_on is None
        assert facts_refresh() >= 1
    fact = PlanFact.objects.get(plan=built["P2"])
    assert (fact.closed_on, fact.closing_reason) == (datetime.date(2026, 4, 16), "moved")
    incremental, counted = _facts(), _month_counts()
    newest = Watermark.objects.get(name="plan_events").last_event_id
    with world.on("2026-04-16"):
        call_command("statistics_rebuild", stdout=io.StringIO())
    assert _facts() == incremental
    assert _month_counts() == counted
    assert Watermark.objects.get(name="plan_events").last_event_id == newest


def test_the_worker_alone_builds_the_same_facts_as_the_rebuild(sip, relative, mona):
    world.build(sip, relative)
    with time_machine.travel(world.noon("2026-04-15"), tick=False):
        facts_refresh(batch=3)  # several rounds
        from_events, counted = _facts(), _month_counts()
        facts_rebuild()
    assert len(from_events) == 9
    assert _facts() == from_events
    assert _month_counts() == counted


def test_a_chart_s_table_computed_alone_is_the_page_s_table(built, sip):
    for scope in (
        Scope(unit=sip.needs_assessment),
        Scope(organization=sip.municipality, other=sip.region),
    ):
        whole = figures(scope)
        for table in whole.tables:
            with world.on("2026-04-15"):
                alone = ind.one_table(scope, Q1, table.key)
            assert alone == table, table.key
    assert ind.one_table(Scope(unit=sip.needs_assessment), Q1, "nothing") is None


def test_a_deleted_plan_leaves_the_monthly_counts_as_a_rebuild_would(built, sip):
    with world.on("2026-04-16"):
        built["P3"].delete()  # culled: its events go with it, the worker never hears of it
        left = _month_counts()
        facts_rebuild()
    assert _month_counts() == left
    assert not PlanFact.objects.filter(pk=built["P3"].pk).exists()
    with world.on("2026-04-16"):
        started = ind.indicators(Scope(unit=sip.needs_assessment), Q1, world.TODAY)
    assert started.count("started").value == 7  # P1-P8 less P3


def test_counts_never_built_are_counted_by_the_worker_s_next_refresh(built, sip):
    """After an upgrade the facts exist and the counts do not: the worker counts them first."""
    counted = _month_counts()
    MonthCount.objects.all().delete()
    Watermark.objects.filter(name="month_counts").update(last_event_id=0)
    with world.on("2026-04-16"):
        facts_refresh()
    assert _month_counts() == counted


def test_the_figures_take_the_same_queries_for_a_scope_with_plans_and_one_without(built, sip):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from samplan.accounts.models import Unit

    empty = Unit.objects.create(organization=sip.municipality, name="Ny enhet utan planer")
    asked = []
    for scope in (Scope(organization=sip.municipality), Scope(unit=empty)):
        with world.on("2026-04-15"), CaptureQueriesContext(connection) as queries:
            result = ind.indicators(scope, Q1, world.TODAY)
        asked.append(len(queries))
    assert result.count("started").value == 0
    assert asked[0] == asked[1]
