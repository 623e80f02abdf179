"""The access log's hash chain, on plain rows: every tampering is found, at the first bad entry.

No database: the chain is a list of dicts, like the rows verify_access_log reads, so that a
thousand tamperings take a moment.
"""

import datetime
import hashlib
import json
import random
import uuid

import pytest
from django.utils import translation

from samplan.audit.chain import (
    GENESIS_HASH,
    ChainHead,
    ChainVerdict,
    entry_hash_compute,
    verify_chain,
)

START = datetime.datetime(2026, 1, 5, 8, 0, tzinfo=datetime.UTC)
CONTENT_FIELDS = [
    "action",
    "user_id",
    "unit_id",
    "organization_id",
    "person_id",
    "object_type",
    "object_id",
    "request_id",
    "channel",
    "at",
]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def reference_hash(row: dict) -> str:
    """The hash exactly as docs/access-log.md describes it, written out independently."""
    content = {
        "action": row["action"],
        "user_id": None if row["user_id"] is None else str(row["user_id"]),
        "unit_id": None if row["unit_id"] is None else str(row["unit_id"]),
        "organization_id": None if row["organization_id"] is None else str(row["organization_id"]),
        "person_id": str(row["person_id"]),
        "object_type": row["object_type"],
        "object_id": row["object_id"],
        "request_id": row["request_id"],
        "channel": row["channel"],
        "at": row["at"].astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00"),
        "sequence": row["sequence"],
        "prev_hash": row["prev_hash"],
    }
    serialised = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(serialised.encode()).hexdigest()


def build_chain(size: int, rng: random.Random, *, purged: int = 0):
    """A valid chain of `size` rows, ids and sequences rising together; the first `purged`
    rows are then removed as the retention purge would, leaving the head anchored."""
    people = [uuid.UUID(int=rng.getrandbits(128)) for _ in range(12)]
    rows, prev = [], GENESIS_HASH
    at = START
    for sequence in range(1, size + 1):
        at += datetime.timedelta(seconds=rng.randint(0, 90), microseconds=rng.randint(0, 999999))
        staff = rng.random() < 0.9
        row = {
            "id": 1000 + sequence,
            "action": rng.choice(["plan.read", "plan.list", "plan.print"]),
            "user_id": rng.randint(1, 9) if staff else None,
            "unit_id": rng.randint(1, 5) if staff else None,
            "organization_id": rng.randint(1, 3) if staff else None,
            "person_id": rng.choice(people),
            "object_type": "plan",
            "object_id": str(uuid.UUID(int=rng.getrandbits(128))),
            "request_id": rng.choice(["", f"req-{sequence}"]),
            "channel": "web" if staff else "citizen",
            "at": at,
            "sequence": sequence,
            "prev_hash": prev,
        }
        row["entry_hash"] = prev = entry_hash_compute(row)
        rows.append(row)
    head = ChainHead(sequence=size, entry_hash=prev)
    if purged:
        last_purged = rows[purged - 1]
        head = ChainHead(
            sequence=size,
            entry_hash=prev,
            anchor_sequence=last_purged["sequence"],
            anchor_hash=last_purged["entry_hash"],
        )
        rows = rows[purged:]
    return rows, head


def walked(rows: list[dict]) -> list[dict]:
    """The order verify_access_log reads the table in."""
    return sorted(rows, key=lambda row: (row["sequence"], row["id"]))


def random_hash(rng: random.Random) -> str:
    return f"{rng.getrandbits(256):064x}"


def changed(field: str, value, rng: random.Random):
    """A different value for a field, of the kind the column could hold."""
    if field == "at":
        return value + datetime.timedelta(microseconds=rng.choice([-1, 1, 1000, 3600 * 10**6]))
    if field in {"user_id", "unit_id", "organization_id"}:
        return 1 if value is None else rng.choice([None, value + 1])
    if field == "person_id":
        return uuid.UUID(int=value.int ^ 1)
    if field == "channel":
        return "api" if value != "api" else "web"
    return value + rng.choice(["x", " ", "0"]) if value else "x"


# --- The tamperings: each changes a fresh copy and says where the break must be reported. ---


def edit_field(rows, head, rng):
    k = rng.randrange(len(rows))
    field = rng.choice([*CONTENT_FIELDS, "prev_hash", "entry_hash", "sequence"])
    row = rows[k]
    if field in {"prev_hash", "entry_hash"}:
        row[field] = random_hash(rng)
        return rows, head, row["sequence"]
    if field == "sequence":
        old = row["sequence"]
        new = old + rng.choice([-3, -1, 1, 2, 50, len(rows)])
        row["sequence"] = new
        # Moved earlier: found where it now sorts, by its own hash. Moved later: its old
        # place is empty, which the next entry's prev_hash shows (unless it was the last).
        if new < old or k == len(rows) - 1:
            return rows, head, new
        return rows, head, old + 1
    row[field] = changed(field, row[field], rng)
    return rows, head, row["sequence"]


def delete_entry(rows, head, rng):
    k = rng.randrange(len(rows))
    sequence = rows.pop(k)["sequence"]
    # The next entry no longer links; deleting the last entry leaves the chain short of the head.
    return rows, head, sequence + 1 if k < len(rows) else sequence


def swap_entries(rows, head, rng):
    i, j = sorted(rng.sample(range(len(rows)), 2))
    first, second = rows[i], rows[j]
    first["sequence"], second["sequence"] = second["sequence"], first["sequence"]
    if rng.random() < 0.5:  # the forger also recomputes each moved entry's own hash
        first["entry_hash"] = entry_hash_compute(first)
        second["entry_hash"] = entry_hash_compute(second)
    return rows, head, second["sequence"]


