"""The access log in the database: chained on every write, never changed, verified end to end."""

import datetime
import threading

import pytest
from django.db import DatabaseError, connection, connections, models, transaction
from django.utils import timezone

from samplan.audit.chain import GENESIS_HASH, entry_hash_compute
from samplan.audit.models import AccessLogEntry, AccessLogHead, AppendOnlyError
from samplan.audit.services import AccessLogUnavailable, access_log_seal, access_log_verify
from samplan.audit.tests.access_log_helpers import (
    ENTRIES,
    HEAD,
    POSTGRES,
    chain_rows,
    constraints_checked_now,
    record,
    record_at,
    run_command,
    seal,
    sql,
    staff_request,
    tamper,
)
from samplan.audit.tests.test_access_log_chain import reference_hash
from samplan.people.models import Person

only_postgres = pytest.mark.skipif(not POSTGRES, reason="the triggers are PostgreSQL's")
only_sqlite = pytest.mark.skipif(POSTGRES, reason="on PostgreSQL the trigger refuses this")


@pytest.fixture
def request_as_alice(alice, needs_assessment):
    return staff_request(alice, needs_assessment)


@pytest.fixture
def log(request_as_alice, person):
    """Ten entries: four single reads and a list page of six."""
    for _ in range(4):
        record(request_as_alice, person)
    record(request_as_alice, person, count=6, action="plan.list")
    return chain_rows()


def test_every_entry_links_to_the_one_before_with_the_documented_hash(
    log, alice, needs_assessment, person
):
    assert [row["sequence"] for row in log] == list(range(1, 11))
    assert log[0]["prev_hash"] == GENESIS_HASH
    for before, after in zip(log, log[1:], strict=False):
        assert after["prev_hash"] == before["entry_hash"]
    for entry in AccessLogEntry.objects.all():
        assert entry.entry_hash == reference_hash(entry.chain_row())
    entry = AccessLogEntry.objects.get(sequence=1)
    assert (entry.user, entry.unit, entry.organization, entry.person) == (
        alice,
        needs_assessment,
        needs_assessment.organization,
        person,
    )
    assert (entry.action, entry.request_id, entry.channel) == ("plan.read", "req-1", "web")
    head = AccessLogHead.objects.get()
    assert (head.sequence, head.entry_hash) == (10, log[-1]["entry_hash"])


def test_the_time_is_set_before_the_insert_and_is_one_for_a_list_page(log):
    list_page = AccessLogEntry.objects.filter(action="plan.list")
    assert list_page.values("at").distinct().count() == 1
    assert abs(timezone.now() - list_page.first().at) < datetime.timedelta(minutes=1)


def test_an_entry_is_never_changed_or_deleted_through_the_models(log):
    entry = AccessLogEntry.objects.get(sequence=3)
    entry.action = "plan.edited"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AccessLogEntry.objects.filter(sequence=3).update(action="plan.edited")
    with pytest.raises(AppendOnlyError):
        AccessLogEntry.objects.update(action="plan.edited")
    with pytest.raises(AppendOnlyError):
        AccessLogEntry.objects.filter(sequence=3).delete()
    with pytest.raises(AppendOnlyError):
        AccessLogEntry.objects.all().delete()
    assert AccessLogEntry.objects.get(sequence=3).action == "plan.read"
    assert AccessLogEntry.objects.count() == 10
    assert run_command("verify_access_log") == (0, "access log OK: 10 entries", "")


def test_verify_reports_an_intact_log_with_its_length(log):
    assert run_command("verify_access_log") == (0, "access log OK: 10 entries", "")
    assert access_log_verify().entries == 10


def test_an_empty_log_verifies(db):
    assert run_command("verify_access_log") == (0, "access log OK: 0 entries", "")


# --- Tampering on the database, end to end ------------------------------------------------


def broken(sequence: int, entry_id, reason: str) -> tuple[int, str, str]:
    return 1, "", f"access log BROKEN at sequence {sequence} (id {entry_id}): {reason}"


def ids(log) -> dict[int, int]:
    return {row["sequence"]: row["id"] for row in log}


def test_an_edited_entry_is_found(log):
    tamper(f'UPDATE "{ENTRIES}" SET action = %s WHERE sequence = 4', ["plan.nothing"])
    assert run_command("verify_access_log") == broken(
        4, ids(log)[4], "hash mismatch: the entry was changed"
    )


