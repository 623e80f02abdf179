"""Appends with no lock, the sealer that chains them, and the unsealed tail, in the database."""

import datetime
import threading
import time

import pytest
from django.db import DatabaseError, connection, connections, transaction
from django.test import override_settings
from django.utils import timezone

from samplan.audit import services
from samplan.audit.models import AccessLogEntry, AccessLogHead
from samplan.audit.services import access_log_seal, gap_grace
from samplan.audit.tests.access_log_helpers import (
    ENTRIES,
    HEAD,
    POSTGRES,
    burn_id,
    chain_rows,
    record,
    record_at,
    run_command,
    seal,
    sql,
    staff_request,
    tamper,
)
from samplan.audit.tests.test_access_log_chain import reference_content_hash
from samplan.audit.worker import sealer_start

only_postgres = pytest.mark.skipif(not POSTGRES, reason="the triggers are PostgreSQL's")
REFUSED = "append-only|only moves forward"


@pytest.fixture
def request_as_alice(alice, needs_assessment):
    return staff_request(alice, needs_assessment)


def unsealed_ids() -> list[int]:
    return list(
        AccessLogEntry.objects.filter(sequence__isnull=True)
        .order_by("id")
        .values_list("id", flat=True)
    )


def later() -> datetime.datetime:
    """A time when every hole there is now has outlived the sealer's grace period."""
    return timezone.now() + gap_grace() + datetime.timedelta(seconds=1)


def broken_in_tail(entry_id, reason: str) -> tuple[int, str, str]:
    return 1, "", f"access log BROKEN at id {entry_id} (not sealed yet): {reason}"


def test_an_append_is_a_row_at_once_unsealed_with_its_content_hash(db, request_as_alice, person):
    record(request_as_alice, person, count=3, sealed=False)
    entries = list(AccessLogEntry.objects.order_by("id"))
    assert len(entries) == 3
    assert [e.id - entries[0].id for e in entries] == [0, 1, 2]
    for entry in entries:
        assert (entry.sequence, entry.prev_hash, entry.entry_hash) == (None, "", "")
        assert entry.content_hash == reference_content_hash(entry.content_row())
    assert run_command("verify_access_log") == (
        0,
        "access log OK: 3 entries, 3 of them not sealed yet",
        "",
    )


def test_the_sealer_chains_in_id_order_in_blocks_and_moves_the_head(db, request_as_alice, person):
    record(request_as_alice, person, count=7, sealed=False)
    ids = unsealed_ids()
    assert access_log_seal(limit=3) == 3
    assert [(r["sequence"], r["id"]) for r in chain_rows()] == list(
        zip([1, 2, 3], ids[:3], strict=True)
    )
    assert unsealed_ids() == ids[3:]
    assert seal() == 4
    rows = chain_rows()
    assert [(r["sequence"], r["id"]) for r in rows] == list(zip(range(1, 8), ids, strict=True))
    head = AccessLogHead.objects.get()
    assert (head.sequence, head.entry_hash, head.sealed_id) == (7, rows[-1]["entry_hash"], ids[-1])
    assert access_log_seal() == 0  # a second run finds nothing to do
    assert chain_rows() == rows
    assert run_command("verify_access_log") == (0, "access log OK: 7 entries", "")


def test_a_missing_id_is_waited_for_then_sealed_over_as_a_gap_entry(db, request_as_alice, person):
    record(request_as_alice, person, count=2)
    burn_id()  # an insert that was rolled back
    record(request_as_alice, person, count=2, sealed=False)
    hole = min(unsealed_ids()) - 1
    assert seal() == 0  # the insert may still be under way
    assert access_log_seal(now=later()) == 3  # the gap entry, then the two after it
    gap = AccessLogEntry.objects.get(action="log.gap")
    assert (gap.object_type, gap.object_id, gap.channel) == (
        "accesslogentry",
        f"{hole}-{hole}",
        "system",
    )
    assert (gap.user, gap.unit, gap.person, gap.sequence) == (None, None, None, 3)
    assert [r["sequence"] for r in chain_rows()] == [1, 2, 3, 4, 5]
    assert run_command("verify_access_log") == (
        0,
        f"access log OK: 5 entries; 1 gap entries record ids never written: {hole}-{hole}",
        "",
    )


