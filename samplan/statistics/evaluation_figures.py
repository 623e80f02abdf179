"""The individual's evaluation in the statistics: per question the answers and the share of
positive answers, and per month the answers and the share positive to the overall question,
for a scope (unit, organisation, joint area) and a period.

- The answers are those of the individual (for a child, the guardians, who answer in the
  individual's place) on the occasions in the period that the scope took part in: a unit's
  are those whose units include it, an organisation's those with any of its units, a joint
  area's those with units of both organisations (`answers_for` of samplan.evaluation.results,
  which the evaluation's own page uses too).
- Versions of a questionnaire share their question ids: a question is counted over all the
  versions answered, under the text of the newest. Free text is never counted here.
- Positive: an answer on one of the top two steps of the question's own scale
  (`positive_codes`: "Mostly agree" and "Agree completely"); "Don't know" is an answer that
  is not positive, so the count and the share have the same base.
- Nothing points at an individual: a count from 1 to 4 is shown as "<5"; the months' counts,
  which add up to the period's answers, are protected like the other breakdowns (`protect`),
  and a month's share is hidden with its count; a share only when at least five answered and neither the positive nor the other answers
  are from 1 to 4 (`share_shown`).
"""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from samplan.accounts.models import Unit
from samplan.evaluation.models import Category, Question
from samplan.evaluation.results import answers_for, positive_codes, scale_language
from samplan.plans.rules import suppressed
from samplan.statistics.indicators import (
    HIDDEN,
    NOT_SHOWN,
    Period,
    Scope,
    Table,
    protect,
    share_shown,
)

# The individual's voice: the individual, or for a child the guardians.
RESPONDENTS = (Category.INDIVIDUAL, Category.GUARDIAN)
# The question asked of the SIP as a whole, in Samplan's own questionnaire; another
# questionnaire's overall question is taken to be its last question on a scale.
OVERALL = "sip_helps"


@dataclass(frozen=True)
class EvaluationTable(Table):
    """A table of the evaluation, with its own sentence (the page's and the chart's text)."""

    sentence: str = ""


def scope_answers(scope: Scope, period: Period) -> QuerySet:
    """The individual's answers of the scope's occasions in the period."""
    start, end = period.range()
    if scope.unit is not None:
        answers = answers_for([scope.unit], start, end)
    else:
        units = Unit.objects.filter(organization=scope.organization).values("pk")
        also = None
        if scope.other is not None:
            also = Unit.objects.filter(organization=scope.other).values("pk")
        answers = answers_for(units, start, end, also=also)
    return answers.filter(category__in=RESPONDENTS)


@dataclass
class _Tally:
    question: Question  # the newest version's
    answered: int = 0
    positive: int = 0


def evaluation_tables(scope: Scope, period: Period) -> list[Table]:
    """The two tables: by question, and by month. One query, and one more for the questions
    when anything was answered."""
    rows = list(scope_answers(scope, period).values_list("version_id", "month", "answers"))
    questions: dict[int, list[Question]] = {}
    if rows:
        found = Question.objects.filter(
            version_id__in={version for version, _m, _a in rows}, kind=Question.Kind.CHOICE
        ).select_related("version")
        for question in sorted(found, key=lambda q: (q.position, q.pk)):
            questions.setdefault(question.version_id, []).append(question)
    positive = {q.pk: positive_codes(q) for qs in questions.values() for q in qs}

    tallies: dict[tuple[int, str], _Tally] = {}
    months = {month: [0, 0, 0] for month in period.months}  # answers, overall: answered, positive
    newest_first = sorted(
        questions.values(), key=lambda qs: (qs[0].version.created_at, qs[0].version_id)
    )[::-1]
    for version_questions in newest_first:
        for question in version_questions:
            key = (question.version.instrument_id, question.link_id)
            tallies.setdefault(key, _Tally(question))
    for version_id, month, answers in rows:
        version_questions = questions.get(version_id, [])
        overall = _overall(version_questions)
        counted = months.setdefault(month.replace(day=1), [0, 0, 0])
        counted[0] += 1
        for question in version_questions:
            if question.link_id not in answers:
                continue
            is_positive = str(answers[question.link_id]) in positive[question.pk]
            tally = tallies[(question.version.instrument_id, question.link_id)]
            tally.answered += 1
            tally.positive += is_positive
            if question is overall:
                counted[1] += 1
                counted[2] += is_positive
    by_question = sorted(
        tallies.values(),
        key=lambda t: (-t.question.version.created_at.timestamp(), t.question.position),
    )
    return [_by_question(by_question), _by_month(period, months, len(rows))]