def insert_forged(rows, head, rng):
    """A forged entry with its own hash recomputed but a prev link that is wrong where it sits.

    It takes the sequence of an existing entry (the table's unique index aside, this is the
    only place a row can go without renumbering) or the next one after the last, and gets a
    higher id than every genuine row, as a later insert would.
    """
    k = rng.randrange(len(rows) + 1)
    template = dict(rows[min(k, len(rows) - 1)])
    sequence = rows[k]["sequence"] if k < len(rows) else rows[-1]["sequence"] + 1
    link = rng.choice(["random", "before", "genesis"])
    predecessor = rows[k - 1]["entry_hash"] if k > 0 else head.anchor_hash
    forged = template | {
        "id": max(row["id"] for row in rows) + 1,
        "sequence": sequence,
        "user_id": 99,
        "object_id": "forged",
        "prev_hash": {
            "random": random_hash(rng),
            "before": predecessor if k < len(rows) else rows[k - 2]["entry_hash"],
            "genesis": GENESIS_HASH,
        }[link],
    }
    if k < len(rows) and forged["prev_hash"] == rows[k]["entry_hash"]:
        forged["prev_hash"] = random_hash(rng)
    forged["entry_hash"] = entry_hash_compute(forged)
    rows.append(forged)
    return rows, head, sequence


def delete_tail(rows, head, rng):
    k = rng.randrange(len(rows))
    sequence = rows[k]["sequence"]
    del rows[k:]
    return rows, head, sequence


TAMPERINGS = [edit_field, delete_entry, swap_entries, insert_forged, delete_tail]


# --- Tests ---------------------------------------------------------------------------------


def test_the_hash_is_sha256_over_the_documented_canonical_json():
    rows, _head = build_chain(30, random.Random(7))
    for row in rows:
        assert row["entry_hash"] == reference_hash(row)
    assert rows[0]["prev_hash"] == "0" * 64
    assert all(b["prev_hash"] == a["entry_hash"] for a, b in zip(rows, rows[1:], strict=False))


def test_an_intact_chain_verifies_with_its_length():
    rows, head = build_chain(250, random.Random(1))
    assert verify_chain(rows, head) == ChainVerdict(ok=True, entries=250)
    ok, first_bad_sequence, reason = verify_chain(rows, head)
    assert (ok, first_bad_sequence, reason) == (True, None, "")


def test_a_purged_chain_verifies_from_its_anchor():
    rows, head = build_chain(250, random.Random(2), purged=40)
    assert rows[0]["sequence"] == 41
    assert verify_chain(rows, head).ok
    assert not verify_chain(rows[1:], head).ok  # a further entry removed without the purge


def test_an_empty_log_verifies_and_a_fully_purged_one_too():
    assert verify_chain([], ChainHead()).ok
    assert verify_chain([], None).ok
    rows, head = build_chain(20, random.Random(3), purged=20)
    assert rows == [] and verify_chain(rows, head).ok


def test_a_missing_head_with_entries_is_broken():
    rows, _head = build_chain(5, random.Random(4))
    verdict = verify_chain(rows, None)
    assert (verdict.ok, verdict.code) == (False, "head_missing")


def test_a_forged_head_is_reported_at_the_last_entry():
    rows, head = build_chain(5, random.Random(5))
    verdict = verify_chain(rows, ChainHead(sequence=5, entry_hash=random_hash(random.Random(6))))
    assert (verdict.ok, verdict.first_bad_sequence, verdict.code) == (False, 5, "head_mismatch")


@pytest.mark.parametrize("purged", [0, 35])
def test_a_thousand_random_tamperings_are_all_found_at_the_first_bad_entry(purged):
    rng = random.Random(20161 + purged)
    original, head = build_chain(240, rng, purged=purged)
    assert verify_chain(original, head).ok
    kinds = {}
    for attempt in range(1000):
        tampering = rng.choice(TAMPERINGS)
        rows = [dict(row) for row in original]
        rows, tampered_head, expected = tampering(rows, head, rng)
        verdict = verify_chain(walked(rows), tampered_head)
        context = (attempt, tampering.__name__, verdict)
        assert not verdict.ok, context
        assert verdict.first_bad_sequence == expected, context
        assert verdict.reason, context
        kinds.setdefault(tampering.__name__, set()).add(verdict.code)
    assert set(kinds) == {tampering.__name__ for tampering in TAMPERINGS}
    assert kinds["delete_tail"] == {"missing_tail"}
    assert "prev_hash_mismatch" in kinds["delete_entry"]
    assert "hash_mismatch" in kinds["edit_field"]


def test_a_deletion_relinked_by_the_forger_still_shows_as_a_gap():
    rows, head = build_chain(10, random.Random(8))
    del rows[4]  # sequence 5
    prev = rows[3]["entry_hash"]
    for row in rows[4:]:  # re-link everything after it, but keep the numbers
        row["prev_hash"] = prev
        row["entry_hash"] = prev = entry_hash_compute(row)
    head = ChainHead(sequence=10, entry_hash=prev)
    verdict = verify_chain(rows, head)
    assert (verdict.first_bad_sequence, verdict.code) == (6, "sequence_gap")


def test_an_appended_entry_that_links_correctly_but_bypassed_the_head_is_found():
    rows, head = build_chain(10, random.Random(9))
    extra = dict(rows[-1]) | {"id": 2000, "sequence": 11, "prev_hash": rows[-1]["entry_hash"]}
    extra["entry_hash"] = entry_hash_compute(extra)
    verdict = verify_chain([*rows, extra], head)
    assert (verdict.first_bad_sequence, verdict.code) == (11, "beyond_head")
