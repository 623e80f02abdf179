"""Writing security events and the access log. The one place that knows their fields.

The access log is append-only and hash-chained (docs/access-log.md, samplan.audit.chain):
entries are inserted unsealed with no lock (access_log_append), and the sealer
(access_log_seal, run by the worker) chains them in blocks.
"""

import collections
import contextlib
import datetime
import functools
import itertools
import logging
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, OperationalError, connection, transaction
from django.db.models import Count, F, Max, Min, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import TruncDate
from django.http import HttpRequest
from django.utils import timezone

from samplan.audit import chain
from samplan.audit.models import AccessLogEntry, AccessLogHead, AccessLogVolume, SecurityEvent
from samplan.core.metrics import ACCESS_LOG_FAILURES

logger = logging.getLogger(__name__)

# The transaction-level advisory lock that lets one sealer (or the purge) at a time work on the
# access log's chain on PostgreSQL (any constant will do, as long as nothing else uses it):
# b"SIPalog" as an integer. Appends take no lock.
ACCESS_LOG_LOCK = int.from_bytes(b"SIPalog", "big")
# The id sequence of the access log on PostgreSQL (migration 0011).
ID_SEQUENCE = "audit_accesslogentry_id_seq"
# How many entries one round of the sealer reads and seals, in one transaction.
SEAL_BLOCK = 5000
# Partitions exist for this month and this many months ahead (the worker makes sure hourly).
PARTITION_MONTHS_AHEAD = 2
# How long the purge waits for the lock that dropping a partition needs (appends wait behind
# it meanwhile), and how often it tries before it deletes the partition's rows instead.
PARTITION_DROP_LOCK_TIMEOUT = "500ms"
PARTITION_DROP_ATTEMPTS = 3
PREPARE_ONLY_WHEN_ASKED = 2**31
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's error code when lock_timeout strikes
# HSLF-FS 2016:40 4 kap. 9 § 7: access logs are kept at least five years.
ACCESS_LOG_MINIMUM_RETENTION_DAYS = 5 * 365 + 2


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address as the server saw it (REMOTE_ADDR; set by the proxy in front)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def security_event_record(
    *,
    kind: str,
    request: HttpRequest | None = None,
    user=None,
    unit=None,
    previous_unit=None,
    attempted_username: str = "",
    person=None,
    actor=None,
    detail: str = "",
) -> SecurityEvent:
    """`actor` is the administrator who changed someone's access (then `user` is that someone)."""
    return SecurityEvent.objects.create(
        kind=kind,
        user=user,
        person=person,
        unit=unit,
        previous_unit=previous_unit,
        attempted_username=attempted_username[:150],
        ip_address=client_ip(request),
        actor=actor,
        detail=detail[:500],
    )


class AccessLogUnavailable(Exception):
    """The access-log entry could not be written, so the data must not be served (fail closed).

    Raised by access_log_record and access_log_record_many; AccessLogFailClosedMiddleware turns
    it into a 503 page. The views log before they render, so nothing has been sent yet.
    """


class AccessLogBroken(Exception):
    """The chain does not verify; the retention purge refuses to remove the evidence."""

    def __init__(self, verdict: chain.ChainVerdict):
        super().__init__(verdict.reason)
        self.verdict = verdict


def access_log_record(*, request: HttpRequest, action: str, person, obj) -> None:
    """Record one disclosure of an individual's data, before the data is rendered.

    Raises AccessLogUnavailable when the entry cannot be written: the caller must not serve
    the data (the exception propagates out of the view to AccessLogFailClosedMiddleware).
    """
    access_log_record_many(request=request, action=action, items=[(person, obj)])