def test_an_entry_edited_to_another_individual_is_found(log, person):
    other = Person.objects.create(
        identity_kind=person.identity_kind,
        identity_number="199001019802",
        birth_date=datetime.date(1990, 1, 1),
        given_name="Olle",
        family_name="Annan",
    )
    tamper(f'UPDATE "{ENTRIES}" SET person_id = %s WHERE sequence = 7', [other.pk.hex])
    assert run_command("verify_access_log") == broken(
        7, ids(log)[7], "hash mismatch: the entry was changed"
    )


def test_a_deleted_entry_is_found_at_the_next_one(log):
    tamper(f'DELETE FROM "{ENTRIES}" WHERE sequence = 5')
    assert run_command("verify_access_log") == broken(
        6,
        ids(log)[6],
        "prev_hash mismatch: the entry does not follow sequence 4 "
        "(an entry was deleted, inserted or moved)",
    )


def test_deleted_last_entries_are_found_against_the_head(log):
    tamper(f'DELETE FROM "{ENTRIES}" WHERE sequence >= 8')
    assert run_command("verify_access_log") == broken(
        8, "-", "entries missing at the end: the chain ends at sequence 7 but the head is at 10"
    )


def test_reordered_entries_are_found(log):
    tamper(f'UPDATE "{ENTRIES}" SET sequence = -2 WHERE sequence = 2')
    tamper(f'UPDATE "{ENTRIES}" SET sequence = 2 WHERE sequence = 9')
    tamper(f'UPDATE "{ENTRIES}" SET sequence = 9 WHERE sequence = -2')
    assert run_command("verify_access_log") == broken(
        2, ids(log)[9], "hash mismatch: the entry was changed"
    )


def test_an_inserted_entry_is_found(log):
    last = AccessLogEntry.objects.get(sequence=10)
    forged = last.chain_row() | {"sequence": 11, "object_id": "forged"}
    forged["prev_hash"] = "f" * 64
    AccessLogEntry.objects.create(**forged, entry_hash=entry_hash_compute(forged))
    forged_id = AccessLogEntry.objects.get(sequence=11).pk
    assert run_command("verify_access_log") == broken(
        11,
        forged_id,
        "prev_hash mismatch: the entry does not follow sequence 10 "
        "(an entry was deleted, inserted or moved)",
    )


def test_a_rewritten_head_is_found(log):
    tamper(f'UPDATE "{HEAD}" SET entry_hash = %s', ["e" * 64])
    assert run_command("verify_access_log") == broken(
        10, ids(log)[10], "the last entry does not match the chain head"
    )


def test_a_missing_head_is_found_and_stops_further_reads(log, request_as_alice, person):
    tamper(f'DELETE FROM "{HEAD}"')
    assert run_command("verify_access_log") == (
        1,
        "",
        "access log BROKEN: the chain head is missing",
    )
    with pytest.raises(AccessLogUnavailable):
        record(request_as_alice, person)
    assert AccessLogEntry.objects.count() == 10


def test_appends_after_a_tampering_do_not_hide_it(log, request_as_alice, person):
    tamper(f'DELETE FROM "{ENTRIES}" WHERE sequence = 10')
    record(request_as_alice, person)  # continues from the head, not from the shortened table
    assert AccessLogEntry.objects.get(sequence=11).prev_hash == log[-1]["entry_hash"]
    code, _out, err = run_command("verify_access_log")
    assert code == 1 and "at sequence 11" in err


def test_a_missing_head_on_an_empty_log_is_created_by_the_next_write(db, request_as_alice, person):
    tamper(f'DELETE FROM "{HEAD}"')
    record(request_as_alice, person, count=2)
    assert AccessLogHead.objects.get().sequence == 2
    assert run_command("verify_access_log") == (0, "access log OK: 2 entries", "")


# --- PostgreSQL: the database itself refuses ----------------------------------------------


REFUSED = "append-only|only moves forward|anchor moves forward|never removed"


def refused(statement: str, params=()) -> None:
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
        sql(statement, params)


