"""PostgreSQL: the access log is partitioned by month; the purge drops old months whole."""

import datetime
import threading

import pytest
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone

from samplan.audit import services
from samplan.audit.models import AccessLogEntry, AccessLogHead
from samplan.audit.services import (
    access_log_backlog,
    access_log_partition_create,
    access_log_partitions,
    access_log_partitions_ensure,
    access_log_purge,
)
from samplan.audit.tests.access_log_helpers import (
    POSTGRES,
    chain_rows,
    constraints_checked_now,
    record,
    record_at,
    run_command,
    sql,
    staff_request,
)

pytestmark = pytest.mark.skipif(not POSTGRES, reason="only PostgreSQL partitions the log")

YEAR = datetime.timedelta(days=365)


def month_start(at: datetime.datetime) -> datetime.date:
    return at.astimezone(datetime.UTC).date().replace(day=1)


def partition_name(month: datetime.date) -> str:
    return f"audit_accesslogentry_p{month:%Y_%m}"


def where(entry_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text FROM audit_accesslogentry WHERE id = %s", [entry_id]
        )
        return cursor.fetchone()[0]


def exists(table: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
        return cursor.fetchone()[0]


@pytest.fixture
def request_as_alice(alice, needs_assessment):
    return staff_request(alice, needs_assessment)


def test_an_entry_lands_in_its_months_partition(db, request_as_alice, person):
    record(request_as_alice, person)
    entry = AccessLogEntry.objects.get()
    assert where(entry.id) == partition_name(month_start(entry.at))


def test_this_month_and_the_next_have_partitions_and_more_are_made_ahead(db):
    now = timezone.now()
    this_month = month_start(now)
    next_month = month_start(now.replace(day=1) + datetime.timedelta(days=32))
    names = {p.name for p in access_log_partitions()}
    assert {partition_name(this_month), partition_name(next_month)} <= names
    assert "audit_accesslogentry_default" in names
    in_two = month_start(now.replace(day=1) + datetime.timedelta(days=63))
    created = access_log_partitions_ensure(2)
    assert partition_name(in_two) in created or partition_name(in_two) in names
    assert access_log_partitions_ensure(2) == []  # idempotent
    with connection.cursor() as cursor:  # a new partition has the log's triggers and indexes
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal"
            " ORDER BY tgname",
            [partition_name(in_two)],
        )
        assert [name for (name,) in cursor.fetchall()] == [
            "audit_accesslogentry_append_only",
            "audit_accesslogentry_no_truncate",
        ]
        cursor.execute(
            "SELECT count(*) FROM pg_indexes WHERE tablename = %s", [partition_name(in_two)]
        )
        assert (
            cursor.fetchone()[0] == 11
        )  # the primary key, the foreign keys, at, the chain and the review's three indexes


def test_the_default_partition_catches_a_far_future_entry(db, alice, needs_assessment, person):
    record_at(datetime.datetime(2100, 1, 1, tzinfo=datetime.UTC), alice, needs_assessment, person)
    entry = AccessLogEntry.objects.get()
    assert where(entry.id) == "audit_accesslogentry_default"
    assert entry.sequence == 1
    assert run_command("verify_access_log") == (0, "access log OK: 1 entries", "")
    assert access_log_backlog().in_default == 1
    code, _out, err = run_command("access_log_partitions")
    assert (code, err) == (1, "the DEFAULT partition holds 1 entries")
    assert access_log_partition_create(datetime.date(2100, 1, 1)) is None  # not over its rows


def test_the_purge_drops_an_old_months_partition_and_the_chain_verifies(
    db, alice, needs_assessment, person, request_as_alice
):
    now = timezone.now()
    old_month = month_start(now - 11 * YEAR)
    old = partition_name(old_month)
    assert access_log_partition_create(old_month) == old
    old_day = datetime.datetime.combine(old_month, datetime.time(8), datetime.UTC)
    record_at(old_day + datetime.timedelta(days=2), alice, needs_assessment, person, count=3)
    record_at(now - 12 * YEAR, alice, needs_assessment, person, count=2)  # no partition: DEFAULT
    record(request_as_alice, person, count=2)
    assert where(chain_rows()[0]["id"]) == old

    constraints_checked_now()  # a table with pending foreign-key checks cannot be dropped
    result = access_log_purge()
    assert (result.deleted, result.anchor_sequence, result.partitions_dropped) == (5, 5, (old,))
    assert not exists(old)
    assert [row["sequence"] for row in chain_rows()] == [6, 7]
    assert AccessLogHead.objects.get().anchor_sequence == 5
    assert run_command("verify_access_log") == (0, "access log OK: 2 entries", "")


