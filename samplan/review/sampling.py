"""Systematic review of the access log (HSLF-FS 2016:40 4 kap. 9 §: regular, documented checks).

Unit managers get a random sample of their unit's accesses and flags for what deserves a
closer look. The individual's extract is samplan.audit.services.person_extract.
"""

import collections
import datetime
import functools
import operator
import random
import statistics
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samplan.accounts.models import User
from samplan.audit.models import AccessLogEntry, AccessLogVolume
from samplan.people.models import Person
from samplan.plans import rules
from samplan.plans.models import Participant, Plan

# A user with more reads than this many times the unit's median, and at least MIN_VOLUME
# reads, is flagged as unusual volume.
VOLUME_FACTOR = 3
MIN_VOLUME = 30
# Up to this many entries in the period the sample is drawn from every id (docs/performance.md).
EXACT_SAMPLE_LIMIT = 5000
# The newest plan reads checked for "the unit no longer takes part", and the most flagged
# accesses shown (newest first, 50 a page).
RECENT_PLAN_READS = 500
FLAGGED_SHOWN = 200
HEAVY_USERS_SHOWN = 10

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


def user_volumes(unit, start, end) -> list[tuple[int | None, str, int]]:
    """Each user's number of reads in the period, most first. The sealed reads come from the
    per-day counts the sealer keeps (whole UTC days, so the first day of the period counts
    whole), the few not sealed yet from the log itself; one statement, one snapshot."""
    days = (
        AccessLogVolume.objects.filter(
            unit=unit,
            day__gte=start.astimezone(datetime.UTC).date(),
            day__lte=end.astimezone(datetime.UTC).date(),
        )
        .order_by()
        .values("user_id")
        .annotate(n=Sum("reads"))
    )
    unsealed = (
        unit_entries(unit, start, end)
        .filter(sequence__isnull=True)
        .order_by()
        .values("user_id")
        .annotate(n=Count("*"))
    )
    counts: collections.Counter = collections.Counter()
    for row in days.union(unsealed, all=True):
        counts[row["user_id"]] += row["n"]
    names = dict(
        User.objects.filter(pk__in=[user for user in counts if user is not None]).values_list(
            "pk", "username"
        )
    )
    volumes = [(user, names.get(user, ""), n) for user, n in counts.items()]
    return sorted(volumes, key=lambda v: (-v[2], v[1]))


def heavy_users(volumes: list[tuple[int | None, str, int]]) -> set[int]:
    """Users whose number of reads stands out from the unit's usual."""
    if not volumes:
        return set()
    median = statistics.median(n for _user, _name, n in volumes)
    return {user for user, _name, n in volumes if n >= MIN_VOLUME and n > VOLUME_FACTOR * median}


def sample_ids(entries, start, end, *, total: int, size: int, rng: random.Random) -> list[int]:
    """A random sample of the period's entries.

    Up to EXACT_SAMPLE_LIMIT entries, every entry is equally likely (the ids are read and
    drawn from). Beyond that, reading every id would cost what the unit's whole log costs, so
    each draw is the first entry after a random moment in the period, found through the
    (unit, at) index: an entry that follows a quiet time is somewhat more likely to be drawn,
    which a review can live with (docs/performance.md).
    """
    if total <= EXACT_SAMPLE_LIMIT:
        ids = list(entries.order_by().values_list("id", flat=True))
        return sorted(rng.sample(ids, min(size, len(ids))))
    span = (end - start).total_seconds()
    moments = sorted(start + datetime.timedelta(seconds=rng.random() * span) for _ in range(size))
    firsts = [
        entries.filter(at__gte=moment).order_by("at", "id").values("id")[:1] for moment in moments
    ]
    if connection.features.supports_slicing_ordering_in_compound:
        drawn = list(firsts[0].union(*firsts[1:], all=True).values_list("id", flat=True))
    else:
        drawn = [row["id"] for query in firsts for row in query]
    return sorted(set(drawn))


def _newest_of_users(entries, users: set[int]) -> list:
    """Subqueries for the ids of the newest FLAGGED_SHOWN entries of each of (at most
    HEAVY_USERS_SHOWN of) the users, each read backwards through the (unit, user, at) index,
    since a heavy user has thousands."""
    newest = entries.order_by("-at", "-id").values("id")
    return [
        newest.filter(user_id=user)[:FLAGGED_SHOWN] for user in sorted(users)[:HEAVY_USERS_SHOWN]
    ]


def _outside_ids(unit, entries) -> list[int]:
    """Among the newest RECENT_PLAN_READS reads of a plan, those of plans the unit does not
    take part in (read as ids, so that only the flagged ones are loaded)."""
    recent = list(
        entries.filter(object_type="plan")
        .order_by("-at", "-id")
        .values_list("id", "object_id")[:RECENT_PLAN_READS]
    )
    participating = _participating_plan_ids(unit, {plan_id for _id, plan_id in recent})
    return [entry_id for entry_id, plan_id in recent if plan_id not in participating][
        :FLAGGED_SHOWN
    ]


def _protected(entries):
    """The ids of the reads of individuals with protected identity, as a subquery: through the
    (person, at) index from the few protected individuals. Unordered and uncut on purpose:
    "the newest 200" lets the planner walk the period's whole log backwards hoping to meet
    them soon."""
    protected = list(Person.objects.filter(protected_identity=True).values_list("pk", flat=True))
    return entries.filter(person_id__in=protected).values("id")


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
    """A random sample of the unit's accesses in the period, the flagged accesses (the newest
    FLAGGED_SHOWN), and each user's volume. Every query goes through the (unit, at) index or
    a small set (protected individuals, heavy users), so a unit with a large log reads
    little of it."""
    start, end = period(days)
    entries = unit_entries(unit, start, end)
    volumes = user_volumes(unit, start, end)
    total = sum(n for _user, _name, n in volumes)
    heavy = heavy_users(volumes)
    rng = random.Random(seed)  # noqa: S311 - sampling, not crypto
    chosen = sample_ids(entries, start, end, total=total, size=size, rng=rng)
    # The ids of the sample and of the newest flagged reads (outside the unit's plans, of the
    # protected individuals, the heavy users' newest), each found through its own index, in
    # one query; then one load of those rows by id. The page asks the same whatever it finds.
    parts = [
        entries.filter(id__in=chosen).values("id"),
        entries.filter(id__in=_outside_ids(unit, entries)).values("id"),
        _protected(entries),
        *_newest_of_users(entries, heavy),
    ]
    if connection.features.supports_slicing_ordering_in_compound:
        found = parts[0].union(*parts[1:], all=True).order_by("-id")
    else:  # SQLite: no LIMIT inside a UNION; its installations are small
        found = entries.filter(functools.reduce(operator.or_, (Q(id__in=p) for p in parts)))
        found = found.order_by("-id").values("id")
    ids = {row["id"] for row in found[: FLAGGED_SHOWN + len(chosen)]}
    loaded = list(entries.select_related("user", "person").filter(id__in=[*ids, *chosen]))
    reviewed = flag_entries(unit, loaded, heavy)
    drawn = set(chosen)
    sample = [r for r in reviewed if r.entry.pk in drawn]
    flagged = [r for r in reviewed if r.flags]
    return {
        "start": start,
        "end": end,
        "total": total,
        "sample": sorted(sample, key=lambda r: r.entry.at, reverse=True),
        "flagged": sorted(flagged, key=lambda r: (r.entry.at, r.entry.pk), reverse=True)[
            :FLAGGED_SHOWN
        ],
        "volumes": [(name, n) for _user, name, n in volumes],
        "sample_ids": chosen,
    }
