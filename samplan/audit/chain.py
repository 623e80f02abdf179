"""The access log's hash chain: how an entry is hashed, sealed and verified.

Pure functions on plain rows (mappings with the entry's fields), so that the same logic checks
the database (`manage.py verify_access_log`), seals it (`services.access_log_seal`) and checks
lists built in tests. See docs/access-log.md.

Each sealed entry's `entry_hash` is the SHA-256 (hex) of a canonical JSON serialisation (sorted
keys, no spaces, ASCII) of its content fields, its `sequence` and the `prev_hash` it links to.
The first entry links to GENESIS_HASH. The format is fixed: changing it would break every
existing chain.

An entry is written unsealed (no sequence, empty chain fields) with a `content_hash`: the same
serialisation of its content fields and its `id`. The sealer later gives the unsealed entries,
in id order, the next sequences and chain hashes; the ids it finds missing for longer than a
grace period it records as a chained gap entry (GAP_ACTION).
"""

import datetime
import hashlib
import itertools
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace

from django.utils.translation import gettext as _

GENESIS_HASH = "0" * 64

# The stored fields that the hash covers, besides `prev_hash`.
REFERENCE_FIELDS = ("user_id", "unit_id", "organization_id", "person_id")
TEXT_FIELDS = ("action", "object_type", "object_id", "request_id", "channel")
CONTENT_FIELDS = (*TEXT_FIELDS, *REFERENCE_FIELDS, "at")
HASHED_FIELDS = (*CONTENT_FIELDS, "sequence")
# What verify_chain needs of a row.
ROW_FIELDS = ("id", *HASHED_FIELDS, "prev_hash", "entry_hash")
# What the sealer and verify_log need of a row: the chain's fields and the content hash.
LOG_FIELDS = (*ROW_FIELDS, "content_hash")

# A gap entry: the sealer's record of ids that no committed entry had when it sealed past them
# (an insert rolled back or lost in a crash, or an unsealed entry deleted). object_id is
# "first-last", the range of missing ids.
GAP_ACTION = "log.gap"
GAP_OBJECT_TYPE = "accesslogentry"
GAP_CHANNEL = "system"


def utc_timestamp(at: datetime.datetime) -> str:
    """`at` as a UTC ISO 8601 string with microseconds, the same however it was read back."""
    if at.tzinfo is None:
        raise ValueError("access log times must be timezone-aware")
    return at.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def _content(row: Mapping) -> dict:
    content = {field: row[field] for field in TEXT_FIELDS}
    content.update(
        {field: None if row[field] is None else str(row[field]) for field in REFERENCE_FIELDS}
    )
    content["at"] = utc_timestamp(row["at"])
    return content


def _serialise(content: dict) -> bytes:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode(
        "ascii"
    )


def canonical(row: Mapping) -> bytes:
    """The bytes that are hashed: every content field, the sequence and the previous hash."""
    content = _content(row)
    content["sequence"] = int(row["sequence"])
    content["prev_hash"] = row["prev_hash"]
    return _serialise(content)


def entry_hash_compute(row: Mapping) -> str:
    return hashlib.sha256(canonical(row)).hexdigest()


# The content hash's fields, in their order. The format is simple enough for the database to
# compute the same bytes in the INSERT (samplan_access_log_content_hash, migration 0011).
CONTENT_HASH_FIELDS = ("id", "at", *TEXT_FIELDS, *REFERENCE_FIELDS)
CONTENT_HASH_VERSION = "samplan-access-log-content-v1"


def content_canonical(row: Mapping) -> bytes:
    """The bytes of the content hash: every content field and the id (no chain fields), so
    that an unsealed entry shows an edit, and a move to another id, before it is sealed.

    The version line, then for each field of CONTENT_HASH_FIELDS a line `name=` followed by
    `-` when the field is empty (NULL), otherwise by the value's length in characters, `:`
    and the value; UTF-8. Ids are decimal, `at` is UTC with microseconds as in the chain."""
    lines = [CONTENT_HASH_VERSION]
    for field in CONTENT_HASH_FIELDS:
        value = row[field]
        if value is not None:
            value = utc_timestamp(value) if field == "at" else str(value)
        lines.append(f"{field}=-" if value is None else f"{field}={len(value)}:{value}")
    return "\n".join(lines).encode("utf-8")


