"""Sane ranges for every kind of date Samplan records, in one place.

A date outside its range is a typing mistake (a consent in 1800, a meeting in 9999), never a
real plan: forms and services refuse it with a Swedish message at the field, through
`date_problem`. Rules that need the plan (not before the SIP started, a meeting recorded as
held only after it started) sit in the services and call this first.
"""

import datetime
from dataclasses import dataclass
from functools import cache

import holidays
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

EARLIEST_BIRTH = datetime.date(1890, 1, 1)


@dataclass(frozen=True)
class DateRange:
    """How far back and ahead of today a kind of date may lie (in days; None: no limit)."""

    what: str
    back: int | None
    ahead: int | None


YEAR = 365
RANGES = {
    "birth": DateRange(gettext_lazy("A date of birth"), None, 0),
    "consent": DateRange(gettext_lazy("The date of the consent"), 3 * YEAR, 0),
    "meeting": DateRange(gettext_lazy("The meeting"), 0, 2 * YEAR),
    "intervention": DateRange(gettext_lazy("The start of the intervention"), 10 * YEAR, 5 * YEAR),
    "follow_up": DateRange(gettext_lazy("The next follow-up"), -1, 3 * YEAR),
    "valid_until": DateRange(gettext_lazy("The end date"), 0, 25 * YEAR),
    "copy": DateRange(gettext_lazy("The date the copy was given"), 5 * YEAR, 0),
    "sip_made": DateRange(gettext_lazy("The date the SIP was made"), 10 * YEAR, 0),
    "admitted": DateRange(gettext_lazy("The date of admission"), YEAR, 0),
    "planned_discharge": DateRange(gettext_lazy("The planned discharge"), 0, YEAR),
    "discharge": DateRange(gettext_lazy("The date of discharge"), 90, 0),
    "failure": DateRange(gettext_lazy("The date it happened"), 2 * YEAR, 0),
    "action": DateRange(gettext_lazy("The day the action is to be done"), 0, YEAR),
    "statistics_month": DateRange(gettext_lazy("The month"), 10 * YEAR, 0),
    "evaluation_period": DateRange(gettext_lazy("The period"), 10 * YEAR, 0),
}


def date_range(
    kind: str, today: datetime.date | None = None
) -> tuple[datetime.date, datetime.date]:
    """The first and last allowed day of a kind of date, counted from today."""
    today = today or timezone.localdate()
    rule = RANGES[kind]
    first = today - datetime.timedelta(days=rule.back) if rule.back is not None else EARLIEST_BIRTH
    last = today + datetime.timedelta(days=rule.ahead) if rule.ahead is not None else today
    return first, last


def date_problem(kind: str, value, today: datetime.date | None = None) -> str | None:
    """What is wrong with the date, in words for the person who typed it, or None."""
    if value is None:
        return None
    given = value.date() if isinstance(value, datetime.datetime) else value
    first, last = date_range(kind, today)
    what = RANGES[kind].what
    if given < first:
        return _("%(what)s cannot be before %(first)s.") % {"what": what, "first": day(first)}
    if given > last:
        return _("%(what)s cannot be after %(last)s.") % {"what": what, "last": day(last)}
    return None


# --- Working days ------------------------------------------------------------------------------
#
# Swedish public holidays come from the `holidays` package (well kept), with the eves that are
# days off in practice (Midsommarafton, Julafton, Nyårsafton: its "de_facto" category).


@cache
def _swedish_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("SE", years=year, categories=("public", "de_facto"))


def working_day(value: datetime.date) -> bool:
    """Monday to Friday and not a Swedish public holiday or holiday eve."""
    return value.weekday() < 5 and value not in _swedish_holidays(value.year)


def days_after(start: datetime.date, count: int, *, working: bool) -> datetime.date:
    """The day `count` days after `start`: calendar days, or working days when `working`."""
    if not working:
        return start + datetime.timedelta(days=count)
    day = start
    while count:
        day += datetime.timedelta(days=1)
        if working_day(day):
            count -= 1
    return day


# --- Dates in words ---------------------------------------------------------------------------
#
# One way to write a date everywhere (pages, PDFs, e-mails), following Swedish conventions:
# "3 december 2026", "3 dec. 2026", "3 december 2026 kl. 13.00" (the Swedish Language
# Council's abbreviations and the period between hours and minutes). English gets "3 December
# 2026", "3 Dec 2026", "3 December 2026, 13:00". ISO dates only in exports and files.

SV_SHORT_MONTHS = (
    "jan.", "febr.", "mars", "apr.", "maj", "juni", "juli", "aug.", "sept.", "okt.", "nov.", "dec.",
)  # fmt: skip


def _swedish() -> bool:
    return (translation.get_language() or "sv").startswith("sv")


def _local(value) -> datetime.datetime | datetime.date:
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def day(value) -> str:
    """3 december 2026."""
    if value in (None, ""):
        return ""
    return formats.date_format(_local(value), "j F Y")


def short_day(value) -> str:
    """3 dec. 2026 (lists and tables)."""
    if value in (None, ""):
        return ""
    value = _local(value)
    if _swedish():
        return f"{value.day} {SV_SHORT_MONTHS[value.month - 1]} {value.year}"
    return formats.date_format(value, "j M Y")


def clock(value: datetime.datetime) -> str:
    """13.00 in Swedish, 13:00 in English."""
    value = _local(value)
    return value.strftime("%H.%M" if _swedish() else "%H:%M")


def _with_time(date_part: str, value) -> str:
    if _swedish():
        return f"{date_part} kl. {clock(value)}"
    return f"{date_part}, {clock(value)}"


def day_time(value) -> str:
    """3 december 2026 kl. 13.00."""
    return _with_time(day(value), value) if value else ""


def short_day_time(value) -> str:
    """3 dec. 2026 kl. 13.00."""
    return _with_time(short_day(value), value) if value else ""


def weekday_time(value) -> str:
    """torsdag 3 december 2026 kl. 13.00 (a meeting's time in an invitation)."""
    if not value:
        return ""
    weekday = formats.date_format(_local(value), "l")
    return _with_time(f"{weekday} {day(value)}", value)
