"""The application's database role cannot switch off the access log's triggers."""

import pytest
from django.core.management import call_command
from django.db import DatabaseError, ProgrammingError, connection, transaction

from samplan.audit.checks import access_log_role_check
from samplan.audit.database import access_log_role_problems

RUNTIME_ROLE = "samplan_test_runtime"

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="database roles exist only on PostgreSQL"
)


@pytest.fixture
def runtime_role(db):
    """A runtime role with the grants of `manage.py grant_runtime_role`, connected as it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "DO $$ BEGIN CREATE ROLE " + RUNTIME_ROLE + " NOLOGIN;"
            " EXCEPTION WHEN duplicate_object THEN NULL; END $$"
        )
    call_command("grant_runtime_role", RUNTIME_ROLE, stdout=open("/dev/null", "w"))  # noqa: SIM115
    with connection.cursor() as cursor:
        cursor.execute("SET ROLE " + RUNTIME_ROLE)
    yield RUNTIME_ROLE
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")


def test_on_sqlite_there_is_no_role_to_check(db):
    if connection.vendor == "postgresql":
        pytest.skip("SQLite only")
    assert access_log_role_problems() == []
    assert access_log_role_check() == []


@postgresql_only
def test_the_deploy_check_refuses_a_superuser_that_owns_the_access_log(db):
    messages = access_log_role_check()
    texts = " ".join(m.msg for m in messages)
    assert "is a superuser" in texts and "owns audit_accesslogentry" in texts
    assert all(m.is_serious() for m in messages)
    assert "grant_runtime_role" in messages[0].hint


@postgresql_only
def test_the_deploy_check_accepts_a_runtime_role_that_owns_nothing(runtime_role):
    assert access_log_role_problems() == []
    assert access_log_role_check() == []


@postgresql_only
def test_the_runtime_role_cannot_switch_off_the_access_log_triggers(runtime_role):
    for statement in (
        "ALTER TABLE audit_accesslogentry DISABLE TRIGGER ALL",
        "TRUNCATE audit_accesslogentry",
        "DROP TRIGGER audit_accesslogentry_append_only ON audit_accesslogentry",
    ):
        with (
            pytest.raises(ProgrammingError),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)


@postgresql_only
def test_the_runtime_role_runs_the_application(runtime_role, client, alice):
    from samplan.conftest import login

    login(client, alice)
    assert client.get("/").status_code == 200


@postgresql_only
def test_the_deploy_check_counts_the_access_log_partitions_as_log_tables(runtime_role):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            " WHERE i.inhparent = 'audit_accesslogentry'::regclass ORDER BY 1 LIMIT 1"
        )
        (partition,) = cursor.fetchone()
        cursor.execute("RESET ROLE")
        cursor.execute(f"ALTER TABLE {partition} OWNER TO {RUNTIME_ROLE}")
        cursor.execute("SET ROLE " + RUNTIME_ROLE)
    problems = access_log_role_problems()
    assert [p.code for p in problems] == ["owner"]
    assert f"owns {partition}" in problems[0].message


@postgresql_only
def test_the_runtime_role_cannot_rewrite_entries_with_the_sealing_flag(runtime_role, alice, person):
    from samplan.audit.tests.access_log_helpers import record, staff_request

    unit = alice.memberships.first().unit
    record(staff_request(alice, unit), person)  # sealed
    record(staff_request(alice, unit), person, sealed=False)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, sequence FROM audit_accesslogentry ORDER BY id")
        (sealed, _sequence), (unsealed, _none) = cursor.fetchall()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL samplan.sealing = 'on'")
        for statement, entry_id in [
            ("action = 'plan.edited'", unsealed),
            ("person_id = NULL", unsealed),
            ("sequence = 5, prev_hash = repeat('a', 64), entry_hash = repeat('b', 64)", sealed),
        ]:
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
                cursor.execute(
                    f"UPDATE audit_accesslogentry SET {statement} WHERE id = %s", [entry_id]
                )
