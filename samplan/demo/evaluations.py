"""Answers to the evaluation for the generated history (samplan.demo.history), so that the
evaluation's results and the statistics' evaluation tables show real figures and trends.

After each establishment and each follow-up of a generated SIP some of those asked answer:
the individual about half the time, a relative now and then, and one of the staff of the
units taking part. The answers lean positive and get a little better over the two years, as
the units learn the work. Deterministic (its own random stream) and written in bulk; like the
real answers they carry no link to the plan, the person or the user.
"""

import random

from django.utils import timezone

from samplan.demo.history import SEED, history_plans
from samplan.evaluation.models import (
    Audience,
    Category,
    EvaluationAnswer,
    InstrumentVersion,
    Occasion,
)
from samplan.people.models import Person
from samplan.plans.models import FollowUp, Participant, PlanVersion

# The scale's codes from the bottom up ("Don't know" apart), and how likely each is at the
# start of the history and at its end.
LEANING_START = [0.06, 0.12, 0.22, 0.35, 0.25]
LEANING_END = [0.03, 0.07, 0.15, 0.38, 0.37]
DONT_KNOW = 0.04
ANSWERS = {Category.INDIVIDUAL: 0.5, Category.RELATIVE: 0.15, Category.STAFF: 0.6}


def load_demo_evaluations(seed: int = SEED + 7) -> int:
    """Write the answers (once: 0 when there are answers already). Returns how many."""
    if EvaluationAnswer.objects.exists():
        return 0
    versions = {
        audience: InstrumentVersion.objects.filter(in_use=True, instrument__audience=audience)
        .prefetch_related("questions")
        .first()
        for audience in (Audience.CITIZENS, Audience.STAFF)
    }
    if None in versions.values():
        return 0
    rng = random.Random(seed)  # noqa: S311 (a demo, not a secret)
    plans = history_plans()
    occasions = _occasions(plans)
    if not occasions:
        return 0
    first = min(day for _plan, day, _occasion in occasions)
    span = max((timezone.localdate() - first).days, 1)
    units_of: dict = {}
    for plan_id, unit_id in Participant.objects.filter(plan__in=plans, is_active=True).values_list(
        "plan_id", "unit_id"
    ):
        units_of.setdefault(plan_id, []).append(unit_id)

    born = dict(plans.values_list("pk", "person__birth_date"))
    answers, links = [], []
    for plan_id, day, occasion in occasions:
        progress = min((day - first).days / span, 1.0)
        for category, likely in ANSWERS.items():
            if rng.random() >= likely:
                continue
            if category == Category.INDIVIDUAL and _child(born.get(plan_id), day):
                category = Category.GUARDIAN  # for a child, a guardian is asked
            audience = Audience.STAFF if category == Category.STAFF else Audience.CITIZENS
            version = versions[audience]
            answer = EvaluationAnswer(
                version=version,
                occasion=occasion,
                category=category,
                month=day.replace(day=1),
                answers=_answers(rng, version, progress),
            )
            answers.append(answer)
            links += [(answer, unit_id) for unit_id in units_of.get(plan_id, [])]
    EvaluationAnswer.objects.bulk_create(answers, batch_size=500)
    Through = EvaluationAnswer.units.through
    Through.objects.bulk_create(
        [Through(evaluationanswer_id=a.pk, unit_id=u) for a, u in links], batch_size=1000
    )
    return len(answers)


def _occasions(plans) -> list[tuple]:
    """(plan id, local day, occasion): each establishment (version 1 approved) and follow-up."""
    found = [
        (plan_id, timezone.localdate(at), Occasion.ESTABLISHED)
        for plan_id, at in PlanVersion.objects.filter(
            plan__in=plans, number=1, approved_at__isnull=False
        ).values_list("plan_id", "approved_at")
    ]
    found += [
        (plan_id, timezone.localdate(at), Occasion.FOLLOW_UP)
        for plan_id, at in FollowUp.objects.filter(plan__in=plans).values_list(
            "plan_id", "recorded_at"
        )
    ]
    return sorted(found, key=lambda row: (row[1], str(row[0]), row[2]))


def _child(birth_date, day) -> bool:
    return birth_date is not None and Person(birth_date=birth_date).is_child(day)


def _answers(rng: random.Random, version, progress: float) -> dict:
    weights = [a + (b - a) * progress for a, b in zip(LEANING_START, LEANING_END, strict=True)]
    given = {}
    for question in version.questions.all():
        if question.kind != "choice":
            continue
        scale = [o["code"] for o in question.options if o.get("value") is not None]
        dont_know = next((o["code"] for o in question.options if o.get("value") is None), None)
        if dont_know is not None and rng.random() < DONT_KNOW:
            given[question.link_id] = dont_know
        else:
            given[question.link_id] = rng.choices(scale, weights=weights[: len(scale)])[0]
    return given