def access_log_record_many(*, request: HttpRequest, action: str, items) -> None:
    """One entry per individual disclosed (a list page discloses many), in one insert.

    Raises AccessLogUnavailable when the entries cannot be written (fail closed).
    """
    unit = getattr(request, "acting_unit", None)
    user = request.user if request.user.is_authenticated else None
    request_id = request.META.get("HTTP_X_REQUEST_ID", "")[:64]
    # Min SIP reads (a citizen session) and record systems' reads (samplan.api, a client's
    # bearer token) are told apart from staff reads by their channel.
    if getattr(request, "api_client", None) is not None:
        channel = AccessLogEntry.Channel.API
    elif getattr(request, "citizen", None) is not None:
        channel = AccessLogEntry.Channel.CITIZEN
    else:
        channel = AccessLogEntry.Channel.WEB
    entries = [
        AccessLogEntry(
            action=action,
            user=user,
            unit=unit,
            organization=unit.organization if unit else None,
            person=person,
            object_type=obj._meta.model_name,
            object_id=str(obj.pk),
            request_id=request_id,
            channel=channel,
        )
        for person, obj in items
    ]
    access_log_append(entries)


def access_log_append(entries: list[AccessLogEntry], *, at: datetime.datetime | None = None):
    """Insert unsaved entries, unsealed, with no lock: the sealer chains them later.

    Each entry gets `at`, an id and its content hash (chain.content_canonical: content and
    id), and is inserted only while the chain head exists (fail closed: a removed head stops
    the log). On PostgreSQL that is one statement: the id comes from the id sequence and the
    database computes the content hash in the INSERT, which commits before this returns
    (autocommit) unless the caller has a transaction open. On SQLite the ids come from
    sqlite_sequence and the hash from Python, in one transaction that takes the write lock at
    BEGIN (transaction_mode IMMEDIATE). `at` is for tests and defaults to now.
    """
    if not entries:
        return entries
    at = at or timezone.now()
    for entry in entries:
        entry.at = at
        entry.sequence, entry.prev_hash, entry.entry_hash = None, "", ""
    insert = _appended_postgresql if connection.vendor == "postgresql" else _appended_with_ids
    try:
        with _sqlite_transaction():
            if not insert(entries):
                _head_bootstrap()
                if not insert(entries):
                    raise DatabaseError("The access log head vanished during the append.")
    except DatabaseError as error:
        # An id handed out but not used shows as a gap entry once the sealer passes it.
        logger.error(
            "The access log could not be written (last id of this connection: %s); the data "
            "is not served.",
            _last_id_of_connection(),
            exc_info=True,
        )
        ACCESS_LOG_FAILURES.inc()
        raise AccessLogUnavailable from error
    return entries


def _sqlite_transaction():
    """SQLite: one write transaction for the ids and the insert. PostgreSQL: none (the one
    statement commits by itself)."""
    if connection.vendor == "sqlite":
        return transaction.atomic()
    return contextlib.nullcontext()


@functools.cache
def _prepared_cursor_class():
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparedCursor(ServerBindingCursor):
        """Prepares every statement it runs (Django turns psycopg's automatic preparing off)."""

        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=True, binary=binary)

    return PreparedCursor


def _append_cursor():
    """A cursor for the append. On PostgreSQL one that binds parameters on the server and
    prepares the statement, once per connection: Django's default cursor writes the values
    into the SQL text, which PostgreSQL then parses and plans at every append (about half of
    the database's work for an entry). Errors and query logging are Django's as for any
    cursor. (A pooler in transaction mode would need to keep prepared statements.)"""
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    if connection.connection.prepare_threshold is None:
        # Django's None forbids preparing at all; a threshold nothing reaches lets only the
        # statements that ask (prepare=True) be prepared.
        connection.connection.prepare_threshold = PREPARE_ONLY_WHEN_ASKED
    with connection.wrap_database_errors:
        cursor = _prepared_cursor_class()(connection.connection)
    if connection.queries_logged:
        return connection.make_debug_cursor(cursor)
    return connection.make_cursor(cursor)


# The content fields an append passes, in the order of samplan_access_log_content_hash.
_APPENDED = ("at", *chain.TEXT_FIELDS, *chain.REFERENCE_FIELDS)


