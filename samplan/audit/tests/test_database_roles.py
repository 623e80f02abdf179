"""The application's database role cannot switch off the access log's triggers."""

import pytest
from django.core.management import call_command
from django.db import ProgrammingError, connection, transaction

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
