"""Systematic review of the access log (HSLF-FS 2016:40 4 kap. 9 §: regular, documented checks).

Unit managers get a random sample of their unit's accesses and flags for what deserves a
closer look. The individual's extract is samplan.audit.services.person_extract.
"""

import datetime
import random
import statistics
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samplan.audit.models import AccessLogEntry
from samplan.plans import rules
from samplan.plans.models import Participant, Plan

# A user with more reads than this many times the unit's median, and at least MIN_VOLUME
# reads, is flagged as unusual volume.
VOLUME_FACTOR = 3
MIN_VOLUME = 30

FLAG_NOT_PARTICIPATING = "not_participating"
FLAG_PROTECTED = "protected"
FLAG_VOLUME = "volume"
FLAG_LABELS = {
    FLAG_NOT_PARTICIPATING: _("The unit no longer takes part in the plan"),
    FLAG_PROTECTED: _("Protected identity"),
    FLAG_VOLUME: _("Unusual volume for this user"),
}


@dataclass(frozen=True)
class ReviewedEntry:
    entry: AccessLogEntry
    flags: tuple[str, ...]

    @property
    def flag_labels(self) -> list[str]:
        return [str(FLAG_LABELS[f]) for f in self.flags]


def period(
    days: int, now: datetime.datetime | None = None
) -> tuple[datetime.datetime, datetime.datetime]:
    end = now or timezone.now()
    return end - datetime.timedelta(days=days), end


def unit_entries(unit, start: datetime.datetime, end: datetime.datetime):
    return AccessLogEntry.objects.filter(unit=unit, at__gte=start, at__lt=end)


def heavy_users(unit, start, end) -> set[int]:
    """Users whose number of reads stands out from the unit's usual."""
    counts = dict(
        unit_entries(unit, start, end)
        .values_list("user")
        .annotate(n=Count("id"))
        .values_list("user", "n")
    )
    if not counts:
        return set()
    median = statistics.median(counts.values())
    return {user for user, n in counts.items() if n >= MIN_VOLUME and n > VOLUME_FACTOR * median}


def _participating_plan_ids(unit, plan_ids: set[str]) -> set[str]:
    taking_part = Participant.objects.filter(unit=unit, is_active=True, plan_id__in=plan_ids)
    initiated = Plan.objects.filter(
        pk__in=plan_ids, initiating_unit=unit, state__in=rules.BEFORE_CONSENT
    )
    return {str(pk) for pk in taking_part.values_list("plan_id", flat=True)} | {
        str(pk) for pk in initiated.values_list("pk", flat=True)
    }


def flag_entries(unit, entries: list[AccessLogEntry], heavy: set[int]) -> list[ReviewedEntry]:
    plan_ids = {e.object_id for e in entries if e.object_type == "plan"}
    participating = _participating_plan_ids(unit, plan_ids)
    reviewed = []
    for entry in entries:
        flags = []
        if entry.object_type == "plan" and entry.object_id not in participating:
            flags.append(FLAG_NOT_PARTICIPATING)
        if entry.person.protected_identity:
            flags.append(FLAG_PROTECTED)
        if entry.user_id in heavy:
            flags.append(FLAG_VOLUME)
        reviewed.append(ReviewedEntry(entry, tuple(flags)))
    return reviewed


def review_sample(unit, *, days: int = 30, size: int = 20, seed: int | None = None) -> dict:
    """A random sample of the unit's accesses in the period, every flagged access, and volumes."""
    start, end = period(days)
    entries = unit_entries(unit, start, end).select_related("user", "person")
    heavy = heavy_users(unit, start, end)
    ids = list(entries.values_list("id", flat=True))
    chosen = set(random.Random(seed).sample(ids, min(size, len(ids))))  # noqa: S311 - sampling, not crypto
    sample = flag_entries(unit, list(entries.filter(id__in=chosen)), heavy)
    flagged_entries = entries.filter(person__protected_identity=True) | entries.filter(
        user__in=heavy
    )
    candidates = list(entries.filter(object_type="plan")[:2000]) + list(flagged_entries[:500])
    flagged = {r.entry.pk: r for r in flag_entries(unit, candidates, heavy) if r.flags}
    volumes = Counter(entries.values_list("user__username", flat=True))
    return {
        "start": start,
        "end": end,
        "total": len(ids),
        "sample": sorted(sample, key=lambda r: r.entry.at, reverse=True),
        "flagged": sorted(flagged.values(), key=lambda r: r.entry.at, reverse=True)[:200],
        "volumes": volumes.most_common(),
        "sample_ids": sorted(chosen),
    }