def content_hash_compute(row: Mapping) -> str:
    return hashlib.sha256(content_canonical(row)).hexdigest()


def gap_row(entry_id: int, first: int, last: int, at: datetime.datetime) -> dict:
    """The content of a gap entry recording that ids first..last were missing when sealed."""
    row = {
        "id": entry_id,
        "action": GAP_ACTION,
        "object_type": GAP_OBJECT_TYPE,
        "object_id": f"{first}-{last}",
        "request_id": "",
        "channel": GAP_CHANNEL,
        "user_id": None,
        "unit_id": None,
        "organization_id": None,
        "person_id": None,
        "at": at,
    }
    row["content_hash"] = content_hash_compute(row)
    return row


def gap_range(row: Mapping) -> tuple[int, int] | None:
    """The ids a gap entry records as missing, or None for any other entry."""
    if row.get("action") != GAP_ACTION or row.get("object_type") != GAP_OBJECT_TYPE:
        return None
    first, _, last = str(row.get("object_id", "")).partition("-")
    try:
        return int(first), int(last)
    except ValueError:
        return None


@dataclass(frozen=True)
class ChainHead:
    """Where the chain ends (`sequence`, `entry_hash`), where it starts after a retention
    purge (`anchor_sequence`, `anchor_hash`: the last purged entry, or 0 and GENESIS_HASH), and
    how far the sealer has accounted for the ids (`sealed_id`)."""

    sequence: int = 0
    entry_hash: str = GENESIS_HASH
    anchor_sequence: int = 0
    anchor_hash: str = GENESIS_HASH
    # Every id up to here is sealed or recorded in a gap entry (services.access_log_seal).
    sealed_id: int = 0


@dataclass(frozen=True)
class ChainVerdict:
    """The outcome of verify_chain. Unpacks as (ok, first_bad_sequence, reason).

    `code` names the kind of break for programs, `entry_id` is the id of the first bad row
    when there is one (None when the break is a missing entry at the end), `entries` the
    number of entries walked before the verdict. `in_tail` says the bad entry is not sealed
    yet (it has no sequence: the id names it). verify_log also counts the `unsealed` entries
    and lists the `gaps` (first, last id) that gap entries record.
    """

    ok: bool
    first_bad_sequence: int | None = None
    reason: str = ""
    code: str = ""
    entry_id: int | None = None
    entries: int = 0
    in_tail: bool = False
    unsealed: int = 0
    gaps: tuple = ()

    def __iter__(self) -> Iterator:
        return iter((self.ok, self.first_bad_sequence, self.reason))


def _hash_matches(row: Mapping) -> bool:
    try:
        return entry_hash_compute(row) == row["entry_hash"]
    except (KeyError, TypeError, ValueError, AttributeError):
        return False  # a malformed field is an edit too


def _bad(row: Mapping, walked: int, code: str, reason: str) -> ChainVerdict:
    return ChainVerdict(
        ok=False,
        first_bad_sequence=row["sequence"],
        reason=reason,
        code=code,
        entry_id=row.get("id"),
        entries=walked,
    )


