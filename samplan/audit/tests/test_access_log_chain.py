"""The access log's hash chain, on plain rows: every tampering is found, at the first bad entry.

No database: the chain is a list of dicts, like the rows verify_access_log reads, so that a
thousand tamperings take a moment.
"""

import datetime
import hashlib
import json
import random
import uuid
from dataclasses import replace

import pytest
from django.utils import translation

from samplan.audit import chain
from samplan.audit.chain import (
    GENESIS_HASH,
    ChainHead,
    ChainVerdict,
    SealPlan,
    content_hash_compute,
    entry_hash_compute,
    gap_range,
    gap_row,
    seal_plan,
    verify_chain,
    verify_log,
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
    if field == "person_id":  # empty in a gap entry
        return uuid.UUID(int=1) if value is None else uuid.UUID(int=value.int ^ 1)
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


# --- Sealed blocks and the unsealed tail -----------------------------------------------------

GRACE = datetime.timedelta(seconds=10)


def reference_content_hash(row: dict) -> str:
    """The content hash exactly as docs/access-log.md describes it, written out independently."""
    at = row["at"].astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
    values = {
        "id": str(row["id"]),
        "at": at,
        **{k: row[k] for k in ("action", "object_type", "object_id", "request_id", "channel")},
        **{
            k: None if row[k] is None else str(row[k])
            for k in ("user_id", "unit_id", "organization_id", "person_id")
        },
    }
    lines = ["samplan-access-log-content-v1"]
    lines += [f"{k}=-" if v is None else f"{k}={len(v)}:{v}" for k, v in values.items()]
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


class Log:
    """A log as the database holds it, written and sealed as in production: ids handed out in
    order, some inserts rolled back (their id never committed), some committed after the
    sealer had passed their id, the sealer running every `block` ids."""

    def __init__(self, rng: random.Random, *, size: int, tail: int, block: int = 23):
        self.rng = rng
        self.people = [uuid.UUID(int=rng.getrandbits(128)) for _ in range(12)]
        self.rows: dict[int, dict] = {}
        self.last_id = 1000
        self.at = START
        self.head = ChainHead()
        late = []
        while sum(1 for r in self.rows.values() if r["sequence"] is not None) < size:
            self.at += datetime.timedelta(
                seconds=rng.randint(0, 3), microseconds=rng.randint(0, 999)
            )
            entry = self.entry()
            fate = rng.random()
            if fate < 0.04:
                pass  # rolled back: the id stays missing
            elif fate < 0.08:
                late.append((self.at + 4 * GRACE, entry))  # committed much later
            else:
                self.rows[entry["id"]] = entry
            for due, waiting in list(late):
                if due <= self.at:
                    self.rows[waiting["id"]] = waiting
                    late.remove((due, waiting))
            if entry["id"] % block == 0:
                self.seal()
        for _due, waiting in late:  # the last late ones commit, and the sealer catches up
            self.rows[waiting["id"]] = waiting
        self.at += 2 * GRACE
        while self.seal().rows:
            pass
        for _ in range(tail):  # written after the sealer's last round: unsealed, no holes
            self.at += datetime.timedelta(seconds=1)
            entry = self.entry()
            self.rows[entry["id"]] = entry
        self.now = self.at + datetime.timedelta(hours=1)

    def entry(self) -> dict:
        self.last_id += 1
        staff = self.rng.random() < 0.9
        row = {
            "id": self.last_id,
            "action": self.rng.choice(["plan.read", "plan.list", "plan.print"]),
            "user_id": self.rng.randint(1, 9) if staff else None,
            "unit_id": self.rng.randint(1, 5) if staff else None,
            "organization_id": self.rng.randint(1, 3) if staff else None,
            "person_id": self.rng.choice(self.people),
            "object_type": "plan",
            "object_id": str(uuid.UUID(int=self.rng.getrandbits(128))),
            "request_id": self.rng.choice(["", f"req-{self.last_id}", "ö|x=1:2\n"]),
            "channel": "web" if staff else "citizen",
            "at": self.at,
            "sequence": None,
            "prev_hash": "",
            "entry_hash": "",
        }
        row["content_hash"] = content_hash_compute(row)
        return row

    def new_gap(self, first: int, last: int) -> dict:
        self.last_id += 1
        return gap_row(self.last_id, first, last, self.at)

    def seal(self, limit: int = 40) -> SealPlan:
        unsealed = sorted(
            (r for r in self.rows.values() if r["sequence"] is None), key=lambda r: r["id"]
        )
        late = [r for r in unsealed if r["id"] <= self.head.sealed_id] if self.head.sequence else []
        fresh = sorted(
            (r for r in self.rows.values() if r["id"] > self.head.sealed_id), key=lambda r: r["id"]
        )
        plan = seal_plan(
            self.head,
            late[:limit],
            fresh[: limit - len(late[:limit])],
            last_id=self.last_id,
            now=self.at,
            grace=GRACE,
            new_gap=self.new_gap,
        )
        for row in plan.rows:
            self.rows[row["id"]] = row
        self.head = plan.head
        return plan

    def purge(self, count: int) -> None:
        sealed = sorted(
            (r for r in self.rows.values() if r["sequence"] is not None),
            key=lambda r: r["sequence"],
        )
        for row in sealed[:count]:
            del self.rows[row["id"]]
        last = sealed[count - 1]
        self.head = replace(
            self.head, anchor_sequence=last["sequence"], anchor_hash=last["entry_hash"]
        )

    def sealed(self) -> list[dict]:
        return walked([dict(r) for r in self.rows.values() if r["sequence"] is not None])

    def tail(self) -> list[dict]:
        return sorted(
            (dict(r) for r in self.rows.values() if r["sequence"] is None), key=lambda r: r["id"]
        )

    def verify(self, sealed, tail, head=None):
        return verify_log(
            [*walked(sealed), *sorted(tail, key=lambda r: r["id"])],
            head or self.head,
            last_id=self.last_id,
            now=self.now,
            grace=GRACE,
        )


# Tamperings of the unsealed tail: each changes fresh copies and names the id of the first bad
# entry in id order (the tail has no sequences).


def tail_edit(tail, rng):
    k = rng.randrange(len(tail))
    row = tail[k]
    field = rng.choice([*CONTENT_FIELDS, "content_hash", "id"])
    if field == "content_hash":
        row[field] = random_hash(rng)
        return tail, row["id"]
    if field == "id":  # moved to an unused id: its old place is a hole before the next one
        row["id"] = max(r["id"] for r in tail) + rng.randint(1, 5)
        return tail, tail[k + 1]["id"] if k + 1 < len(tail) else row["id"]
    row[field] = changed(field, row[field], rng)
    return tail, row["id"]


def tail_delete(tail, rng):
    k = rng.randrange(len(tail) - 1)  # the newest entry: see the test below
    del tail[k]
    return tail, tail[k]["id"]


def tail_insert(tail, rng):
    """A forged entry with its content hash recomputed: on an id that is taken, or beyond the
    ids handed out, or without recomputing the hash."""
    template = dict(rng.choice(tail))
    kind = rng.choice(["taken", "beyond", "stale_hash"])
    forged = template | {"object_id": "forged", "user_id": 99}
    if kind == "beyond":
        forged["id"] = 10**6 + rng.randint(1, 99)
    if kind != "stale_hash":
        forged["content_hash"] = content_hash_compute(forged)
    return [*tail, forged], forged["id"]


def tail_reorder(tail, rng):
    """Two entries swap places (their ids) or times, their hashes left as they were."""
    i, j = sorted(rng.sample(range(len(tail)), 2))
    field = rng.choice(["id", "at"])
    tail[i][field], tail[j][field] = tail[j][field], tail[i][field]
    return tail, min(tail[i]["id"], tail[j]["id"])


TAIL_TAMPERINGS = [tail_edit, tail_delete, tail_insert, tail_reorder]


def test_the_content_hash_is_sha256_over_the_documented_lines():
    log = Log(random.Random(11), size=30, tail=10)
    for row in log.rows.values():
        assert row["content_hash"] == reference_content_hash(row)
    row = next(iter(log.rows.values()))
    assert chain.content_canonical(row).startswith(b"samplan-access-log-content-v1\nid=4:")


def test_a_log_sealed_in_blocks_with_late_commits_and_gaps_verifies():
    log = Log(random.Random(12), size=240, tail=40)
    sealed, tail = log.sealed(), log.tail()
    assert len(tail) == 40
    gaps = [gap_range(r) for r in sealed if gap_range(r)]
    assert gaps, "some inserts were rolled back"
    late = [r for r, before in zip(sealed[1:], sealed, strict=False) if r["id"] < before["id"]]
    assert late, "some entries were sealed after a later id: late commits"
    verdict = log.verify(sealed, tail)
    assert verdict.ok, verdict
    assert (verdict.entries, verdict.unsealed, verdict.gaps) == (len(sealed) + 40, 40, tuple(gaps))


@pytest.mark.parametrize("purged", [0, 35])
def test_a_thousand_random_tamperings_in_sealed_blocks_and_the_tail_are_found_first(purged):
    rng = random.Random(31337 + purged)
    log = Log(rng, size=240, tail=40)
    if purged:
        log.purge(purged)
    original_sealed, original_tail = log.sealed(), log.tail()
    assert log.verify(original_sealed, original_tail).ok
    kinds = {}
    for attempt in range(1000):
        sealed = [dict(r) for r in original_sealed]
        tail = [dict(r) for r in original_tail]
        if rng.random() < 0.5:
            tampering = rng.choice(TAMPERINGS)
            sealed, head, expected = tampering(sealed, log.head, rng)
            verdict = log.verify(sealed, tail, head)
            found = verdict.first_bad_sequence
            assert not verdict.in_tail, (attempt, tampering.__name__, verdict)
        else:
            tampering = rng.choice(TAIL_TAMPERINGS)
            tail, expected = tampering(tail, rng)
            verdict = log.verify(sealed, tail)
            found = verdict.entry_id
            assert verdict.in_tail and verdict.first_bad_sequence is None, (attempt, verdict)
        context = (attempt, tampering.__name__, verdict)
        assert not verdict.ok, context
        assert found == expected, context
        assert verdict.reason, context
        kinds.setdefault(tampering.__name__, set()).add(verdict.code)
    assert set(kinds) == {t.__name__ for t in TAMPERINGS + TAIL_TAMPERINGS}
    assert "tail_gap" in kinds["tail_delete"]
    assert {"duplicate_id", "beyond_ids", "tail_hash_mismatch"} <= kinds["tail_insert"]
    assert kinds["tail_reorder"] == {"tail_hash_mismatch"}


def test_a_tail_entry_that_may_still_be_committing_is_no_hole():
    """A missing id is an insert under way until the entry after it is older than the grace;
    the newest entries can be deleted unnoticed until a later entry follows them."""
    log = Log(random.Random(13), size=60, tail=10)
    sealed, tail = log.sealed(), log.tail()
    del tail[4]
    young = verify_log(
        [*sealed, *tail], log.head, last_id=log.last_id, now=tail[4]["at"] + GRACE / 2, grace=GRACE
    )
    assert young.ok
    old = verify_log(
        [*sealed, *tail], log.head, last_id=log.last_id, now=tail[4]["at"] + 2 * GRACE, grace=GRACE
    )
    assert (old.ok, old.code, old.entry_id) == (False, "tail_gap", tail[4]["id"])
    assert log.verify(sealed, log.tail()[:-1]).ok  # the newest one: no later entry shows it


def test_the_sealer_seals_in_id_order_in_blocks_and_a_second_run_seals_nothing():
    log = Log(random.Random(14), size=5, tail=50)
    before = log.head
    first = log.seal(limit=20)
    assert [r["sequence"] for r in first.rows] == list(
        range(before.sequence + 1, before.sequence + 21)
    )
    assert [r["id"] for r in first.rows] == sorted(r["id"] for r in first.rows)
    assert first.rows[0]["prev_hash"] == before.entry_hash
    assert (log.head.sequence, log.head.sealed_id) == (before.sequence + 20, first.rows[-1]["id"])
    while log.seal(limit=20).rows:
        pass
    assert log.tail() == []
    assert log.seal().rows == []
    assert log.verify(log.sealed(), []).ok


def test_the_sealer_waits_for_a_young_hole_then_records_it_as_a_gap_entry():
    log = Log(random.Random(15), size=5, tail=0)
    log.last_id += 1  # an id handed out, its insert not committed yet
    hole = log.last_id
    for _ in range(3):
        log.at += datetime.timedelta(seconds=1)
        entry = log.entry()
        log.rows[entry["id"]] = entry
    waiting = log.seal()
    assert waiting.rows == [] and log.head.sealed_id == hole - 1
    log.at += GRACE
    plan = log.seal()
    gap = plan.rows[0]
    assert gap_range(gap) == (hole, hole) and plan.gap_rows == [gap]
    assert (gap["action"], gap["channel"], gap["person_id"]) == ("log.gap", "system", None)
    assert [r["id"] for r in plan.rows[1:]] == [hole + 1, hole + 2, hole + 3]
    # The insert commits after all: sealed as a late commit, and the log still verifies.
    late = log.entry() | {"id": hole}
    late["content_hash"] = content_hash_compute(late)
    log.rows[hole] = late
    assert [r["id"] for r in log.seal().rows] == [hole]
    assert log.verify(log.sealed(), []).ok


def test_the_sealer_never_seals_an_entry_it_cannot_vouch_for():
    log = Log(random.Random(16), size=5, tail=6)
    bad = log.tail()[3]
    log.rows[bad["id"]]["object_id"] = "changed"
    plan = log.seal()
    assert len(plan.rows) == 3  # the entries before it
    assert (plan.problem.entry_id, plan.problem.code) == (bad["id"], "tail_hash_mismatch")
    assert log.seal().rows == [] and log.rows[bad["id"]]["sequence"] is None
    verdict = log.verify(log.sealed(), log.tail())
    assert (verdict.entry_id, verdict.code, verdict.in_tail) == (
        bad["id"],
        "tail_hash_mismatch",
        True,
    )


def test_the_first_entry_ever_sealed_starts_the_chain_whatever_its_id():
    """Ids handed out before the log's first entry (rolled back, or a test's) are no gap."""
    log = Log(random.Random(17), size=0, tail=0)
    log.last_id += 56
    for _ in range(3):
        entry = log.entry()
        log.rows[entry["id"]] = entry
    plan = log.seal()
    assert [r["sequence"] for r in plan.rows] == [1, 2, 3] and not plan.gap_rows
    assert log.verify(log.sealed(), []).ok