def _overall(version_questions: list[Question]) -> Question | None:
    named = [q for q in version_questions if q.link_id == OVERALL]
    return (named or version_questions[-1:] or [None])[0]


def _by_question(tallies: list[_Tally]) -> EvaluationTable:
    language = scale_language()
    title = _("The individual's evaluation, by question")
    labels = [t.question.text(language) for t in tallies]
    shares = [share_shown(t.positive, t.answered) for t in tallies]
    shown = [(s, label) for s, label in zip(shares, labels, strict=True) if s != NOT_SHOWN]
    if not any(t.answered for t in tallies):
        sentence = _("%(title)s: no answers in the period.") % {"title": title}
    elif not shown:
        sentence = _("%(title)s: too few answers to show the shares.") % {"title": title}
    else:
        high = max(shown, key=lambda s: int(s[0].split()[0]))
        low = min(shown, key=lambda s: int(s[0].split()[0]))
        sentence = _(
            "%(title)s: the largest share of positive answers is %(share)s (%(question)s)."
        ) % {"title": title, "share": high[0], "question": high[1]}
        if low != high:
            sentence += " " + _("The smallest is %(share)s (%(question)s).") % {
                "share": low[0],
                "question": low[1],
            }
    return EvaluationTable(
        "evaluation_questions",
        title,
        _("Question"),
        [_("Answers"), _("Positive answers")],
        [
            (label, [suppressed(t.answered), share])
            for label, t, share in zip(labels, tallies, shares, strict=True)
        ],
        [[t.answered, t.positive] for t in tallies],
        sentence=sentence,
    )


def _by_month(period: Period, months: dict[datetime.date, list[int]], total: int) -> Table:
    order = period.months
    counts = [months[month][0] for month in order]
    shown_counts = protect(total, counts)
    # A month whose count is hidden (with a small one, by `protect`) hides its share too, as
    # a share shown narrows down the count it was taken of.
    shares = [
        share_shown(months[m][2], months[m][1]) if shown_counts[i] != HIDDEN else NOT_SHOWN
        for i, m in enumerate(order)
    ]
    labels = [month.strftime("%Y-%m") for month in order]
    title = _("The individual's evaluation, by month")
    drawn = [(label, s) for label, s in zip(labels, shares, strict=True) if s != NOT_SHOWN]
    if not total:
        sentence = _("%(title)s: no answers in the period.") % {"title": title}
    elif not drawn:
        sentence = _("%(title)s: too few answers in a month to show the share.") % {"title": title}
    else:
        first, last = drawn[0], drawn[-1]
        sentence = _(
            "%(title)s: the share positive to the overall question was %(first)s in "
            "%(first_month)s and %(last)s in %(last_month)s."
        ) % {
            "title": title,
            "first": first[1],
            "first_month": first[0],
            "last": last[1],
            "last_month": last[0],
        }
    return EvaluationTable(
        "evaluation_by_month",
        title,
        _("Month"),
        [_("Answers"), _("Positive answers, overall question")],
        [
            (label, [count, share])
            for label, count, share in zip(labels, shown_counts, shares, strict=True)
        ],
        [[months[m][0], months[m][2]] for m in order],
        sentence=sentence,
    )