def verify_chain(rows: Iterable[Mapping], head) -> ChainVerdict:
    """Walk rows in the order given (the caller sorts by sequence, then id) and stop at the
    first bad entry.

    `head` has the attributes of ChainHead (an AccessLogHead row will do) or is None when the
    head row is missing. For each row, in this order: its own hash must match its content
    (otherwise it was edited), its prev_hash must be the previous entry's hash (otherwise an
    entry before it was deleted, inserted or moved), its sequence must be the next number
    (otherwise there is a gap or a duplicate), and it must not lie beyond the head. At the end
    the last entry must be the head: entries deleted from the end show here.
    """
    rows = iter(rows)
    if head is None:
        first = next(rows, None)
        if first is None:
            return ChainVerdict(ok=True)
        return ChainVerdict(
            ok=False,
            reason=_("the chain head is missing"),
            code="head_missing",
            entry_id=first.get("id"),
        )

    expected_sequence = head.anchor_sequence + 1
    expected_prev = head.anchor_hash
    walked = 0
    last_id = None
    for row in rows:
        sequence = row["sequence"]

        if not _hash_matches(row):
            return _bad(row, walked, "hash_mismatch", _("hash mismatch: the entry was changed"))
        if row["prev_hash"] != expected_prev:
            return _bad(
                row,
                walked,
                "prev_hash_mismatch",
                _(
                    "prev_hash mismatch: the entry does not follow sequence %(sequence)d "
                    "(an entry was deleted, inserted or moved)"
                )
                % {"sequence": expected_sequence - 1},
            )
        if sequence != expected_sequence:
            if sequence > expected_sequence:
                return _bad(
                    row,
                    walked,
                    "sequence_gap",
                    _("gap in sequence: expected %(sequence)d") % {"sequence": expected_sequence},
                )
            return _bad(
                row,
                walked,
                "sequence_out_of_order",
                _("sequence out of order: expected %(sequence)d") % {"sequence": expected_sequence},
            )
        if sequence > head.sequence:
            return _bad(
                row,
                walked,
                "beyond_head",
                _("the entry lies beyond the chain head at sequence %(sequence)d (inserted)")
                % {"sequence": head.sequence},
            )
        expected_prev = row["entry_hash"]
        expected_sequence += 1
        walked += 1
        last_id = row.get("id")

    last_sequence = expected_sequence - 1
    if last_sequence < head.sequence:
        return ChainVerdict(
            ok=False,
            first_bad_sequence=last_sequence + 1,
            reason=_(
                "entries missing at the end: the chain ends at sequence %(last)d but the head "
                "is at %(head)d"
            )
            % {"last": last_sequence, "head": head.sequence},
            code="missing_tail",
            entries=walked,
        )
    if expected_prev != head.entry_hash:
        return ChainVerdict(
            ok=False,
            first_bad_sequence=last_sequence,
            reason=_("the last entry does not match the chain head"),
            code="head_mismatch",
            entry_id=last_id,
            entries=walked,
        )
    return ChainVerdict(ok=True, entries=walked)


# --- The unsealed tail and the sealer ------------------------------------------------------


def _tail_bad(row: Mapping, walked: int, code: str, reason: str) -> ChainVerdict:
    return ChainVerdict(
        ok=False,
        first_bad_sequence=row.get("sequence"),
        reason=reason,
        code=code,
        entry_id=row.get("id"),
        entries=walked,
        in_tail=True,
    )


def _content_matches(row: Mapping) -> bool:
    try:
        return content_hash_compute(row) == row["content_hash"]
    except (KeyError, TypeError, ValueError, AttributeError):
        return False


def unsealed_problem(row: Mapping, last_id: int | None) -> tuple[str, str] | None:
    """Why an unsealed entry cannot be vouched for (code, reason), or None when it can.

    The sealer never seals such an entry and verify_log reports it: its content hash must
    match (otherwise it was edited or moved to another id), its chain fields must be empty,
    and its id must have been handed out by the id sequence (`last_id`, when known)."""
    if row["prev_hash"] or row["entry_hash"]:
        return "tail_chain_fields", _("the entry has chain hashes but no sequence")
    if not _content_matches(row):
        return "tail_hash_mismatch", _("hash mismatch: the unsealed entry was changed")
    if last_id is not None and row["id"] > last_id:
        return (
            "beyond_ids",
            _("the entry's id lies beyond the last id handed out, %(last)d (inserted)")
            % {"last": last_id},
        )
    return None