def test_a_late_commit_is_sealed_after_the_gap_recorded_for_it(db, alice, needs_assessment, person):
    """An insert that takes longer than the grace period: its id is first sealed over as a
    gap, then the entry itself is sealed when it arrives, and the log still verifies."""
    request = staff_request(alice, needs_assessment)
    record(request, person)
    burn_id()
    record(request, person, count=2, sealed=False)
    late_id = min(unsealed_ids()) - 1
    access_log_seal(now=later())
    late = AccessLogEntry(
        id=late_id,
        at=timezone.now(),
        action="plan.read",
        user=alice,
        unit=needs_assessment,
        organization=needs_assessment.organization,
        person=person,
        object_type="person",
        object_id=str(person.pk),
    )
    late.content_hash = services.chain.content_hash_compute(late.content_row())
    assert services._entries_insert([late], needs_head=True)
    assert seal() == 1
    assert AccessLogEntry.objects.get(id=late_id).sequence == 5
    code, out, _err = run_command("verify_access_log")
    assert (code, out.split(";")[0]) == (0, "access log OK: 5 entries")


def test_verify_names_an_edited_unsealed_entry_and_the_sealer_leaves_it(
    db, request_as_alice, person, caplog
):
    record(request_as_alice, person, count=4, sealed=False)
    ids = unsealed_ids()
    tamper(f'UPDATE "{ENTRIES}" SET action = %s WHERE id = %s', ["plan.nothing", ids[2]])
    edited = broken_in_tail(ids[2], "hash mismatch: the unsealed entry was changed")
    assert run_command("verify_access_log") == edited
    assert seal() == 2  # the entries before it
    assert unsealed_ids() == ids[2:]
    assert f"sealer stopped at entry id {ids[2]}" in caplog.text
    assert run_command("verify_access_log") == edited


def test_verify_names_the_entry_after_a_deleted_unsealed_one(db, alice, needs_assessment, person):
    record_at(
        timezone.now() - datetime.timedelta(hours=1),
        alice,
        needs_assessment,
        person,
        4,
        sealed=False,
    )
    ids = unsealed_ids()
    tamper(f'DELETE FROM "{ENTRIES}" WHERE id = %s', [ids[1]])
    grace = int(2 * gap_grace().total_seconds())
    assert run_command("verify_access_log") == broken_in_tail(
        ids[2],
        f"ids {ids[1]} to {ids[1]} are missing before this entry for more than {grace} s: "
        "entries were deleted, or never written and not recorded as a gap (is the sealer "
        "running?)",
    )


@only_postgres  # SQLite's id counter follows any id inserted; its primary key is the id alone
def test_verify_names_a_forged_unsealed_entry(db, request_as_alice, person):
    record(request_as_alice, person, count=3, sealed=False)
    ids = unsealed_ids()
    entry = AccessLogEntry.objects.get(id=ids[1])
    # An id the sequence never handed out, and an id already taken (the real key is (id, at)).
    for forged_id, reason in zip(
        [ids[-1] + 1000, ids[1]],
        [
            f"the entry's id lies beyond the last id handed out, {ids[-1]} (inserted)",
            "another entry has the same id (inserted)",
        ],
        strict=True,
    ):
        with transaction.atomic():
            forged = entry.content_row() | {"id": forged_id, "object_id": "forged"}
            forged["at"] += datetime.timedelta(seconds=1)
            forged = AccessLogEntry(**forged)
            forged.content_hash = services.chain.content_hash_compute(forged.content_row())
            services._entries_insert([forged], needs_head=False)
            assert run_command("verify_access_log") == broken_in_tail(forged_id, reason)
            transaction.set_rollback(True)


def test_verify_can_seal_first(db, request_as_alice, person):
    record(request_as_alice, person, count=3, sealed=False)
    assert run_command("verify_access_log", "--seal") == (0, "access log OK: 3 entries", "")
    assert unsealed_ids() == []


def test_an_unsealed_log_whose_head_is_gone_is_broken(db, request_as_alice, person):
    record(request_as_alice, person, count=2, sealed=False)
    tamper(f'DELETE FROM "{HEAD}"')
    assert run_command("verify_access_log") == (
        1,
        "",
        "access log BROKEN: the chain head is missing",
    )
    assert access_log_seal() == 0


# --- Durability and the worker ---------------------------------------------------------------


def seen_by_another_connection(entry_id: int) -> bool:
    found = []

    def look():
        try:
            found.append(AccessLogEntry.objects.filter(id=entry_id).exists())
        finally:
            connections.close_all()

    thread = threading.Thread(target=look)
    thread.start()
    thread.join()
    return found[0]


@pytest.mark.django_db(transaction=True)
def test_the_entry_is_committed_before_the_append_returns(request_as_alice, person):
    assert not connection.in_atomic_block
    record(request_as_alice, person, sealed=False)
    assert seen_by_another_connection(AccessLogEntry.objects.get().id)