@functools.cache
def _append_sql(count: int) -> str:
    """PostgreSQL: ids from the id sequence, content hashes from the database, one INSERT;
    nothing at all unless the chain head exists."""
    fields = {field.attname: field for field in AccessLogEntry._meta.concrete_fields}
    quote = connection.ops.quote_name
    row = ", ".join(f"CAST(%s AS {fields[name].db_type(connection)})" for name in _APPENDED)
    values = ", ".join([f"({row})"] * count)
    content = ", ".join(
        quote(name) if name in {"at", *chain.TEXT_FIELDS} else f"{quote(name)}::text"
        for name in _APPENDED
    )
    columns = ", ".join(quote(name) for name in _APPENDED)
    head = quote(AccessLogHead._meta.db_table)
    return (
        f"WITH appended AS (SELECT nextval('{ID_SEQUENCE}') AS id, v.*"  # noqa: S608
        f" FROM (VALUES {values}) AS v({columns})"
        f" WHERE EXISTS (SELECT 1 FROM {head}))"
        f" INSERT INTO {_entries_table()} (id, {columns}, content_hash)"
        f" SELECT id, {columns}, samplan_access_log_content_hash(id, {content})"
        " FROM appended RETURNING id, content_hash"
    )


def _appended_postgresql(entries: list[AccessLogEntry]) -> bool:
    params = [getattr(entry, name) for entry in entries for name in _APPENDED]
    with _append_cursor() as cursor:
        cursor.execute(_append_sql(len(entries)), params)
        written = cursor.fetchall()
    for entry, (entry_id, content_hash) in zip(entries, written, strict=False):
        entry.id, entry.content_hash = entry_id, content_hash
    return len(written) == len(entries)


def _appended_with_ids(entries: list[AccessLogEntry]) -> bool:
    """SQLite (and the sealer's gap entries): ids first, then the content hashes in Python."""
    for entry, entry_id in zip(entries, _ids_allocate(len(entries)), strict=True):
        entry.id = entry_id
        entry.content_hash = chain.content_hash_compute(entry.content_row())
    return _entries_insert(entries, needs_head=True)


def _last_id_of_connection() -> str:
    """The id the sequence last gave this connection (PostgreSQL), to explain a gap."""
    if connection.vendor != "postgresql":
        return "-"
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT currval(%s)", [ID_SEQUENCE])
            return str(cursor.fetchone()[0])
    except DatabaseError:
        return "unknown"


