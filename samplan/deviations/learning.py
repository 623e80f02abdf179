"""Learning from collaboration failures: figures per organisation or joint area, never
individuals.

An organisation's reports are those concerning any of its units; a joint area's are those
concerning both organisations. The figures for a period (by the day reported): how many of each
kind, between which units, per month, how long the concluded ones took and how many went up the
escalation ladder. Every count from 1 to 4 is shown, and exported, as "<5"
(`rules.suppressed`), and a median only when at least five reports were concluded, so that no
figure points at one case. Everything is counted by the database (values/annotate), whatever
the number of reports.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.functions import TruncDate, TruncMonth
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from samplan.accounts.models import Organization, Unit
from samplan.deviations.models import Deviation, DeviationEvent
from samplan.plans.rules import SUPPRESS_BELOW, suppressed

Concerned = Deviation.units.through

# The longest period the page counts (its month table has a row per month).
LONGEST_PERIOD_YEARS = 10


# --- What is counted --------------------------------------------------------------------------


@dataclass(frozen=True)
class Area:
    """One organisation, or the joint area of two (the reports concerning both)."""

    organization: Organization
    other: Organization | None = None

    @property
    def name(self) -> str:
        if self.other is None:
            return self.organization.name
        return _("%(first)s and %(second)s") % {
            "first": self.organization.name,
            "second": self.other.name,
        }

    @property
    def slug(self) -> str:
        names = [self.organization.name] + ([self.other.name] if self.other else [])
        return "-".join(slugify(name) for name in names)


def default_period(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The last 12 months: from the first day of the month eleven months back to today, so
    the month table has twelve rows."""
    month = today.year * 12 + today.month - 1 - 11
    return datetime.date(month // 12, month % 12 + 1, 1), today


def _concerning(organization: Organization) -> QuerySet:
    return Concerned.objects.filter(unit__organization=organization).values("deviation_id")


def sharing_organizations(organization: Organization) -> QuerySet:
    """The other organisations whose units are concerned in a report with this one's: the
    joint areas it can look at."""
    shared = Concerned.objects.filter(deviation_id__in=_concerning(organization)).values("unit_id")
    return (
        Organization.objects.filter(units__in=shared)
        .exclude(pk=organization.pk)
        .distinct()
        .order_by("name")
    )


def reports_in(area: Area, start: datetime.date, end: datetime.date) -> QuerySet:
    """The area's reports made from `start` to `end` (both days included, local time)."""
    reports = Deviation.objects.filter(pk__in=_concerning(area.organization))
    if area.other is not None:
        reports = reports.filter(pk__in=_concerning(area.other))
    return reports.filter(reported_at__date__gte=start, reported_at__date__lte=end).order_by()


# --- The figures ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    label: str
    count: int | str  # suppressed: "<5" for 1-4


@dataclass
class Figures:
    area: Area
    start: datetime.date
    end: datetime.date
    total: int | str
    concluded: int | str
    # Median days from report to conclusion; None when fewer than five were concluded.
    median_days: int | float | None
    escalated: int | str
    by_kind: list[Row] = field(default_factory=list)
    by_pair: list[Row] = field(default_factory=list)
    by_month: list[Row] = field(default_factory=list)

    @property
    def median_shown(self) -> str:
        if self.median_days is None:
            return _("<%(n)s concluded") % {"n": SUPPRESS_BELOW}
        return _number(self.median_days)


def figures(area: Area, start: datetime.date, end: datetime.date) -> Figures:
    reports = reports_in(area, start, end)
    concluded = reports.filter(state=Deviation.State.CONCLUDED, concluded_at__isnull=False)
    concluded_count = concluded.count()
    return Figures(
        area=area,
        start=start,
        end=end,
        total=suppressed(reports.count()),
        concluded=suppressed(concluded_count),
        median_days=median_days(concluded, concluded_count),
        escalated=suppressed(escalated(reports).count()),
        by_kind=by_kind(reports),
        by_pair=by_pair(reports, area.organization),
        by_month=by_month(reports, start, end),
    )


def by_kind(reports: QuerySet) -> list[Row]:
    """Every kind, in the order of the form, with its count (0 stays 0)."""
    counts = dict(reports.values_list("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    return [Row(label, suppressed(counts.get(kind, 0))) for kind, label in Deviation.Kind.choices]


def by_pair(reports: QuerySet, organization: Organization) -> list[Row]:
    """Each unordered pair of units concerned in the same report, with the number of reports:
    "Unit A (Organisation) – Unit B (Organisation)", the organisation's own unit first. The
    biggest first; the suppressed ones by name, so that their order tells nothing."""
    pairs = (
        Concerned.objects.filter(
            deviation_id__in=reports.values("pk"),
            deviation__units__pk__gt=F("unit_id"),
        )
        .values_list("unit_id", "deviation__units__pk")
        .annotate(n=Count("deviation_id", distinct=True))
        .order_by()
    )
    counts = {(first, second): n for first, second, n in pairs}
    ids = {pk for pair in counts for pk in pair}
    units = Unit.objects.select_related("organization").in_bulk(ids)

    def order(unit: Unit) -> tuple:
        return (unit.organization_id != organization.pk, unit.organization.name, unit.name)

    rows = []
    for pair, n in counts.items():
        first, second = sorted((units[pk] for pk in pair), key=order)
        rows.append((n, f"{_unit_label(first)} – {_unit_label(second)}"))
    rows.sort(key=lambda row: (-row[0] if row[0] >= SUPPRESS_BELOW else 0, row[1]))
    return [Row(label, suppressed(n)) for n, label in rows]


def _unit_label(unit: Unit) -> str:
    return f"{unit.name} ({unit.organization.name})"


def by_month(reports: QuerySet, start: datetime.date, end: datetime.date) -> list[Row]:
    """Every month of the period (YYYY-MM, by the day reported), months without reports too."""
    counts = {
        month.strftime("%Y-%m"): n
        for month, n in reports.annotate(month=TruncMonth("reported_at"))
        .values_list("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    }
    rows = []
    month = start.year * 12 + start.month - 1
    while month <= end.year * 12 + end.month - 1:
        label = f"{month // 12:04d}-{month % 12 + 1:02d}"
        rows.append(Row(label, suppressed(counts.get(label, 0))))
        month += 1
    return rows


def escalated(reports: QuerySet) -> QuerySet:
    """Reports that went up the ladder: above step 1 now, or escalated at some point."""
    moved = DeviationEvent.objects.filter(
        deviation_id=OuterRef("pk"), kind=DeviationEvent.Kind.ESCALATED
    )
    return reports.filter(Q(level__gte=2) | Q(Exists(moved)))


def median_days(concluded: QuerySet, count: int) -> int | float | None:
    """The median number of days (local dates) from report to conclusion of the `count`
    concluded reports, picked by the database from the ordered durations; None for fewer than
    five."""
    if count < SUPPRESS_BELOW:
        return None
    took = concluded.annotate(
        took=ExpressionWrapper(
            TruncDate("concluded_at") - TruncDate("reported_at"), output_field=DurationField()
        )
    ).order_by("took")
    middle = list(took.values_list("took", flat=True)[(count - 1) // 2 : count // 2 + 1])
    days = sum(d.days for d in middle) / len(middle)
    return int(days) if days == int(days) else days


def _number(value: int | float) -> str:
    return str(value).replace(".", ",")


# --- The summary and the exports --------------------------------------------------------------


def summary(figures: Figures) -> list[str]:
    """The figures in a few sentences, for the page; a suppressed count reads "fewer than 5"."""
    if figures.total == 0:
        return [
            _("No collaboration failures concerning %(area)s were reported in the period.")
            % {"area": figures.area.name}
        ]
    if isinstance(figures.total, int):
        sentences = [
            ngettext(
                "%(n)s collaboration failure was reported.",
                "%(n)s collaboration failures were reported.",
                figures.total,
            )
            % {"n": figures.total}
        ]
    else:
        sentences = [_("Fewer than 5 collaboration failures were reported.")]
    counted = [row for row in figures.by_kind if isinstance(row.count, int) and row.count]
    if counted:
        top = max(counted, key=lambda row: row.count)
        sentences.append(
            _("The most common kind: %(kind)s (%(n)s).") % {"kind": top.label, "n": top.count}
        )
    if figures.median_days is not None:
        sentences.append(
            _("%(n)s were concluded, in a median of %(days)s days.")
            % {"n": figures.concluded, "days": figures.median_shown}
        )
    elif figures.concluded == 0:
        sentences.append(_("None was concluded yet."))
    else:
        sentences.append(_("Fewer than 5 were concluded: too few to tell how long they took."))
    if figures.escalated == 0:
        sentences.append(_("None went up the escalation ladder."))
    elif isinstance(figures.escalated, int):
        sentences.append(_("%(n)s went up the escalation ladder.") % {"n": figures.escalated})
    else:
        sentences.append(_("Fewer than 5 went up the escalation ladder."))
    return sentences


def export_rows(figures: Figures) -> list[list]:
    """The figures as rows of a spreadsheet: a header naming the area and the period, the key
    figures, then each table. The same suppressed figures as the page."""
    rows: list[list] = [
        [_("Collaboration failures: figures for learning")],
        [_("Organisation or joint area"), figures.area.name],
        [_("Period"), figures.start.isoformat(), figures.end.isoformat()],
        [_("Counts from 1 to 4 are shown as <5.")],
        [],
        [_("Reports"), figures.total],
        [_("Reports concluded"), figures.concluded],
        [
            _("Median days to conclusion"),
            figures.median_days if figures.median_days is not None else figures.median_shown,
        ],
        [_("Reports escalated"), figures.escalated],
    ]
    for heading, table in [
        (_("Kind"), figures.by_kind),
        (_("Units concerned together"), figures.by_pair),
        (_("Month reported"), figures.by_month),
    ]:
        rows += [[], [heading, _("Reports")]]
        rows += [[row.label, row.count] for row in table]
    return rows


def export_filename(figures: Figures, extension: str) -> str:
    return (
        f"brister-{figures.area.slug}-{figures.start.isoformat()}-{figures.end.isoformat()}"
        f".{extension}"
    )
