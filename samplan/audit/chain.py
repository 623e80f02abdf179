"""The access log's hash chain: how an entry is hashed and how a chain is verified.

Pure functions on plain rows (mappings with the entry's fields), so that the same logic checks
the database (`manage.py verify_access_log`) and lists built in tests. See docs/access-log.md.

Each entry's `entry_hash` is the SHA-256 (hex) of a canonical JSON serialisation (sorted keys,
no spaces, ASCII) of its content fields, its `sequence` and the `prev_hash` it links to. The
first entry links to GENESIS_HASH. The format is fixed: changing it would break every
existing chain.
"""

import datetime
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _

GENESIS_HASH = "0" * 64

# The stored fields that the hash covers, besides `prev_hash`.
REFERENCE_FIELDS = ("user_id", "unit_id", "organization_id", "person_id")
TEXT_FIELDS = ("action", "object_type", "object_id", "request_id", "channel")
HASHED_FIELDS = (*TEXT_FIELDS, *REFERENCE_FIELDS, "at", "sequence")
# What verify_chain needs of a row.
ROW_FIELDS = ("id", *HASHED_FIELDS, "prev_hash", "entry_hash")


def utc_timestamp(at: datetime.datetime) -> str:
    """`at` as a UTC ISO 8601 string with microseconds, the same however it was read back."""
    if at.tzinfo is None:
        raise ValueError("access log times must be timezone-aware")
    return at.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def canonical(row: Mapping) -> bytes:
    """The bytes that are hashed: every content field, the sequence and the previous hash."""
    content = {field: row[field] for field in TEXT_FIELDS}
    content.update(
        {field: None if row[field] is None else str(row[field]) for field in REFERENCE_FIELDS}
    )
    content["at"] = utc_timestamp(row["at"])
    content["sequence"] = int(row["sequence"])
    content["prev_hash"] = row["prev_hash"]
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode(
        "ascii"
    )


def entry_hash_compute(row: Mapping) -> str:
    return hashlib.sha256(canonical(row)).hexdigest()


@dataclass(frozen=True)
class ChainHead:
    """Where the chain ends (`sequence`, `entry_hash`) and where it starts after a retention
    purge (`anchor_sequence`, `anchor_hash`: the last purged entry, or 0 and GENESIS_HASH)."""

    sequence: int = 0
    entry_hash: str = GENESIS_HASH
    anchor_sequence: int = 0
    anchor_hash: str = GENESIS_HASH


@dataclass(frozen=True)
class ChainVerdict:
    """The outcome of verify_chain. Unpacks as (ok, first_bad_sequence, reason).

    `code` names the kind of break for programs, `entry_id` is the id of the first bad row
    when there is one (None when the break is a missing entry at the end), `entries` the
    number of entries walked before the verdict.
    """

    ok: bool
    first_bad_sequence: int | None = None
    reason: str = ""
    code: str = ""
    entry_id: int | None = None
    entries: int = 0

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
