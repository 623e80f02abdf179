"""Bulk writing of generated rows: PostgreSQL COPY, or batched INSERTs on SQLite.

Rows are plain tuples in the order of the columns given (model field attnames). On PostgreSQL
they go through psycopg's `cursor.copy()` (COPY ... FROM STDIN, text format) on the raw
connection under Django's, inside Django's transaction. On SQLite, where there is no COPY,
they are prepared with each field's own `get_db_prep_save` (as `bulk_create` does) and inserted
with `executemany` in large batches: the same rows on both databases, without model instances.
"""

import threading
from collections.abc import Iterable

from django.db import connection
from django.db.models import Max

SQLITE_BATCH = 2000


def columns_of(model) -> list[str]:
    """The concrete columns of a model (or an auto-created M2M through model), as attnames."""
    return [f.attname for f in model._meta.concrete_fields]


class Table:
    """Where the rows of one model go, and the columns each row carries."""

    def __init__(self, model, columns: list[str]):
        missing = set(columns_of(model)) - set(columns)
        unknown = set(columns) - set(columns_of(model))
        if missing or unknown:
            # A model changed: the generator must learn the new columns (it never guesses).
            raise RuntimeError(
                f"generate_world: {model._meta.label} columns differ: "
                f"missing {sorted(missing)}, unknown {sorted(unknown)}"
            )
        self.model = model
        self.columns = columns
        self.name = model._meta.db_table
        fields = {f.attname: f for f in model._meta.concrete_fields}
        self.fields = [fields[c] for c in columns]
        self.db_columns = [f.column for f in self.fields]
        self.rows: list[tuple] = []
        self.written = 0

    def add(self, row: tuple) -> None:
        self.rows.append(row)


class Writer:
    """Flushes tables' buffered rows to the database of Django's default connection."""

    def __init__(self):
        connection.ensure_connection()
        self.postgresql = connection.vendor == "postgresql"
        self.tables: dict[str, Table] = {}
        self.thread: threading.Thread | None = None
        self.failure: BaseException | None = None

    def table(self, key: str, model, columns: list[str]) -> Table:
        table = Table(model, columns)
        self.tables[key] = table
        return table

    def flush(self) -> None:
        """Write every buffered row now (after any chunk still being written)."""
        self.wait()
        for table in self.tables.values():
            if table.rows:
                self._write(table, table.rows)
                table.written += len(table.rows)
                table.rows = []

    def flush_behind(self) -> None:
        """PostgreSQL: hand the buffered rows to a writer thread and return at once, so that
        the next chunk is generated while the database takes this one in. The thread COPYs on
        the same psycopg connection, so in the same transaction; this thread makes no query
        meanwhile (wait() before any). psycopg releases the GIL while it waits for the
        server. SQLite: write now."""
        if not self.postgresql:
            self.flush()
            return
        self.wait()
        work = [(table, table.rows) for table in self.tables.values() if table.rows]
        for table, rows in work:
            table.written += len(rows)
            table.rows = []
        raw = connection.connection

        def write() -> None:
            try:
                for table, rows in work:
                    self._write(table, rows, raw)
            except BaseException as error:  # handed to the main thread by wait()
                self.failure = error

        self.thread = threading.Thread(target=write, name="generate_world-copy")
        self.thread.start()

    def wait(self) -> None:
        thread, self.thread = self.thread, None
        if thread is not None:
            thread.join()
        failure, self.failure = self.failure, None
        if failure is not None:
            raise failure

    def _write(self, table: Table, rows: list[tuple], raw=None) -> None:
        quote = connection.ops.quote_name
        cols = ", ".join(quote(c) for c in table.db_columns)
        if self.postgresql:
            raw = raw or connection.connection
            statement = f"COPY {quote(table.name)} ({cols}) FROM STDIN"
            with raw.cursor() as cursor, cursor.copy(statement) as copy:
                write_row = copy.write_row
                for row in rows:
                    write_row(row)
            return
        preps = []
        for field in table.fields:
            internal = field.get_internal_type()
            if internal == "JSONField":
                preps.append(None)  # already serialised text
            else:
                preps.append(field)
        marks = ", ".join(["%s"] * len(table.db_columns))
        sql = f"INSERT INTO {quote(table.name)} ({cols}) VALUES ({marks})"  # noqa: S608
        with connection.cursor() as cursor:
            for start in range(0, len(rows), SQLITE_BATCH):
                batch = [
                    tuple(
                        value
                        if prep is None or value is None
                        else prep.get_db_prep_save(value, connection)
                        for prep, value in zip(preps, row, strict=True)
                    )
                    for row in rows[start : start + SQLITE_BATCH]
                ]
                cursor.executemany(sql, batch)


def max_id(model) -> int:
    """The highest integer primary key of a table (0 when empty)."""
    return model.objects.aggregate(top=Max("pk"))["top"] or 0


def sequences_reset(tables: Iterable[Table]) -> None:
    """After COPY with explicit ids: move each identity sequence past the highest id."""
    if connection.vendor != "postgresql":
        return  # SQLite's AUTOINCREMENT follows explicit ids by itself
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in tables:
            pk = table.model._meta.pk
            if pk.get_internal_type() not in {"AutoField", "BigAutoField", "SmallAutoField"}:
                continue
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, %s), "  # noqa: S608
                f"GREATEST((SELECT MAX({quote(pk.column)}) FROM {quote(table.name)}), 1))",
                [table.name, pk.column],
            )


class BulkLoad:
    """PostgreSQL: load the tables without their foreign keys and secondary indexes, then
    put them back from their own definitions (pg_get_constraintdef, pg_get_indexdef).

    Checking a foreign key row by row (deferred triggers, queued until commit) and keeping
    every index up to date during COPY cost more than the load itself; adding a constraint
    back validates it in one query, and an index is built in one sort. Everything happens in
    the load's transaction, so a failure leaves the schema as it was. The tables are locked
    (ACCESS EXCLUSIVE) meanwhile: run the generator while nothing else uses the database.
    """

    def __init__(self, tables: Iterable[Table]):
        self.names = sorted({table.name for table in tables})
        self.constraints: list[tuple[str, str, str]] = []
        self.indexes: list[tuple[str, str]] = []

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT conrelid::regclass::text, quote_ident(conname), contype, "
                "pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE contype IN ('f', 'u') AND conrelid = ANY(%s::regclass[]) "
                "ORDER BY contype, 1, 2",
                [self.names],
            )
            self.constraints = [(t, n, d) for t, n, _kind, d in cursor.fetchall()]
            cursor.execute(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
                "FROM pg_index i WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid "
                "AND c.contype IN ('p', 'u', 'x')) ORDER BY 1",
                [self.names],
            )
            self.indexes = cursor.fetchall()
            # Rows written earlier in this transaction may still await their deferred
            # checks, which ALTER TABLE refuses: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table, name, _definition in self.constraints:  # foreign keys first
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
            for name, _definition in self.indexes:
                cursor.execute(f"DROP INDEX {name}")

    def restore(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            for _name, definition in self.indexes:
                cursor.execute(definition)
            for table, name, definition in reversed(self.constraints):  # unique ones first
                cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