def _ids_allocate(count: int) -> list[int]:
    """The next `count` ids: from the id sequence on PostgreSQL (handed out even if the
    insert then fails: a gap), from sqlite_sequence inside the write transaction on SQLite."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [ID_SEQUENCE, count])
            return [entry_id for (entry_id,) in cursor.fetchall()]
        cursor.execute(f"SELECT {_last_id_sql()}", _last_id_params())  # noqa: S608
        (last,) = cursor.fetchone()
        return list(range((last or 0) + 1, (last or 0) + 1 + count))


def _last_id_sql() -> str:
    """A scalar subquery: the highest id handed out so far (or NULL)."""
    if connection.vendor == "postgresql":
        return "(SELECT pg_sequence_last_value(%s::regclass))"
    return (
        "(SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0),"  # noqa: S608
        f" COALESCE((SELECT MAX(id) FROM {_entries_table()}), 0)))"
    )


def _last_id_params() -> list[str]:
    return [ID_SEQUENCE if connection.vendor == "postgresql" else AccessLogEntry._meta.db_table]


def _entries_table() -> str:
    return connection.ops.quote_name(AccessLogEntry._meta.db_table)


@functools.cache
def _insert_sql(vendor: str, count: int, needs_head: bool) -> str:
    fields = AccessLogEntry._meta.concrete_fields
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    if vendor == "postgresql":  # the VALUES list needs its types
        row = ", ".join(f"CAST(%s AS {field.db_type(connection)})" for field in fields)
    else:
        row = ", ".join(["%s"] * len(fields))
    values = ", ".join([f"({row})"] * count)
    head = connection.ops.quote_name(AccessLogHead._meta.db_table)
    where = f" WHERE EXISTS (SELECT 1 FROM {head})" if needs_head else ""  # noqa: S608
    return (
        f"INSERT INTO {_entries_table()} ({columns})"  # noqa: S608 - names from the model
        f" SELECT * FROM (VALUES {values}) AS entries{where}"
    )


def _entries_insert(entries: list[AccessLogEntry], *, needs_head: bool) -> bool:
    """One INSERT statement for the entries, every field given. With `needs_head`, nothing
    is inserted unless the chain head exists. True when every entry was inserted."""
    fields = AccessLogEntry._meta.concrete_fields
    params = [
        field.get_db_prep_save(getattr(entry, field.attname), connection)
        for entry in entries
        for field in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(connection.vendor, len(entries), needs_head), params)
        return cursor.rowcount == len(entries)


def _head_bootstrap() -> None:
    """The head of an empty log is created by its first append. Entries without a head mean
    the head was removed: appending would hide it, so the log stops (fail closed)."""
    if AccessLogEntry.objects.exists():
        logger.error("The access log has entries but no chain head; run verify_access_log.")
        ACCESS_LOG_FAILURES.inc()
        raise AccessLogUnavailable
    with transaction.atomic():
        AccessLogHead.objects.get_or_create(pk=AccessLogHead.SINGLETON)


# --- Sealing ---------------------------------------------------------------------------------


def access_log_seal(*, limit: int = SEAL_BLOCK, now: datetime.datetime | None = None) -> int:
    """One round of the sealer: chain the next unsealed entries, up to `limit`, in one
    transaction. Returns how many entries it sealed (gap entries included).

    Only one sealer works at a time (an advisory lock on PostgreSQL, which a second sealer
    does not wait for; the write lock on SQLite). It reads the unsealed entries in id order,
    lets chain.seal_plan give them the next sequences and hashes in the existing format
    (recording ids missing for longer than ACCESS_LOG_GAP_GRACE_SECONDS as gap entries), fills
    in their chain fields with one UPDATE, which the append-only trigger lets through only
    for the chain fields of unsealed rows and only under `samplan.sealing`, and moves the head.
    An entry it cannot vouch for stops it and is logged; verify_access_log names it.
    """
    with transaction.atomic():
        if not _seal_lock(wait=False):
            return 0
        head = AccessLogHead.objects.select_for_update().filter(pk=AccessLogHead.SINGLETON).first()
        if head is None:
            if AccessLogEntry.objects.exists():
                logger.error("The access log has entries but no chain head; nothing is sealed.")
            return 0
        late = []
        if head.sequence > 0:
            late = list(
                AccessLogEntry.objects.filter(sequence__isnull=True, id__lte=head.sealed_id)
                .order_by("id")
                .values(*chain.LOG_FIELDS)[:limit]
            )
        fresh = list(
            AccessLogEntry.objects.filter(id__gt=head.sealed_id)
            .order_by("id")
            .values(*chain.LOG_FIELDS)[: limit - len(late)]
        )
        if not late and not fresh:
            return 0
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {_last_id_sql()}", _last_id_params())
            (last_id,) = cursor.fetchone()
        now = now or timezone.now()
        plan = chain.seal_plan(
            _chain_head(head),
            late,
            fresh,
            last_id=last_id,
            now=now,
            grace=gap_grace(),
            new_gap=_gap_maker(now),
        )
        _plan_write(plan, head)
    if plan.problem is not None:
        logger.error(
            "The access log sealer stopped at entry id %s: %s. Run verify_access_log.",
            plan.problem.entry_id,
            plan.problem.reason,
        )
    return len(plan.rows)


def gap_grace() -> datetime.timedelta:
    """How long the sealer waits for a missing id before it records it as a gap."""
    return datetime.timedelta(seconds=getattr(settings, "ACCESS_LOG_GAP_GRACE_SECONDS", 10))


def _seal_lock(*, wait: bool) -> bool:
    """The sealer's lock (also the purge's), for the rest of the transaction. SQLite's write
    transaction is lock enough."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ACCESS_LOG_LOCK])
            return True
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [ACCESS_LOG_LOCK])
        return cursor.fetchone()[0]


