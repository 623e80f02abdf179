"""What a plan's facts add to the monthly counts (`MonthCount`), and how a scope is named there.

The statistics pages read counts per scope, measure and month instead of the plans' facts: a
page asks one query whatever the number of plans. Each plan adds, for every scope it belongs
to (each unit that initiated or took part, each of their organisations, and each pair of those
organisations: a joint area), one to the measure's count in the month of the day that puts it
in a period (the initiative's month for "started", the due month for a deadline), under a
value where a figure needs one (the closing reason, the age band, the number of days for a
median, the outcome of a deadline).

The worker keeps the counts by adding what a plan's new facts add and taking away what its old
facts added (`services.facts_write`); `services.month_counts_rebuild` counts them all again.
This module is the one place that says what is counted; `indicators` reads it back.
"""

import datetime
from collections import Counter
from collections.abc import Iterable
from itertools import combinations

from samplan.plans.models import Plan

# A deadline's outcome: met, late, or not yet done (counted as late once the day has passed:
# the value keeps the due day, "open:07").
MET = "met"
LATE = "late"
OPEN = "open:"

# key: (the duration column, the day that puts a plan in a period)
DURATIONS = {
    "to_consent": ("consent_days", "consent_on"),
    "to_meeting": ("meeting_days", "first_meeting_on"),
    "to_established": ("establish_days", "established_on"),
}
# key: (the due day, the day the step was done)
DEADLINES = {
    "consent_deadline": ("consent_due", "consent_on"),
    "meeting_deadline": ("meeting_due", "first_meeting_on"),
    "first_follow_up_on_time": ("first_follow_up_due", "first_follow_up_on"),
}
FOLLOW_UPS = "follow_up_on_time"
# Plans with consent, counted in the consent's month, and the same plans again in the month
# they were closed: the plans active in a period are those with consent by its end less those
# closed before its start.
CONSENTED = "consented"
CONSENT_ENDED = "consent_ended"


def scope_key(*, unit: int | None = None, organization: int | None = None, other=None) -> str:
    """The name of a unit, an organisation or a joint area (either order) in the counts."""
    if unit is not None:
        return f"unit:{unit}"
    if other is None:
        return f"org:{organization}"
    first, second = sorted((organization, other))
    return f"joint:{first}-{second}"


def _month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def outcome(due: datetime.date, done: datetime.date | None) -> str:
    if done is None:
        return f"{OPEN}{due.day:02d}"
    return MET if done <= due else LATE


def decided(month: datetime.date, value: str, today: datetime.date) -> bool:
    """Whether a deadline's outcome counts today: done, or its day has passed."""
    if not value.startswith(OPEN):
        return True
    return month.replace(day=int(value.removeprefix(OPEN))) < today


def _deadline_outcome(fact, due_column: str, done_column: str) -> str | None:
    """The outcome of one of the plan's deadlines, or None when it is not measured: no
    deadline, consent refused, or closed before the step was due."""
    due, done = getattr(fact, due_column), getattr(fact, done_column)
    if due is None or fact.state == Plan.State.CONSENT_REFUSED:
        return None
    if done is None and fact.closed_on is not None and fact.closed_on <= due:
        return None
    return outcome(due, done)


def contributions(fact, units: Iterable, reasons: Iterable, meetings, follow_ups) -> Counter:
    """What one plan's facts (a `PlanFact` and its rows) add: {(scope, measure, month, value):
    n}."""
    entries: Counter = Counter()

    def add(measure: str, day: datetime.date | None, value: str = "", n: int = 1) -> None:
        if day is not None and n:
            entries[(measure, _month(day), value)] += n

    add("started", fact.initiated_on)
    add("age", fact.initiated_on, fact.age_band)
    add("sex", fact.initiated_on, fact.sex)
    for reason in reasons:
        add("reason", fact.initiated_on, reason.reason)
    add("established", fact.established_on)
    add("closed", fact.closed_on, fact.closing_reason)
    if fact.consent_on is not None:
        add(CONSENTED, fact.consent_on)
        if fact.closed_on is not None:
            # A plan closed before its consent's day (data entered late) ends with the consent.
            add(CONSENT_ENDED, max(fact.closed_on, fact.consent_on))
    for key, (column, day) in DURATIONS.items():
        days = getattr(fact, column)
        if days is not None:
            add(key, getattr(fact, day), str(days))
    for key, (due, done) in DEADLINES.items():
        found = _deadline_outcome(fact, due, done)
        if found is not None:
            add(key, getattr(fact, due), found)
    for row in follow_ups:
        add(FOLLOW_UPS, row.due_on, outcome(row.due_on, row.held_on))
    for meeting in meetings:
        add("meetings", meeting.held_on)
        add("individual_present", meeting.held_on, n=int(meeting.individual_present))
        add("relatives_present", meeting.held_on, n=int(meeting.relatives_present))
    add("lead_named", fact.established_on, n=int(fact.lead_named))
    add("follow_up_set", fact.established_on, n=int(fact.follow_up_set))
    add("goals", fact.closed_on, n=fact.goals)
    add("goals_achieved", fact.closed_on, n=fact.goals_achieved)

    units = {(row.unit_id, row.organization_id) for row in units}
    organizations = sorted({organization for _unit, organization in units})
    scopes = [scope_key(unit=unit) for unit, _organization in units]
    scopes += [scope_key(organization=organization) for organization in organizations]
    scopes += [scope_key(organization=a, other=b) for a, b in combinations(organizations, 2)]
    return Counter(
        {(scope, *entry): n for scope in scopes for entry, n in entries.items()},
    )