def test_an_old_partition_that_holds_a_kept_entry_stays(db, alice, needs_assessment, person):
    """A time set back: an old month's entry sealed after a young one is kept, and so is its
    partition; the purged entries in it are deleted row by row."""
    now = timezone.now()
    old_month = month_start(now - 11 * YEAR)
    old = access_log_partition_create(old_month)
    old_day = datetime.datetime.combine(old_month, datetime.time(8), datetime.UTC)
    record_at(old_day, alice, needs_assessment, person)
    record_at(now - YEAR, alice, needs_assessment, person)
    record_at(old_day + datetime.timedelta(days=1), alice, needs_assessment, person)
    result = access_log_purge()
    assert (result.deleted, result.partitions_dropped) == (1, ())
    assert exists(old)
    assert [row["sequence"] for row in chain_rows()] == [2, 3]
    assert run_command("verify_access_log") == (0, "access log OK: 2 entries", "")


def test_only_the_purge_drops_a_partition_and_only_beyond_the_retention(db):
    this_month = partition_name(month_start(timezone.now()))

    def drop(name: str, match: str) -> None:
        with pytest.raises(DatabaseError, match=match), transaction.atomic():
            sql("SELECT samplan_access_log_partition_drop(%s)", [name])

    drop(this_month, "dropped only by the retention purge")
    with transaction.atomic():
        sql("SET LOCAL samplan.retention_purge = 'on'")
        sql("SELECT set_config('samplan.retention_days', '1', true)")  # the floor is 5 years
        drop(this_month, "within the retention of 1827 days")
        drop("audit_accesslogentry_default", "not a month partition")
        drop("audit_accessloghead", "not a month partition")
    assert exists(this_month)


def test_the_partitions_command_lists_them_and_reports_the_backlog(db, request_as_alice, person):
    record(request_as_alice, person, count=2, sealed=False)
    code, out, err = run_command("access_log_partitions")
    assert (code, err) == (0, "")
    assert out.startswith("unsealed entries: 2, the oldest ")
    assert partition_name(month_start(timezone.now())) in out
    assert "audit_accesslogentry_default: DEFAULT" in out


@pytest.mark.django_db(transaction=True)
def test_a_partition_that_cannot_be_locked_is_purged_row_by_row(
    alice, needs_assessment, person, monkeypatch
):
    """Dropping a partition waits for every reader of the log, and appends wait behind it: so
    it waits at most PARTITION_DROP_LOCK_TIMEOUT, then the rows are deleted instead."""
    monkeypatch.setattr(services, "PARTITION_DROP_ATTEMPTS", 1)
    old_month = month_start(timezone.now() - 11 * YEAR)
    old = access_log_partition_create(old_month)
    old_day = datetime.datetime.combine(old_month, datetime.time(8), datetime.UTC)
    try:
        record_at(old_day, alice, needs_assessment, person, count=2)
        record(staff_request(alice, needs_assessment), person)
        reading, done = threading.Event(), threading.Event()

        def long_reader():
            try:
                with transaction.atomic():
                    AccessLogEntry.objects.count()  # holds its lock until the transaction ends
                    reading.set()
                    done.wait(30)
            finally:
                connections.close_all()

        reader = threading.Thread(target=long_reader)
        reader.start()
        reading.wait(10)
        try:
            result = access_log_purge()
        finally:
            done.set()
            reader.join()
        assert (result.deleted, result.partitions_dropped) == (2, ())
        assert exists(old)
        assert run_command("verify_access_log") == (0, "access log OK: 1 entries", "")
    finally:
        with connection.cursor() as cursor:  # the test database keeps no stray month
            cursor.execute(f"DROP TABLE IF EXISTS {old}")