def _duplicate() -> tuple[str, str]:
    return "duplicate_id", _("another entry has the same id (inserted)")


def _missing(first: int, last: int, grace: datetime.timedelta) -> tuple[str, str]:
    return (
        "tail_gap",
        _(
            "ids %(first)d to %(last)d are missing before this entry for more than %(grace)d s: "
            "entries were deleted, or never written and not recorded as a gap (is the sealer "
            "running?)"
        )
        % {"first": first, "last": last, "grace": grace.total_seconds()},
    )


class _SealedPart:
    """The rows with a sequence, as an iterator for verify_chain; it stops at the first row
    without one (kept in `first_unsealed`) and notes what the tail check needs: the sealed
    entries with an id above the head's sealed_id (`above`) and the gap entries' ranges."""

    def __init__(self, rows: Iterator, sealed_id: int):
        self.rows, self.sealed_id = rows, sealed_id
        self.first_unsealed: Mapping | None = None
        self.above: list[tuple] = []  # (id, at, sequence)
        self.gaps: list[tuple[int, int]] = []

    def __iter__(self):
        return self

    def __next__(self):
        row = next(self.rows)
        if row["sequence"] is None:
            self.first_unsealed = row
            raise StopIteration
        if row["id"] is not None and row["id"] > self.sealed_id:
            self.above.append((row["id"], row["at"], row["sequence"]))
        gap = gap_range(row)
        if gap is not None:
            self.gaps.append(gap)
        return row


def verify_log(
    rows: Iterable[Mapping],
    head,
    *,
    last_id: int | None = None,
    now: datetime.datetime | None = None,
    grace: datetime.timedelta = datetime.timedelta(seconds=20),
) -> ChainVerdict:
    """Verify the whole log: the sealed chain, then the unsealed tail. Stops at the first bad
    entry.

    `rows` come in the database's order: the sealed entries by sequence (then id), then the
    unsealed ones by id. The sealed part is walked by verify_chain. Each unsealed entry must
    then pass unsealed_problem and have an id of its own; and above the head's `sealed_id`
    the ids of the sealed and unsealed entries must follow each other without a hole, except
    a hole younger than `grace` (judged by the time of the entry after it): an insert may
    still be under way there. Ids at or below `sealed_id` are late commits of ids the sealer
    has recorded as a gap. `last_id` is the highest id the id sequence has handed out.
    """
    rows = iter(rows)
    now = now or datetime.datetime.now(datetime.UTC)
    if head is None:
        first = next(rows, None)
        return verify_chain([] if first is None else [first], None)
    sealed = _SealedPart(rows, head.sealed_id)
    verdict = verify_chain(sealed, head)
    gaps = tuple(sealed.gaps)
    if not verdict.ok:
        return verdict
    tail = rows if sealed.first_unsealed is None else itertools.chain([sealed.first_unsealed], rows)
    verdict = _verify_tail(tail, head, sealed.above, last_id, now, grace, verdict.entries)
    return replace(verdict, gaps=gaps)