def _gap_maker(now: datetime.datetime):
    """new_gap for chain.seal_plan: a gap entry's row, with an id of its own."""
    next_sqlite_id = []

    def new_gap(first: int, last: int) -> dict:
        if connection.vendor == "postgresql":
            (entry_id,) = _ids_allocate(1)
        else:  # within the write transaction, before the gap entries are inserted
            if not next_sqlite_id:
                next_sqlite_id.append(_ids_allocate(1)[0])
            entry_id = next_sqlite_id[0]
            next_sqlite_id[0] += 1
        return chain.gap_row(entry_id, first, last, now)

    return new_gap


def _plan_write(plan: chain.SealPlan, head: AccessLogHead) -> None:
    if plan.head.sealed_id == head.sealed_id and not plan.rows:
        return
    postgresql = connection.vendor == "postgresql"
    gap_ids = {id(row) for row in plan.gap_rows}
    sealed = [row for row in plan.rows if id(row) not in gap_ids]
    with connection.cursor() as cursor:
        if postgresql:
            cursor.execute("SET LOCAL samplan.sealing = 'on'")
        if plan.gap_rows:
            _entries_insert([_entry(row) for row in plan.gap_rows], needs_head=False)
        if sealed:
            _chain_fields_write(cursor, sealed, postgresql=postgresql)
            _volumes_add(cursor, sealed)
        AccessLogHead.objects.filter(pk=head.pk).update(
            sequence=plan.head.sequence,
            entry_hash=plan.head.entry_hash,
            sealed_id=plan.head.sealed_id,
        )
        if postgresql:  # in case an outer transaction goes on
            cursor.execute("SET LOCAL samplan.sealing = 'off'")


def _volumes_add(cursor, rows: list[dict]) -> None:
    """Count the sealed reads per unit, user and day (AccessLogVolume), in the sealing
    transaction: each entry is counted exactly once, when it is sealed."""
    counts = collections.Counter(
        (row["unit_id"], row["user_id"], row["at"].astimezone(datetime.UTC).date())
        for row in rows
        if row["unit_id"] is not None
    )
    if not counts:
        return
    table = connection.ops.quote_name(AccessLogVolume._meta.db_table)
    values = ", ".join(["(%s, %s, %s, %s)"] * len(counts))
    cursor.execute(
        f"INSERT INTO {table} (unit_id, user_id, day, reads) VALUES {values}"  # noqa: S608
        f" ON CONFLICT (unit_id, user_id, day) DO UPDATE"
        f" SET reads = {table}.reads + excluded.reads",
        [value for key, n in counts.items() for value in (*key, n)],
    )


def _entry(row: dict) -> AccessLogEntry:
    fields = {field.attname for field in AccessLogEntry._meta.concrete_fields}
    return AccessLogEntry(**{name: value for name, value in row.items() if name in fields})


def _chain_fields_write(cursor, rows: list[dict], *, postgresql: bool) -> None:
    """Fill in the chain fields of unsealed rows: one UPDATE on PostgreSQL."""
    table = _entries_table()
    if postgresql:
        cursor.execute(
            f"UPDATE {table} AS e"  # noqa: S608 - the table's name from the model
            " SET sequence = v.sequence, prev_hash = v.prev_hash, entry_hash = v.entry_hash"
            " FROM unnest(%s::bigint[], %s::timestamptz[], %s::bigint[], %s::text[],"
            " %s::text[]) AS v(id, at, sequence, prev_hash, entry_hash)"
            " WHERE e.id = v.id AND e.at = v.at AND e.sequence IS NULL",
            [[row[field] for row in rows] for field in ("id", "at", "sequence")]
            + [[row[field] for row in rows] for field in ("prev_hash", "entry_hash")],
        )
        updated = cursor.rowcount
    else:
        updated = 0
        for row in rows:
            cursor.execute(
                f"UPDATE {table} SET sequence = %s, prev_hash = %s, entry_hash = %s"  # noqa: S608
                " WHERE id = %s AND sequence IS NULL",
                [row["sequence"], row["prev_hash"], row["entry_hash"], row["id"]],
            )
            updated += cursor.rowcount
    if updated != len(rows):
        raise DatabaseError("Access log entries changed while they were sealed.")


# --- Verifying -------------------------------------------------------------------------------