@pytest.mark.django_db(transaction=True)
@override_settings(ACCESS_LOG_SEAL_SECONDS=0.05)
def test_the_worker_seals_in_the_background(request_as_alice, person):
    stop = threading.Event()
    thread = sealer_start(stop)
    try:
        record(request_as_alice, person, count=5, sealed=False)
        deadline = time.monotonic() + 10
        while unsealed_ids() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert unsealed_ids() == []
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
    assert run_command("verify_access_log") == (0, "access log OK: 5 entries", "")


# --- PostgreSQL: sealing is the trigger's one exception for UPDATE ---------------------------


def refused(statement: str, params=()) -> None:
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
        sql(statement, params)


@only_postgres
def test_postgresql_lets_sealing_fill_in_only_the_chain_fields_of_unsealed_entries(
    db, request_as_alice, person
):
    record(request_as_alice, person)
    record(request_as_alice, person, count=2, sealed=False)
    sealed_id = chain_rows()[0]["id"]
    unsealed = unsealed_ids()[0]
    chain_fields = "sequence = 9, prev_hash = %s, entry_hash = %s"
    hashes = ["a" * 64, "b" * 64]
    refused(f'UPDATE "{ENTRIES}" SET {chain_fields} WHERE id = %s', [*hashes, unsealed])  # no flag
    with transaction.atomic():
        sql("SET LOCAL samplan.sealing = 'on'")
        for statement, params in [
            ("action = 'plan.edited'", []),
            (f"{chain_fields}, action = 'plan.edited'", hashes),
            (f"{chain_fields}, content_hash = %s", [*hashes, "c" * 64]),
            (f"{chain_fields}, at = at + interval '1 second'", hashes),
            ("sequence = 9, prev_hash = 'not hex', entry_hash = 'x'", []),
        ]:
            refused(f'UPDATE "{ENTRIES}" SET {statement} WHERE id = %s', [*params, unsealed])
        # A sealed entry is never sealed again.
        refused(f'UPDATE "{ENTRIES}" SET {chain_fields} WHERE id = %s', [*hashes, sealed_id])
        with transaction.atomic():
            assert (
                sql(f'UPDATE "{ENTRIES}" SET {chain_fields} WHERE id = %s', [*hashes, unsealed])
                == 1
            )
            transaction.set_rollback(True)
        sql("SET LOCAL samplan.sealing = 'off'")
    # The head moves only while sealing.
    refused(f'UPDATE "{HEAD}" SET sequence = sequence + 1, entry_hash = %s', ["d" * 64])
    refused(f'UPDATE "{HEAD}" SET sealed_id = sealed_id + 1')
    assert run_command("verify_access_log") == (
        0,
        "access log OK: 3 entries, 2 of them not sealed yet",
        "",
    )


@only_postgres
@pytest.mark.django_db(transaction=True)
def test_the_bench_command_measures_appends_with_the_sealer_running(alice, person):
    code, out, err = run_command("bench_access_log", "--writers", "2", "--seconds", "0.5")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].startswith("bench: access-log appends, 2 writers: ")
    assert lines[0].endswith(" per second")
    assert "sealer: sealed " in out
    assert unsealed_ids() == []
    assert AccessLogEntry.objects.filter(action="bench.read", user=alice).exists()
    assert run_command("verify_access_log")[0] == 0


@only_postgres
@pytest.mark.parametrize(
    ("text", "at"),
    [
        ("plain", datetime.datetime(2026, 12, 4, 21, 0, tzinfo=datetime.UTC)),
        ("åäö ✓ 😀 'quoted' \"double\"", datetime.datetime(2026, 1, 1, 0, 0, 0, 1, datetime.UTC)),
        ("a|b=c:d\nid=4:1\\", datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)),
        (
            "",
            datetime.datetime(
                2026, 6, 30, 23, 59, 59, 999999, datetime.timezone(datetime.timedelta(hours=2))
            ),
        ),
    ],
)
def test_the_database_computes_the_same_content_hash_as_python(db, text, at):
    row = {
        "id": 9007199254740993,
        "at": at,
        "action": text[:40],
        "object_type": "plan",
        "object_id": text[:64],
        "request_id": text,
        "channel": "web",
        "user_id": None if text else 7,
        "unit_id": 3,
        "organization_id": None,
        "person_id": "0f8fad5b-d9cb-469f-a165-70867728950e",
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT samplan_access_log_content_hash(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [row[field] for field in services.chain.CONTENT_HASH_FIELDS[:7]]
            + [None if row[f] is None else str(row[f]) for f in services.chain.REFERENCE_FIELDS],
        )
        (from_database,) = cursor.fetchone()
    assert from_database == services.chain.content_hash_compute(row) == reference_content_hash(row)