def _verify_tail(rows, head, above, last_id, now, grace, walked) -> ChainVerdict:
    started = head.sequence > 0
    above = sorted(above)
    above_ids = {entry_id for entry_id, _at, _sequence in above}
    expected = head.sealed_id + 1 if started else None
    pending = iter(above)
    waiting = next(pending, None)
    previous_id = None
    unsealed = 0

    def follows(entry_id, at) -> tuple[int, int] | None:
        """The hole before this entry, if it is old enough to count."""
        nonlocal expected
        hole = None
        if expected is not None and entry_id > expected and at < now - grace:
            hole = (expected, entry_id - 1)
        expected = entry_id + 1
        return hole

    for row in rows:
        problem = unsealed_problem(row, last_id)
        if problem is None and (row["id"] == previous_id or row["id"] in above_ids):
            problem = _duplicate()
        if problem is not None:
            return _tail_bad(row, walked + unsealed, *problem)
        previous_id = row["id"]
        unsealed += 1
        if started and row["id"] <= head.sealed_id:
            continue  # a late commit of an id recorded as a gap
        while waiting is not None and waiting[0] < row["id"]:
            hole = follows(waiting[0], waiting[1])
            if hole:
                bad = {"id": waiting[0], "sequence": waiting[2]}
                return _tail_bad(bad, walked + unsealed - 1, *_missing(*hole, grace))
            waiting = next(pending, None)
        hole = follows(row["id"], row["at"])
        if hole:
            return _tail_bad(row, walked + unsealed - 1, *_missing(*hole, grace))
    while waiting is not None:
        hole = follows(waiting[0], waiting[1])
        if hole:
            bad = {"id": waiting[0], "sequence": waiting[2]}
            return _tail_bad(bad, walked + unsealed, *_missing(*hole, grace))
        waiting = next(pending, None)
    return ChainVerdict(ok=True, entries=walked + unsealed, unsealed=unsealed)


@dataclass
class SealPlan:
    """What one round of the sealer does: `rows` in their new chain order with their chain
    fields set (the `gap_rows` among them are new entries to insert), the `head` afterwards,
    and the `problem` it stopped at, an entry it will not seal (None when there is none)."""

    rows: list
    gap_rows: list
    head: ChainHead
    problem: ChainVerdict | None = None


def seal_plan(
    head: ChainHead,
    late: Iterable[Mapping],
    fresh: Iterable[Mapping],
    *,
    last_id: int | None,
    now: datetime.datetime,
    grace: datetime.timedelta,
    new_gap,
) -> SealPlan:
    """Chain the next unsealed entries after the head.

    `late` are unsealed entries with an id at or below the head's sealed_id (commits that
    came after the sealer had recorded their id as a gap), `fresh` every entry above it, sealed
    or not, both by id. Late entries are sealed first; then the fresh ones while their ids
    follow each other. At a hole, if the entry after it is older than `grace`, `new_gap(first,
    last)` makes a gap entry (a row with id, content and content_hash) that is chained in its
    place; otherwise an insert may still be under way and the round stops there. Before the
    first entry is ever sealed (head.sequence 0) there is nothing to miss: the first fresh
    entry starts the chain. An entry that fails unsealed_problem, or a duplicate id, stops
    the round: it is never sealed, so verify_log keeps naming it.
    """
    sequence, prev_hash = head.sequence, head.entry_hash
    sealed_id = head.sealed_id
    started = head.sequence > 0
    rows, gap_rows = [], []

    def add(row: dict) -> None:
        nonlocal sequence, prev_hash
        sequence += 1
        row["sequence"], row["prev_hash"] = sequence, prev_hash
        row["entry_hash"] = prev_hash = entry_hash_compute(row)
        rows.append(row)

    def plan(problem=None) -> SealPlan:
        after = replace(head, sequence=sequence, entry_hash=prev_hash, sealed_id=sealed_id)
        return SealPlan(rows=rows, gap_rows=gap_rows, head=after, problem=problem)

    def stop(row: Mapping, problem: tuple[str, str]) -> SealPlan:
        return plan(_tail_bad(row, 0, *problem))

    for row in late if started else ():
        problem = unsealed_problem(row, last_id)
        if problem is not None:
            return stop(row, problem)
        add(dict(row))
    expected = sealed_id + 1 if started else None
    for row in fresh:
        if row["id"] < (expected or 0):
            return stop(row, _duplicate())
        if expected is not None and row["id"] > expected:
            if row["at"] >= now - grace:
                break  # the missing ids may still be committed: wait for them
            gap = dict(new_gap(expected, row["id"] - 1))
            add(gap)
            gap_rows.append(gap)
        if row["sequence"] is None:
            problem = unsealed_problem(row, last_id)
            if problem is not None:
                return stop(row, problem)
            add(dict(row))
        sealed_id = row["id"]
        expected = sealed_id + 1
    return plan()