def access_log_verify(*, now: datetime.datetime | None = None) -> chain.ChainVerdict:
    """Verify the whole log in the database against its head (see chain.verify_log): the
    sealed chain by sequence, then the unsealed tail by id.

    The rows, the head and the last id handed out are read in one statement, so that all
    come from one snapshot and appends or sealing running meanwhile are neither reported as
    inserted nor as missing. No lock is taken: the application keeps running while a long
    log is verified. A hole in the tail counts once the entry after it is older than twice
    the sealer's grace period (before that, the sealer may still record it as a gap).
    """
    head_fields = ["sequence", "entry_hash", "anchor_sequence", "anchor_hash", "sealed_id"]
    head_row = AccessLogHead.objects.filter(pk=AccessLogHead.SINGLETON)
    for _attempt in range(5):
        read_at = now or timezone.now()  # no later than the snapshot
        rows = (
            AccessLogEntry.objects.order_by(F("sequence").asc(nulls_last=True), "id")
            .annotate(
                **{f"head_{field}": Subquery(head_row.values(field)[:1]) for field in head_fields},
                last_id=RawSQL(_last_id_sql(), _last_id_params()),  # noqa: S611 - no input
            )
            .values(*chain.LOG_FIELDS, "last_id", *(f"head_{field}" for field in head_fields))
            .iterator(chunk_size=2000)
        )
        first = next(rows, None)
        if first is None:
            head = head_row.first()
            if AccessLogEntry.objects.exists():
                continue  # the first entries were written meanwhile: read again
            return chain.verify_log([], _chain_head(head))
        head = (
            None
            if first["head_sequence"] is None
            else chain.ChainHead(**{field: first[f"head_{field}"] for field in head_fields})
        )
        return chain.verify_log(
            itertools.chain([first], rows),
            head,
            last_id=first["last_id"],
            now=read_at,
            grace=2 * gap_grace(),
        )
    raise DatabaseError("The access log kept changing while it was read; try again.")


def _chain_head(head: AccessLogHead | None) -> chain.ChainHead | None:
    if head is None:
        return None
    return chain.ChainHead(
        sequence=head.sequence,
        entry_hash=head.entry_hash,
        anchor_sequence=head.anchor_sequence,
        anchor_hash=head.anchor_hash,
        sealed_id=head.sealed_id,
    )


@dataclass(frozen=True)
class Backlog:
    """What to monitor: the entries waiting for the sealer, how long the oldest has waited,
    and (PostgreSQL) the entries that fell into the DEFAULT partition."""

    unsealed: int
    oldest_seconds: float
    in_default: int


def access_log_backlog() -> Backlog:
    waiting = AccessLogEntry.objects.filter(sequence__isnull=True).aggregate(
        count=Count("id"), oldest=Min("at")
    )
    oldest = waiting["oldest"]
    in_default = 0
    if connection.vendor == "postgresql":
        default = connection.ops.quote_name(f"{AccessLogEntry._meta.db_table}_default")
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {default}")  # noqa: S608 - a fixed name
            (in_default,) = cursor.fetchone()
    return Backlog(
        unsealed=waiting["count"],
        oldest_seconds=(timezone.now() - oldest).total_seconds() if oldest else 0.0,
        in_default=in_default,
    )


# --- Partitions (PostgreSQL) -----------------------------------------------------------------


@dataclass(frozen=True)
class Partition:
    """A partition of the access log: a UTC month [start, end), or the DEFAULT one (None)."""

    name: str
    start: datetime.datetime | None
    end: datetime.datetime | None


_BOUNDS = re.compile(r"FROM \('([^']+)'\) TO \('([^']+)'\)")


