"""The indicators: counts, durations and shares over the plans of a scope and period.

A scope is a unit (the plans it initiated or took part in), an organisation (those of any of
its units) or a joint area (those of both organisations of a pair). Every figure is read from
the monthly counts the worker keeps (`MonthCount`, filled as `measures` says): one query for
the scope's counts in the period, whatever the number of plans; a median and a 90th percentile
are found in the counts per number of days.

Nothing points at an individual: every count from 1 to 4 is shown as "<5"; in a breakdown
that adds up to a total shown beside it, a single small cell would follow by subtraction, so
the next smallest cell is hidden too (`protect`); a share is shown only when neither its
"yes" nor its "no" is from 1 to 4 (and at least five are counted); a duration only when at
least five are measured.
"""

import datetime
import math
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samplan.accounts.models import Organization, Unit
from samplan.deviations.models import Deviation
from samplan.plans.models import Plan
from samplan.plans.rules import SUPPRESS_BELOW, suppressed
from samplan.statistics import measures
from samplan.statistics.models import AgeBand, MonthCount, Sex

HIDDEN = "<5"
NOT_SHOWN = "–"
LONGEST_PERIOD_MONTHS = 60


# --- Scope and period -------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """A unit, an organisation, or the joint area of two organisations."""

    unit: Unit | None = None
    organization: Organization | None = None
    other: Organization | None = None

    @property
    def name(self) -> str:
        if self.unit is not None:
            return self.unit.name
        if self.other is None:
            return self.organization.name
        return _("%(first)s and %(second)s") % {
            "first": self.organization.name,
            "second": self.other.name,
        }

    @property
    def key(self) -> str:
        return measures.scope_key(
            unit=self.unit and self.unit.pk,
            organization=self.organization and self.organization.pk,
            other=self.other and self.other.pk,
        )

    def deviations(self) -> QuerySet:
        concerned = Deviation.units.through.objects.values("deviation_id")
        if self.unit is not None:
            return Deviation.objects.filter(pk__in=concerned.filter(unit=self.unit))
        found = Deviation.objects.filter(
            pk__in=concerned.filter(unit__organization=self.organization)
        )
        if self.other is not None:
            found = found.filter(pk__in=concerned.filter(unit__organization=self.other))
        return found


