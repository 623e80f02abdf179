"""The figures of the evaluation for unit managers: per question the number of answers, the
distribution over the scale and the mean, in all and per respondent category.

Each questionnaire (the individual's side's, the staff's) is a section of its own, shown only
when at least 5 answered it.

Small numbers are never shown: fewer than 5 answers to a question shows "<5" and no
distribution, and a count of 1 to 4 within a distribution shows "<5" (with a second count
hidden where one alone could be worked out from the total). Per category each cell is suppressed on its own, and when exactly one category
cell would be hidden while the total is shown, the next smallest shown cell is hidden too, so
the hidden one cannot be worked out by subtraction. Free text is never shown here.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import translation

from samplan.evaluation.models import (
    Audience,
    Category,
    EvaluationAnswer,
    Instrument,
    InstrumentVersion,
    Question,
)

SUPPRESS_BELOW = 5


@dataclass
class Cell:
    count: int
    shown: bool
    mean: float | None = None
    # (label, count) per option of the scale, in order; empty when not shown.
    distribution: list[tuple[str, int]] = field(default_factory=list)

    @property
    def display(self) -> str | int:
        return self.count if self.shown else "<5"


@dataclass
class QuestionResult:
    question: Question
    total: Cell
    # (code, label, cell) per respondent category
    by_category: list[tuple[str, str, Cell]]


@dataclass
class VersionResult:
    version: InstrumentVersion
    answers: int
    questions: list[QuestionResult]


@dataclass
class InstrumentResult:
    """One questionnaire's answers (the individual's side's, or the staff's): a section of its
    own, shown only when at least five answered it."""

    instrument: Instrument
    answers: int
    versions: list[VersionResult]

    @property
    def shown(self) -> bool:
        return self.answers >= SUPPRESS_BELOW


@dataclass
class Results:
    answers: int
    versions: list[VersionResult]  # the versions of the questionnaires shown, newest first
    instruments: list[InstrumentResult] = field(default_factory=list)

    @property
    def shown(self) -> bool:
        return self.answers >= SUPPRESS_BELOW


def scale_language() -> str:
    """The language of questions and scale labels in figures: "en" or "sv"."""
    return "en" if translation.get_language() == "en" else "sv"


def option_values(question: Question) -> dict[str, int | float | None]:
    """{option code: its value on the scale}; None for an option outside it ("Don't know")."""
    return {str(o["code"]): o.get("value") for o in question.options}


def positive_codes(question: Question) -> set[str]:
    """The codes of the positive answers to a question: the top two steps of its scale (for
    Samplan's own "Mostly agree" and "Agree completely"), or the top step alone on a scale of
    fewer than four steps. "Don't know" is never positive."""
    values = option_values(question)
    steps = sorted({v for v in values.values() if v is not None}, reverse=True)
    top = set(steps[: 2 if len(steps) >= 4 else 1])
    return {code for code, value in values.items() if value is not None and value in top}


def _cell(question: Question, given: list[str], *, with_distribution: bool) -> Cell:
    count = len(given)
    if not (count >= SUPPRESS_BELOW):
        return Cell(count=count, shown=count == 0)
    values = option_values(question)
    scored = [values[g] for g in given if values.get(g) is not None]
    mean = round(sum(scored) / len(scored), 1) if scored else None
    distribution = []
    if with_distribution:
        counts = [sum(1 for g in given if g == str(o["code"])) for o in question.options]
        labels = [question.option_label(o, scale_language()) for o in question.options]
        distribution = list(zip(labels, suppressed(counts), strict=True))
    return Cell(count=count, shown=True, mean=mean, distribution=distribution)


def suppressed(counts: list[int]) -> list[int | str]:
    """The counts of a distribution as shown: 1 to 4 as "<5"; when exactly one would be hidden,
    the smallest other non-zero count is hidden too, so the total minus the shown counts never
    gives a hidden one."""
    small = [i for i, n in enumerate(counts) if 0 < n < SUPPRESS_BELOW]
    if len(small) == 1:
        others = [i for i, n in enumerate(counts) if n >= SUPPRESS_BELOW]
        if others:
            small.append(min(others, key=lambda i: counts[i]))
    return ["<5" if i in small else n for i, n in enumerate(counts)]


def _categories(question: Question, by_category: dict[str, list[str]], choices=None) -> list:
    cells = [
        (code, label, _cell(question, by_category.get(code, []), with_distribution=False))
        for code, label in (choices or Category.choices)
    ]
    hidden = [c for _code, _l, c in cells if not c.shown]
    if len(hidden) == 1:
        # Hide the smallest shown non-empty cell too, so subtraction reveals nothing.
        others = [c for _code, _l, c in cells if c.shown and c.count > 0]
        if others:
            smallest = min(others, key=lambda c: c.count)
            smallest.shown, smallest.mean = False, None
    return cells


def _question(question: Question, rows: list[tuple[str, dict]], choices=None) -> QuestionResult:
    given = [(category, str(a[question.link_id])) for category, a in rows if question.link_id in a]
    by_category: dict[str, list[str]] = {}
    for category, value in given:
        by_category.setdefault(category, []).append(value)
    total = _cell(question, [v for _c, v in given], with_distribution=True)
    categories = _categories(question, by_category, choices)
    return QuestionResult(question=question, total=total, by_category=categories)


def answers_for(units, start: datetime.date, end: datetime.date, *, also=None):
    """The answers of occasions in the months from `start` to `end` that any of `units` took
    part in (and, given `also`, any of those units as well: a joint area's). Units are a list
    or a queryset (kept a subquery)."""
    # Each answer once, however many of the units took part (a subquery, not DISTINCT, which
    # would fold identical answers together).
    links = EvaluationAnswer.units.through.objects

    def involving(group):
        group = group if isinstance(group, QuerySet) else list(group)
        return links.filter(unit__in=group).values("evaluationanswer_id")

    answers = EvaluationAnswer.objects.filter(
        pk__in=involving(units), month__gte=start.replace(day=1), month__lte=end
    )
    if also is not None:
        answers = answers.filter(pk__in=involving(also))
    return answers.order_by()


def evaluation_results(units, start: datetime.date, end: datetime.date) -> Results:
    """The figures per questionnaire (the individual's side's first, then the staff's), each
    with its own rule of five answers; within a questionnaire per version, newest first."""
    rows = list(answers_for(units, start, end).values_list("version_id", "category", "answers"))
    per_version: dict[int, list[tuple[str, dict]]] = {}
    for version_id, category, answers in rows:
        per_version.setdefault(version_id, []).append((category, answers))
    if not rows:
        return Results(answers=0, versions=[])
    versions = (
        InstrumentVersion.objects.filter(pk__in=per_version)
        .select_related("instrument")
        .prefetch_related("questions")
    )
    per_instrument: dict[int, list[InstrumentVersion]] = {}
    for version in sorted(versions, key=lambda v: v.created_at, reverse=True):
        per_instrument.setdefault(version.instrument_id, []).append(version)
    order = [a for a, _label in Audience.choices]
    instruments = []
    for instrument_versions in sorted(
        per_instrument.values(),
        key=lambda vs: (order.index(vs[0].instrument.audience), vs[0].instrument.name),
    ):
        instrument = instrument_versions[0].instrument
        answers = sum(len(per_version[v.pk]) for v in instrument_versions)
        section = InstrumentResult(instrument=instrument, answers=answers, versions=[])
        instruments.append(section)
        if not section.shown:
            continue
        # The staff's questionnaire is answered by staff only: one category, no breakdown. The
        # individual's side has no staff column, unless staff answered it before they had
        # their own questionnaire.
        choices = [(Category.STAFF, Category.STAFF.label)]
        if instrument.audience != Audience.STAFF:
            staff_too = any(
                category == Category.STAFF
                for v in instrument_versions
                for category, _answers in per_version[v.pk]
            )
            choices = [c for c in Category.choices if staff_too or c[0] != Category.STAFF]
        for version in instrument_versions:
            version_rows = per_version[version.pk]
            questions = [
                _question(q, version_rows, choices)
                for q in sorted(version.questions.all(), key=lambda q: (q.position, q.pk))
                if q.kind == Question.Kind.CHOICE
            ]
            section.versions.append(
                VersionResult(version=version, answers=len(version_rows), questions=questions)
            )
    shown = sorted(
        (v for section in instruments for v in section.versions),
        key=lambda v: v.version.created_at,
        reverse=True,
    )
    return Results(answers=len(rows), versions=shown, instruments=instruments)