def access_log_partitions() -> list[Partition]:
    """The log's partitions, oldest first, the DEFAULT one last ([] on SQLite)."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i"
            " JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass",
            [AccessLogEntry._meta.db_table],
        )
        found = cursor.fetchall()
    partitions = []
    for name, bound in found:
        match = _BOUNDS.search(bound or "")
        start, end = (
            (datetime.datetime.fromisoformat(match[1]), datetime.datetime.fromisoformat(match[2]))
            if match
            else (None, None)
        )
        partitions.append(Partition(name=name, start=start, end=end))
    far = datetime.datetime.max.replace(tzinfo=datetime.UTC)
    return sorted(partitions, key=lambda p: (p.start is None, p.start or far, p.name))


def access_log_partitions_ensure(months_ahead: int = PARTITION_MONTHS_AHEAD) -> list[str]:
    """Create this month's partition and the next `months_ahead` months' where missing; the
    names created. The runtime role may call it (a SECURITY DEFINER function creates them as
    the tables' owner); the worker does, every hour. A month whose entries already went to the
    DEFAULT partition is left there (a warning)."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT samplan_access_log_partitions_ensure(%s)", [months_ahead])
        created = [name for (name,) in cursor.fetchall()]
    if created:
        logger.info("Access log partitions created: %s.", ", ".join(created))
    return created


