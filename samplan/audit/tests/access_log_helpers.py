"""Helpers for the access-log tests: writing entries, tampering with the table, the commands."""

import io

from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory
from django.utils import translation

from samplan.audit.models import AccessLogEntry, AccessLogHead
from samplan.audit.services import access_log_append, access_log_record_many

POSTGRES = connection.vendor == "postgresql"
ENTRIES = AccessLogEntry._meta.db_table
HEAD = AccessLogHead._meta.db_table


def staff_request(user, unit):
    request = RequestFactory().get("/sip/", HTTP_X_REQUEST_ID="req-1")
    request.user = user
    request.acting_unit = unit
    return request


def record(request, person, count: int = 1, action: str = "plan.read") -> None:
    """`count` disclosures of the person, in one call (one entry each)."""
    access_log_record_many(request=request, action=action, items=[(person, person)] * count)


def record_at(at, user, unit, person, count: int = 1) -> None:
    """Entries written at another time than now (for the retention purge)."""
    access_log_append(
        [
            AccessLogEntry(
                action="plan.read",
                user=user,
                unit=unit,
                organization=unit.organization,
                person=person,
                object_type="person",
                object_id=str(person.pk),
            )
            for _ in range(count)
        ],
        at=at,
    )


def sql(statement: str, params=()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount


def tamper(statement: str, params=()) -> int:
    """Change the tables behind the application's back, as someone with database access could.

    On PostgreSQL the append-only triggers are switched off first, as the tables' owner could;
    the test's transaction puts them back.
    """
    if not POSTGRES:
        return sql(statement, params)
    constraints_checked_now()
    for table in (ENTRIES, HEAD):
        sql(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')
    try:
        return sql(statement, params)
    finally:
        constraints_checked_now()
        for table in (ENTRIES, HEAD):
            sql(f'ALTER TABLE "{table}" ENABLE TRIGGER USER')


def constraints_checked_now() -> None:
    """PostgreSQL refuses ALTER TABLE and TRUNCATE while deferred foreign-key checks of the
    test's transaction are pending: run them now."""
    sql("SET CONSTRAINTS ALL IMMEDIATE")
    sql("SET CONSTRAINTS ALL DEFERRED")


def run_command(name: str, *args) -> tuple[int, str, str]:
    """Run a management command in English: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with translation.override("en"):
        try:
            call_command(name, *args, stdout=out, stderr=err)
        except SystemExit as exit_:
            code = exit_.code
    return code, out.getvalue().strip(), err.getvalue().strip()


def chain_rows() -> list[dict]:
    return list(
        AccessLogEntry.objects.order_by("sequence").values(
            "id", "sequence", "prev_hash", "entry_hash"
        )
    )
