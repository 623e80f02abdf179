"""Helpers for the access-log tests: writing entries, tampering with the table, the commands."""

import io

from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory
from django.utils import translation

from samplan.audit.models import AccessLogEntry, AccessLogHead
from samplan.audit.services import access_log_append, access_log_record_many, access_log_seal

POSTGRES = connection.vendor == "postgresql"
ENTRIES = AccessLogEntry._meta.db_table
HEAD = AccessLogHead._meta.db_table


def staff_request(user, unit):
    request = RequestFactory().get("/sip/", HTTP_X_REQUEST_ID="req-1")
    request.user = user
    request.acting_unit = unit
    return request


def record(
    request, person, count: int = 1, action: str = "plan.read", *, sealed: bool = True
) -> None:
    """`count` disclosures of the person, in one call (one entry each); then, unless `sealed`
    is False, the sealer runs as the worker would (the chain's tests read sealed entries)."""
    access_log_record_many(request=request, action=action, items=[(person, person)] * count)
    if sealed:
        seal()


def seal() -> int:
    """Run the sealer until it has nothing more to seal; how many entries it sealed."""
    total = 0
    while sealed := access_log_seal():
        total += sealed
    return total


def record_at(at, user, unit, person, count: int = 1, *, sealed: bool = True) -> None:
    """Entries written at another time than now (for the retention purge)."""
    _append_at(at, user, unit, person, count)
    if sealed:
        seal()


def _append_at(at, user, unit, person, count: int) -> None:
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
    """The sealed entries' chain fields, by sequence."""
    return list(
        AccessLogEntry.objects.filter(sequence__isnull=False)
        .order_by("sequence")
        .values("id", "sequence", "prev_hash", "entry_hash")
    )


def burn_id() -> None:
    """Hand out an id that no entry will get, as an insert that is rolled back does."""
    with connection.cursor() as cursor:
        if POSTGRES:
            cursor.execute("SELECT nextval('audit_accesslogentry_id_seq')")
        else:  # the ids come from sqlite_sequence (services._ids_allocate)
            cursor.execute(
                "UPDATE sqlite_sequence SET seq = (SELECT MAX(seq, COALESCE(MAX(id), 0))"
                f' FROM "{ENTRIES}") + 1 WHERE name = %s',
                [ENTRIES],
            )
            if not cursor.rowcount:
                cursor.execute(
                    "INSERT INTO sqlite_sequence (name, seq)"
                    f' SELECT %s, COALESCE(MAX(id), 0) + 1 FROM "{ENTRIES}"',
                    [ENTRIES],
                )