def access_log_partition_create(month: datetime.date) -> str | None:
    """Create one month's partition (any month): for the tables' owner only, e.g. before a
    restore of old entries. None when it exists or cannot be created."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT samplan_access_log_partition_create(%s)", [month])
        return cursor.fetchone()[0]


# --- Retention ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PurgeResult:
    deleted: int
    anchor_sequence: int
    cutoff: datetime.datetime
    partitions_dropped: tuple[str, ...] = ()


def access_log_purge(*, dry_run: bool = False) -> PurgeResult:
    """Remove the entries older than ACCESS_LOG_RETENTION_DAYS and re-anchor the chain.

    Refuses (AccessLogBroken) when the log does not verify, so that a purge never removes
    the evidence of tampering. Only a prefix of the chain is removed: the entries before the
    first sealed entry that is still within the retention. The last removed entry becomes the
    anchor in the head, so the kept chain still verifies. On PostgreSQL a month partition
    that ends before the cutoff and holds only entries of that prefix is dropped whole
    (samplan_access_log_partition_drop checks the retention again); the rest of the prefix
    is deleted row by row. The append-only trigger lets both through only because of
    `SET LOCAL samplan.retention_purge`, and only for rows older than the retention (and
    never younger than five years).
    """
    days = settings.ACCESS_LOG_RETENTION_DAYS
    if days < ACCESS_LOG_MINIMUM_RETENTION_DAYS:
        raise ValueError("ACCESS_LOG_RETENTION_DAYS is below the legal minimum of five years.")
    verdict = access_log_verify()
    if not verdict.ok:
        raise AccessLogBroken(verdict)
    postgresql = connection.vendor == "postgresql"
    with transaction.atomic():
        _seal_lock(wait=True)
        now = timezone.now()
        if postgresql:
            with connection.cursor() as cursor:
                cursor.execute("SELECT now()")
                (now,) = cursor.fetchone()  # the time the trigger compares with
                cursor.execute("SET LOCAL samplan.retention_purge = 'on'")
                cursor.execute("SELECT set_config('samplan.retention_days', %s, true)", [str(days)])
        cutoff = now - datetime.timedelta(days=days)
        head = AccessLogHead.objects.select_for_update().filter(pk=AccessLogHead.SINGLETON).first()
        if head is None:
            return PurgeResult(deleted=0, anchor_sequence=0, cutoff=cutoff)
        first_kept = (
            AccessLogEntry.objects.filter(at__gte=cutoff, sequence__gt=head.anchor_sequence)
            .order_by("sequence")
            .values("sequence", "prev_hash")
            .first()
        )
        last_purged = head.sequence if first_kept is None else first_kept["sequence"] - 1
        if last_purged <= head.anchor_sequence:
            return PurgeResult(deleted=0, anchor_sequence=head.anchor_sequence, cutoff=cutoff)
        anchor_hash = (
            AccessLogEntry.objects.filter(sequence=last_purged)
            .values_list("entry_hash", flat=True)
            .first()
        )
        if anchor_hash is None or (first_kept and first_kept["prev_hash"] != anchor_hash):
            # The chain changed since it was verified: only appends may happen meanwhile.
            raise AccessLogBroken(access_log_verify())
        # The chain verified: the prefix is exactly the sequences after the anchor.
        deleted = last_purged - head.anchor_sequence
        if dry_run:
            return PurgeResult(deleted=deleted, anchor_sequence=last_purged, cutoff=cutoff)
        dropped = _partitions_drop(cutoff, last_purged) if postgresql else ()
        with connection.cursor() as cursor:
            # The one privileged path past the model's append-only guard.
            cursor.execute(
                f"DELETE FROM {_entries_table()} WHERE sequence <= %s",  # noqa: S608
                [last_purged],
            )
        AccessLogHead.objects.filter(pk=head.pk).update(
            anchor_sequence=last_purged, anchor_hash=anchor_hash
        )
        # The days wholly before the cutoff are gone from the log: their counts go too.
        AccessLogVolume.objects.filter(day__lt=cutoff.astimezone(datetime.UTC).date()).delete()
        if postgresql:
            with connection.cursor() as cursor:  # in case an outer transaction goes on
                cursor.execute("SET LOCAL samplan.retention_purge = 'off'")
    logger.info(
        "Access log purge: %d entries older than %d days removed (partitions dropped: %s).",
        deleted,
        days,
        ", ".join(dropped) or "none",
    )
    return PurgeResult(
        deleted=deleted, anchor_sequence=last_purged, cutoff=cutoff, partitions_dropped=dropped
    )


def _partitions_drop(cutoff: datetime.datetime, last_purged: int) -> tuple[str, ...]:
    """Drop the month partitions that end before the cutoff and hold nothing but sealed
    entries of the purged prefix. Dropping locks the log for a moment; if the lock is not
    had within PARTITION_DROP_LOCK_TIMEOUT the rows are deleted instead."""
    dropped = []
    for partition in access_log_partitions():
        if partition.end is None or partition.end > cutoff:
            continue
        name = connection.ops.quote_name(partition.name)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT EXISTS (SELECT 1 FROM {name}"  # noqa: S608 - a partition's name
                " WHERE sequence IS NULL OR sequence > %s)",
                [last_purged],
            )
            if cursor.fetchone()[0]:
                continue
        if _partition_drop(partition.name):
            dropped.append(partition.name)
        else:
            logger.warning(
                "Access log partition %s could not be locked to be dropped; its rows are "
                "deleted instead.",
                partition.name,
            )
    return tuple(dropped)


def _partition_drop(name: str) -> bool:
    for attempt in range(PARTITION_DROP_ATTEMPTS):
        if attempt:
            time.sleep(1)
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL lock_timeout = '{PARTITION_DROP_LOCK_TIMEOUT}'")
                cursor.execute("SELECT samplan_access_log_partition_drop(%s)", [name])
                cursor.execute("SET LOCAL lock_timeout = DEFAULT")
            return True
        except OperationalError as error:
            if getattr(error.__cause__, "sqlstate", None) != LOCK_NOT_AVAILABLE:
                raise
    return False


def person_extract(person):
    """Which unit and organisation read the individual's data, and when (one row a unit a day).

    Staff's printout and Min SIP both show this."""
    return (
        AccessLogEntry.objects.filter(person=person)
        .annotate(day=TruncDate("at"))
        .values("unit__name", "organization__name", "day")
        .annotate(reads=Count("id"), first=Min("at"), last=Max("at"))
        .order_by("-day", "unit__name")
    )


def plan_reads(plans):
    """The staff's reads of these plans: the individual's extract (person_extract) narrowed to
    the plans, for the record systems (FHIR AuditEvent, docs/api.md). Only entries about a
    plan read for a unit (web or API): not the individual's and relatives' own reads in Min
    SIP, and not reads of the person's other records (an admission, a failure report, the
    person card), which would tell a unit of facts beyond the plan. Filtered by person first
    (the log's person index)."""
    plans = list(plans)
    return AccessLogEntry.objects.filter(
        person_id__in={plan.person_id for plan in plans},
        object_type="plan",
        object_id__in=[str(plan.pk) for plan in plans],
        unit__isnull=False,
        channel__in=(AccessLogEntry.Channel.WEB, AccessLogEntry.Channel.API),
    )