@dataclass(frozen=True)
class Period:
    """Whole months, from the first day of `start`'s month to the last day of `end`'s."""

    start: datetime.date
    end: datetime.date

    @classmethod
    def of_months(cls, first: datetime.date, last: datetime.date) -> "Period":
        following = _month_index(last) + 1
        end = datetime.date(following // 12, following % 12 + 1, 1) - datetime.timedelta(1)
        return cls(first.replace(day=1), end)

    @property
    def months(self) -> list[datetime.date]:
        return [
            datetime.date(i // 12, i % 12 + 1, 1)
            for i in range(_month_index(self.start), _month_index(self.end) + 1)
        ]

    def range(self) -> tuple[datetime.date, datetime.date]:
        return self.start, self.end


def _month_index(day: datetime.date) -> int:
    return day.year * 12 + day.month - 1


def default_period(today: datetime.date) -> Period:
    """The last twelve months, this one included."""
    first = _month_index(today) - 11
    return Period.of_months(datetime.date(first // 12, first % 12 + 1, 1), today)


# --- Suppression ------------------------------------------------------------------------------


def protect(total: int, cells: list[int]) -> list[int | str]:
    """The cells of a breakdown that adds up to `total`, each 1-4 hidden; when exactly one
    would be hidden and the total is shown, the next smallest cell is hidden too, so that the
    total minus the cells shown never gives a count from 1 to 4."""
    shown: list[int | str] = [suppressed(n) for n in cells]
    hidden = [i for i, n in enumerate(cells) if 0 < n < SUPPRESS_BELOW]
    if len(hidden) == 1 and not 0 < total < SUPPRESS_BELOW:
        others = [(n, i) for i, n in enumerate(cells) if i != hidden[0] and n > 0]
        if others:
            shown[min(others)[1]] = HIDDEN
    return shown


def share_shown(yes: int, of: int) -> str:
    """ "80 %", or "–" when the share would reveal a count from 1 to 4 (or fewer than five
    were counted)."""
    if of < SUPPRESS_BELOW or 0 < yes < SUPPRESS_BELOW or 0 < of - yes < SUPPRESS_BELOW:
        return NOT_SHOWN
    return f"{round(100 * yes / of)} %"


# --- The figures ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: int | float | None  # the true figure (for tests and charts; None: not measured)
    shown: int | str  # what the page and the exports show


@dataclass(frozen=True)
class Share:
    key: str
    label: str
    yes: int
    of: int

    @property
    def shown(self) -> str:
        return share_shown(self.yes, self.of)

    @property
    def base(self) -> int | str:
        return suppressed(self.of)


@dataclass(frozen=True)
class Duration:
    key: str
    label: str
    count: int
    median: float | None
    p90: int | None

    @property
    def count_shown(self) -> int | str:
        return suppressed(self.count)

    @property
    def median_shown(self) -> str:
        return NOT_SHOWN if self.median is None else _number(self.median)

    @property
    def p90_shown(self) -> str:
        return NOT_SHOWN if self.p90 is None else str(self.p90)


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    heading: str
    columns: list[str]
    rows: list[tuple[str, list[int | str]]]
    values: list[list[int]]  # the true counts, in the same order (for the charts)


@dataclass
class Indicators:
    scope: Scope
    period: Period
    counts: list[Figure] = field(default_factory=list)
    durations: list[Duration] = field(default_factory=list)
    shares: list[Share] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)

    def count(self, key: str) -> Figure:
        return next(figure for figure in self.counts if figure.key == key)

    def share(self, key: str) -> Share:
        return next(share for share in self.shares if share.key == key)

    def duration(self, key: str) -> Duration:
        return next(duration for duration in self.durations if duration.key == key)

    def table(self, key: str) -> Table:
        return next(table for table in self.tables if table.key == key)


COUNTS = {
    "started": gettext_lazy("SIPs started"),
    "active": gettext_lazy("SIPs active (consent given, not closed before the period)"),
    "established": gettext_lazy("SIPs established"),
    "closed": gettext_lazy("SIPs closed"),
    "failures": gettext_lazy("Collaboration failures reported"),
}
DURATIONS = {
    "to_consent": gettext_lazy("Days from initiative to consent"),
    "to_meeting": gettext_lazy("Days from consent to the first meeting"),
    "to_established": gettext_lazy("Days from the first meeting to the established plan"),
}


class Counts:
    """The scope's monthly counts in the period, read in one query (with those before the
    period that the active plans need)."""

    def __init__(self, scope: Scope, period: Period):
        self.period = period
        self.rows: dict[str, list[tuple[datetime.date, str, int]]] = {}
        self.consented = self.ended_before = 0
        before = Q(measure__in=[measures.CONSENTED, measures.CONSENT_ENDED])
        found = MonthCount.objects.filter(scope=scope.key, month__lte=period.end).filter(
            Q(month__gte=period.start) | before
        )
        for measure, month, value, n in found.values_list("measure", "month", "value", "n"):
            if measure == measures.CONSENTED:
                self.consented += n
            elif measure == measures.CONSENT_ENDED and month < period.start:
                self.ended_before += n
            if month >= period.start:
                self.rows.setdefault(measure, []).append((month, value, n))

    def total(self, measure: str) -> int:
        return sum(n for _month, _value, n in self.rows.get(measure, ()))

    def by_value(self, measure: str) -> dict[str, int]:
        found: dict[str, int] = {}
        for _month, value, n in self.rows.get(measure, ()):
            found[value] = found.get(value, 0) + n
        return found

    def by_month(self, measure: str) -> dict[datetime.date, int]:
        found: dict[datetime.date, int] = {}
        for month, _value, n in self.rows.get(measure, ()):
            found[month] = found.get(month, 0) + n
        return found

    def outcomes(self, measure: str, today: datetime.date) -> tuple[int, int]:
        """(met, measured) of a deadline: those done, and those not done whose day passed."""
        met = of = 0
        for month, value, n in self.rows.get(measure, ()):
            if measures.decided(month, value, today):
                of += n
                met += n if value == measures.MET else 0
        return met, of


def indicators(scope: Scope, period: Period, today: datetime.date) -> Indicators:
    found = Counts(scope, period)
    result = Indicators(scope, period)
    counts = _counts(found)
    failures = scope.deviations().filter(reported_at__date__range=period.range())
    counts["failures"] = failures.count()
    result.counts = [Figure(k, str(COUNTS[k]), counts[k], suppressed(counts[k])) for k in COUNTS]
    result.durations = [_duration(found, key, str(label)) for key, label in DURATIONS.items()]
    result.shares = _shares(found, today)
    result.tables = [build() for build in _tables(found, counts, failures).values()]
    # The individual's evaluation (imported here: that module builds on this one).
    from samplan.statistics.evaluation_figures import evaluation_tables

    result.tables += evaluation_tables(scope, period)
    return result


def one_table(scope: Scope, period: Period, key: str) -> Table | None:
    """One table of `indicators`, computed alone (a chart's image): its own queries and the
    totals it is protected against, not the whole page again."""
    if key.startswith("evaluation_"):
        from samplan.statistics.evaluation_figures import evaluation_tables

        return next((t for t in evaluation_tables(scope, period) if t.key == key), None)
    found = Counts(scope, period)
    failures = scope.deviations().filter(reported_at__date__range=period.range())
    counts = _counts(found)
    counts["failures"] = failures.count() if key == "failures_by_kind" else 0
    build = _tables(found, counts, failures).get(key)
    return build() if build is not None else None


def _tables(found: Counts, counts: dict, failures: QuerySet) -> dict:
    """The tables of the counts, in the page's order, each built when called."""
    started = counts["started"]
    return {
        "by_month": lambda: _by_month(found, counts),
        "closed_by_reason": lambda: _closed_by_reason(found, counts["closed"]),
        "by_age": lambda: _breakdown(found, started, "age", AgeBand.choices, "by_age"),
        "by_sex": lambda: _breakdown(found, started, "sex", Sex.choices, "by_sex"),
        "by_reason": lambda: _by_reason(found),
        "failures_by_kind": lambda: _failures_by_kind(failures, counts["failures"]),
    }


def _counts(found: Counts) -> dict[str, int]:
    return {
        "started": found.total("started"),
        "active": found.consented - found.ended_before,
        "established": found.total("established"),
        "closed": found.total("closed"),
    }


def _duration(found: Counts, key: str, label: str) -> Duration:
    """The median and the nearest-rank 90th percentile of the days, from the counts per
    number of days."""
    days = sorted((int(value), n) for value, n in found.by_value(key).items() if n)
    count = sum(n for _days, n in days)
    if count < SUPPRESS_BELOW:
        return Duration(key, label, count, None, None)

    def at(rank: int) -> int:  # the rank-th value (from 0) in order
        seen = 0
        for value, n in days:
            seen += n
            if rank < seen:
                return value
        raise IndexError(rank)

    median = (at((count - 1) // 2) + at(count // 2)) / 2
    return Duration(key, label, count, median, at(math.ceil(0.9 * count) - 1))


SHARES = {
    "consent_deadline": gettext_lazy("Consent within the local agreement's days"),
    "meeting_deadline": gettext_lazy("First meeting within the local agreement's days"),
    "individual_present": gettext_lazy("Meetings with the individual present"),
    "relatives_present": gettext_lazy("Meetings with relatives present"),
    "lead_named": gettext_lazy("Established plans with a named lead"),
    "follow_up_set": gettext_lazy("Established plans with a follow-up date"),
    "follow_up_on_time": gettext_lazy("Follow-ups held on time"),
    "first_follow_up_on_time": gettext_lazy("First follow-ups held on time"),
    "goals_achieved": gettext_lazy("Goals achieved at closing"),
}


def _shares(found: Counts, today: datetime.date) -> list[Share]:
    """Deadlines: those whose day fell in the period and is decided (done, or the day passed),
    not counting plans refused or closed before the step was due (`measures`); every
    follow-up date in the period the same way; meetings held, plans established and goals
    closed in the period."""
    figures: dict[str, tuple[int, int]] = {
        key: found.outcomes(key, today) for key in (*measures.DEADLINES, measures.FOLLOW_UPS)
    }
    meetings = found.total("meetings")
    figures["individual_present"] = (found.total("individual_present"), meetings)
    figures["relatives_present"] = (found.total("relatives_present"), meetings)
    established = found.total("established")
    figures["lead_named"] = (found.total("lead_named"), established)
    figures["follow_up_set"] = (found.total("follow_up_set"), established)
    figures["goals_achieved"] = (found.total("goals_achieved"), found.total("goals"))
    return [Share(key, str(label), *figures[key]) for key, label in SHARES.items()]


def _protected_rows(labels: list[str], counts: list[int], total: int) -> list[tuple]:
    return list(zip(labels, [[cell] for cell in protect(total, counts)], strict=True))


def _closed_by_reason(found: Counts, total: int) -> Table:
    by_reason = found.by_value("closed")
    codes, labels = zip(*Plan.ClosingReason.choices, strict=True)
    counts = [by_reason.get(code, 0) for code in codes]
    return Table(
        "closed_by_reason",
        _("SIPs closed, by reason"),
        _("Reason for closing"),
        [_("SIPs closed")],
        _protected_rows([str(label) for label in labels], counts, total),
        [[n] for n in counts],
    )


BREAKDOWNS = {
    "by_age": (gettext_lazy("SIPs started, by age at the initiative"), gettext_lazy("Age")),
    "by_sex": (gettext_lazy("SIPs started, by sex"), gettext_lazy("Sex")),
}


def _breakdown(found: Counts, total: int, measure: str, choices, key: str) -> Table:
    by_value = found.by_value(measure)
    counts = [by_value.get(code, 0) for code, _label in choices]
    title, heading = BREAKDOWNS[key]
    return Table(
        key,
        str(title),
        str(heading),
        [_("SIPs started")],
        _protected_rows([str(label) for _code, label in choices], counts, total),
        [[n] for n in counts],
    )


def _by_reason(found: Counts) -> Table:
    """A plan may have several reasons: the rows do not add up to a total, so each small
    count is hidden on its own."""
    by_reason = found.by_value("reason")
    counts = [by_reason.get(code, 0) for code, _label in Plan.Reason.choices]
    return Table(
        "by_reason",
        _("SIPs started, by the initiative's reasons (a SIP may have several)"),
        _("Reason"),
        [_("SIPs started")],
        [
            (str(label), [suppressed(n)])
            for (_c, label), n in zip(Plan.Reason.choices, counts, strict=True)
        ],
        [[n] for n in counts],
    )


MONTH_COLUMNS = ("started", "established", "closed")


def _by_month(found: Counts, totals: dict[str, int]) -> Table:
    """Started, established and closed per month: each column adds up to its period total."""
    months = found.period.months
    columns = []
    for key in MONTH_COLUMNS:
        by_month = found.by_month(key)
        columns.append([by_month.get(month, 0) for month in months])
    shown = [
        protect(totals[key], column) for key, column in zip(MONTH_COLUMNS, columns, strict=True)
    ]
    return Table(
        "by_month",
        _("SIPs started, established and closed, by month"),
        _("Month"),
        [str(COUNTS[key]) for key in MONTH_COLUMNS],
        [
            (month.strftime("%Y-%m"), [column[i] for column in shown])
            for i, month in enumerate(months)
        ],
        [[column[i] for column in columns] for i in range(len(months))],
    )


def _failures_by_kind(failures: QuerySet, total: int) -> Table:
    found = dict(failures.values_list("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    counts = [found.get(code, 0) for code, _label in Deviation.Kind.choices]
    return Table(
        "failures_by_kind",
        _("Collaboration failures, by kind"),
        _("Kind"),
        [_("Reports")],
        _protected_rows([str(label) for _c, label in Deviation.Kind.choices], counts, total),
        [[n] for n in counts],
    )


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value).replace(".", ",")


# --- In words, and as rows of a spreadsheet ---------------------------------------------------


def summary(result: Indicators) -> list[str]:
    """The key figures in a few sentences."""
    started = result.count("started")
    if started.value == 0 and result.count("active").value == 0:
        return [_("No SIPs of %(scope)s in the period.") % {"scope": result.scope.name}]
    sentences = [
        _("%(started)s SIPs were started, %(established)s established and %(closed)s closed.")
        % {
            "started": started.shown,
            "established": result.count("established").shown,
            "closed": result.count("closed").shown,
        }
    ]
    meeting = result.duration("to_meeting")
    if meeting.median is not None:
        sentences.append(
            _("From consent to the first meeting took a median of %(days)s days.")
            % {"days": meeting.median_shown}
        )
    deadline = result.share("meeting_deadline")
    if deadline.shown != NOT_SHOWN:
        sentences.append(
            _("%(share)s of first meetings were held within the local agreement's days.")
            % {"share": deadline.shown}
        )
    return sentences


def chart_summary(table: Table) -> str:
    """One sentence on a chart: the largest count shown in its first column, or that the
    counts are none or too small to show."""
    if not any(values[0] for values in table.values):
        return _("%(title)s: none in the period.") % {"title": table.title}
    shown = [(cells[0], label) for label, cells in table.rows if isinstance(cells[0], int)]
    shown = [(n, label) for n, label in shown if n >= SUPPRESS_BELOW]
    if not shown:
        return _("%(title)s: the counts are too small to show.") % {"title": table.title}
    n, label = max(shown)
    return _("%(title)s: the largest count of %(column)s is %(label)s (%(n)s).") % {
        "title": table.title,
        "column": table.columns[0],
        "label": label,
        "n": n,
    }


def export_rows(result: Indicators) -> list[list]:
    """The page's figures as rows: the same suppressed values."""
    rows: list[list] = [
        [_("SIP statistics")],
        [_("Unit, organisation or joint area"), result.scope.name],
        [_("Period"), result.period.start.isoformat(), result.period.end.isoformat()],
        [_("Counts from 1 to 4 are shown as <5; shares and durations from too few as –.")],
        [],
        [_("Figure"), _("Value")],
    ]
    rows += [[figure.label, figure.shown] for figure in result.counts]
    rows += [[], [_("Duration"), _("Measured"), _("Median days"), _("90th percentile, days")]]
    rows += [[d.label, d.count_shown, d.median_shown, d.p90_shown] for d in result.durations]
    rows += [[], [_("Share"), _("Share"), _("Counted")]]
    rows += [[s.label, s.shown, s.base] for s in result.shares]
    for table in result.tables:
        rows += [[], [table.title], [table.heading, *table.columns]]
        rows += [[label, *cells] for label, cells in table.rows]
    return rows