@only_postgres
def test_postgresql_refuses_update_delete_and_truncate_of_the_log(log):
    before = AccessLogEntry.objects.get(sequence=3)
    refused(f'UPDATE "{ENTRIES}" SET action = %s WHERE sequence = 3', ["plan.edited"])
    refused(f'DELETE FROM "{ENTRIES}" WHERE sequence = 3')
    # The ORM's own statements, past the model's guard, meet the trigger too.
    with pytest.raises(DatabaseError), transaction.atomic():
        models.QuerySet.update(AccessLogEntry.objects.filter(sequence=3), action="plan.edited")
    with pytest.raises(DatabaseError), transaction.atomic():
        models.QuerySet.delete(AccessLogEntry.objects.filter(sequence=3))
    # Test databases (test_...) let TRUNCATE through for the test runner; a real one does not.
    sql(
        "CREATE OR REPLACE FUNCTION samplan_is_test_database() RETURNS boolean "
        "LANGUAGE sql AS $$ SELECT false $$"
    )
    constraints_checked_now()
    refused(f'TRUNCATE "{ENTRIES}" CASCADE')
    refused(f'TRUNCATE "{HEAD}"')
    after = AccessLogEntry.objects.get(sequence=3)
    assert after.chain_row() | {"entry_hash": after.entry_hash} == before.chain_row() | {
        "entry_hash": before.entry_hash
    }
    assert AccessLogEntry.objects.count() == 10
    assert run_command("verify_access_log") == (0, "access log OK: 10 entries", "")


@only_postgres
def test_postgresql_keeps_the_head_moving_forward_only(log):
    refused(f'UPDATE "{HEAD}" SET sequence = 7')
    refused(f'UPDATE "{HEAD}" SET entry_hash = %s', ["e" * 64])
    refused(f'UPDATE "{HEAD}" SET anchor_sequence = 5')
    refused(f'DELETE FROM "{HEAD}"')
    head = AccessLogHead.objects.get()
    assert (head.sequence, head.anchor_sequence) == (10, 0)


@only_postgres
def test_postgresql_lets_the_purge_delete_only_rows_past_the_retention(
    db, alice, needs_assessment, person
):
    record_at(timezone.now() - datetime.timedelta(days=11 * 365), alice, needs_assessment, person)
    record_at(timezone.now() - datetime.timedelta(days=4 * 365), alice, needs_assessment, person)
    refused(f'DELETE FROM "{ENTRIES}" WHERE sequence = 1')  # old, but no purge flag
    with transaction.atomic():
        sql("SET LOCAL samplan.retention_purge = 'on'")
        sql("SELECT set_config('samplan.retention_days', '100', true)")  # the floor is 5 years
        with pytest.raises(DatabaseError, match="within the retention"), transaction.atomic():
            sql(f'DELETE FROM "{ENTRIES}" WHERE sequence = 2')
        assert sql(f'DELETE FROM "{ENTRIES}" WHERE sequence = 1') == 1
    assert list(AccessLogEntry.objects.values_list("sequence", flat=True)) == [2]


@only_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_on_postgresql_make_one_unbroken_chain(alice, needs_assessment, person):
    """Writers append with no lock while two sealers run (one at a time gets to seal)."""
    writers, per_writer, batch = 6, 8, 3
    errors = []
    start = threading.Barrier(writers + 2)
    writing = threading.Event()
    writing.set()

    def write():
        try:
            request = staff_request(alice, needs_assessment)
            start.wait()
            for _ in range(per_writer):
                record(request, person, count=batch, sealed=False)
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    def keep_sealing():
        try:
            start.wait()
            while writing.is_set():
                access_log_seal(limit=7)
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    sealers = [threading.Thread(target=keep_sealing) for _ in range(2)]
    threads = [threading.Thread(target=write) for _ in range(writers)]
    for thread in sealers + threads:
        thread.start()
    for thread in threads:
        thread.join()
    writing.clear()
    for thread in sealers:
        thread.join()
    assert errors == []
    seal()
    total = writers * per_writer * batch
    assert [row["sequence"] for row in chain_rows()] == list(range(1, total + 1))
    assert not AccessLogEntry.objects.filter(sequence__isnull=True).exists()
    assert run_command("verify_access_log") == (0, f"access log OK: {total} entries", "")
    assert connection.vendor == "postgresql"
