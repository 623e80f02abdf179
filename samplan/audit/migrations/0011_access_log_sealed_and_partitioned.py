# The access log keeps up (docs/access-log.md, "How an entry is written and sealed"):
#
# - entries are inserted unsealed, with no lock: `sequence` may be empty and the chain hashes
#   are empty until the sealer (services.access_log_seal) fills them in; `content_hash` covers
#   an entry's content and id from the start; `person` is empty in the sealer's gap entries;
#   the head gets `sealed_id`, how far the sealer has accounted for the ids;
# - on PostgreSQL the table becomes partitioned by month on `at` (declarative range
#   partitioning, UTC months, with a DEFAULT partition as a safety net). A partitioned table's
#   primary key must include the partition key, so the real key is (id, at); Django still sees
#   `id` as the primary key (ids are unique: one sequence hands them out), and `sequence` is
#   no longer a unique index (the sealer's lock keeps it unique and verification checks it).
#   The table is rebuilt: a new partitioned table, the rows copied over (all of them sealed),
#   the old one dropped. This migration changes the log's storage in the open, as
#   docs/access-log.md requires of any migration that touches existing entries;
# - the append-only trigger gets its one new exception, sealing: with
#   `SET LOCAL samplan.sealing = 'on'` an UPDATE may fill in the chain fields of an unsealed
#   entry and nothing else; the head moves forward only while sealing (or, for its anchor,
#   in a retention purge);
# - SECURITY DEFINER functions let the runtime role create the coming months' partitions and,
#   in a retention purge only, drop a month that lies wholly beyond the retention, without
#   owning any table.
#
# On SQLite the table stays a normal table and only the field changes apply.

import datetime

from django.db import migrations, models

ENTRIES = 'audit_accesslogentry'
HEAD = 'audit_accessloghead'
OLD = 'audit_accesslogentry_unpartitioned'
ID_SEQUENCE = 'audit_accesslogentry_id_seq'
DEFAULT_PARTITION = 'audit_accesslogentry_default'

# The functions, with the schema the migration runs in filled in ({schema}).
FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION samplan_access_log_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    retention_days integer;
BEGIN
    IF TG_OP = 'UPDATE' AND current_setting('samplan.sealing', true) = 'on' THEN
        -- Sealing: the chain fields of an unsealed entry are filled in, once; the content,
        -- the id, the time and the content hash stay as they are.
        IF OLD.sequence IS NULL AND NEW.sequence IS NOT NULL AND NEW.sequence > 0
           AND OLD.prev_hash = '' AND OLD.entry_hash = ''
           AND NEW.prev_hash ~ '^[0-9a-f]{64}$' AND NEW.entry_hash ~ '^[0-9a-f]{64}$'
           AND to_jsonb(NEW) - ARRAY['sequence', 'prev_hash', 'entry_hash']
               = to_jsonb(OLD) - ARRAY['sequence', 'prev_hash', 'entry_hash'] THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'samplan: the access log is append-only: sealing sets only the chain fields of an unsealed entry (id %)', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' AND current_setting('samplan.retention_purge', true) = 'on' THEN
        retention_days := GREATEST(
            1827,
            COALESCE(NULLIF(current_setting('samplan.retention_days', true), '')::integer, 0)
        );
        IF OLD.at < now() - make_interval(days => retention_days) THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'samplan: access log entry % is within the retention of % days',
            OLD.sequence, retention_days
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'TRUNCATE' AND samplan_is_test_database() THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'samplan: the access log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE OR REPLACE FUNCTION samplan_access_log_head_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.id <> OLD.id
           OR NEW.sequence < OLD.sequence
           OR (NEW.sequence = OLD.sequence AND NEW.entry_hash <> OLD.entry_hash)
           OR NEW.sealed_id < OLD.sealed_id THEN
            RAISE EXCEPTION 'samplan: the access log head only moves forward'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF (NEW.sequence, NEW.entry_hash, NEW.sealed_id) IS DISTINCT FROM (OLD.sequence, OLD.entry_hash, OLD.sealed_id)
           AND current_setting('samplan.sealing', true) IS DISTINCT FROM 'on' THEN
            RAISE EXCEPTION 'samplan: the access log head only moves forward, when entries are sealed'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF (NEW.anchor_sequence, NEW.anchor_hash) IS DISTINCT FROM (OLD.anchor_sequence, OLD.anchor_hash)
           AND (current_setting('samplan.retention_purge', true) IS DISTINCT FROM 'on'
                OR NEW.anchor_sequence <= OLD.anchor_sequence) THEN
            RAISE EXCEPTION 'samplan: the access log anchor moves forward only in a retention purge'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'TRUNCATE' AND samplan_is_test_database() THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'samplan: the access log head is never removed: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

-- An entry's content hash, computed in the INSERT (samplan.audit.chain.content_canonical
-- computes the same bytes): a version line, then `name=` and `-` for NULL or the value's
-- length, `:` and the value, one line a field.
CREATE OR REPLACE FUNCTION samplan_access_log_content_field(name text, value text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT E'\n' || name || '=' || COALESCE(length(value)::text || ':' || value, '-')
$$;

CREATE OR REPLACE FUNCTION samplan_access_log_content_hash(
    entry_id bigint, at timestamptz, action text, object_type text, object_id text,
    request_id text, channel text, user_id text, unit_id text, organization_id text,
    person_id text
) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT encode(sha256(convert_to(
        'samplan-access-log-content-v1'
        || samplan_access_log_content_field('id', entry_id::text)
        || samplan_access_log_content_field(
            'at', to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'))
        || samplan_access_log_content_field('action', action)
        || samplan_access_log_content_field('object_type', object_type)
        || samplan_access_log_content_field('object_id', object_id)
        || samplan_access_log_content_field('request_id', request_id)
        || samplan_access_log_content_field('channel', channel)
        || samplan_access_log_content_field('user_id', user_id)
        || samplan_access_log_content_field('unit_id', unit_id)
        || samplan_access_log_content_field('organization_id', organization_id)
        || samplan_access_log_content_field('person_id', person_id),
        'UTF8')), 'hex')
$$;

-- One month's partition (UTC), unless it exists or the DEFAULT partition already holds rows
-- of that month (they stay there: a partition cannot be attached over them). Created as a
-- table of its own and then attached, which locks the log only SHARE UPDATE EXCLUSIVE (appends
-- go on) and the DEFAULT partition ACCESS EXCLUSIVE: reads of the whole log wait behind it for
-- at most lock_timeout, after which it gives up (the worker tries again an hour later).
CREATE OR REPLACE FUNCTION samplan_access_log_partition_create(month date) RETURNS text
LANGUAGE plpgsql SET search_path = {schema}, pg_temp SET lock_timeout = '500ms' AS $$
DECLARE
    first_day date := date_trunc('month', month)::date;
    partition text := 'audit_accesslogentry_p' || to_char(first_day, 'YYYY_MM');
    lower_bound timestamptz := first_day::timestamp AT TIME ZONE 'UTC';
    upper_bound timestamptz := (first_day + interval '1 month')::timestamp AT TIME ZONE 'UTC';
BEGIN
    IF to_regclass(partition) IS NOT NULL THEN
        RETURN NULL;
    END IF;
    IF EXISTS (SELECT 1 FROM audit_accesslogentry_default WHERE at >= lower_bound AND at < upper_bound) THEN
        RAISE WARNING 'samplan: the access log''s DEFAULT partition holds entries of %; % is not created', to_char(first_day, 'YYYY-MM'), partition;
        RETURN NULL;
    END IF;
    EXECUTE format('CREATE TABLE %I (LIKE audit_accesslogentry INCLUDING DEFAULTS)', partition);
    EXECUTE format(
        'ALTER TABLE audit_accesslogentry ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
        partition, lower_bound, upper_bound
    );
    EXECUTE format(
        'CREATE TRIGGER audit_accesslogentry_no_truncate BEFORE TRUNCATE ON %I'
        ' FOR EACH STATEMENT EXECUTE FUNCTION samplan_access_log_append_only()',
        partition
    );
    RETURN partition;
END;
$$;

-- What the runtime role may call: this month's partition and up to 24 months ahead.
CREATE OR REPLACE FUNCTION samplan_access_log_partitions_ensure(months_ahead integer) RETURNS SETOF text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
DECLARE
    this_month date := date_trunc('month', now() AT TIME ZONE 'UTC')::date;
    created text;
BEGIN
    FOR ahead IN 0 .. LEAST(GREATEST(months_ahead, 0), 24) LOOP
        created := samplan_access_log_partition_create((this_month + make_interval(months => ahead))::date);
        IF created IS NOT NULL THEN
            RETURN NEXT created;
        END IF;
    END LOOP;
END;
$$;

-- The retention purge's way to drop a month: only in a purge (samplan.retention_purge), only
-- a month partition of the log, and only one that ends before the retention, which is never
-- less than five years (the same floor as the DELETE trigger's).
CREATE OR REPLACE FUNCTION samplan_access_log_partition_drop(partition text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
DECLARE
    retention_days integer;
    bound text;
    upper_bound timestamptz;
BEGIN
    IF current_setting('samplan.retention_purge', true) IS DISTINCT FROM 'on' THEN
        RAISE EXCEPTION 'samplan: access log partitions are dropped only by the retention purge'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT pg_get_expr(c.relpartbound, c.oid) INTO bound
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'audit_accesslogentry'::regclass AND c.relname = partition;
    upper_bound := substring(bound FROM 'TO \(''([^'']+)''\)')::timestamptz;
    IF bound IS NULL OR upper_bound IS NULL THEN
        RAISE EXCEPTION 'samplan: % is not a month partition of the access log', partition
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    retention_days := GREATEST(
        1827,
        COALESCE(NULLIF(current_setting('samplan.retention_days', true), '')::integer, 0)
    );
    IF upper_bound > now() - make_interval(days => retention_days) THEN
        RAISE EXCEPTION 'samplan: access log partition % is within the retention of % days',
            partition, retention_days
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    EXECUTE format('DROP TABLE %I', partition);
END;
$$;
"""

# The copy keeps every column; content_hash stays empty for entries sealed before it existed
# (the chain covers their content).
COPIED = (
    'id', 'at', 'action', 'object_type', 'object_id', 'request_id', 'channel',
    'organization_id', 'person_id', 'unit_id', 'user_id', 'sequence', 'prev_hash', 'entry_hash',
)


def _month(at):
    return at.date().replace(day=1)


def partition_postgresql(apps, schema_editor):
    if schema_editor.connection.vendor != 'postgresql':
        return
    connection = schema_editor.connection
    entry = apps.get_model('audit', 'AccessLogEntry')
    references = {
        field.column: (field.db_type(connection), field.related_model._meta.db_table)
        for field in entry._meta.concrete_fields
        if field.is_relation
    }
    with connection.cursor() as cursor:
        cursor.execute('SELECT current_schema()')
        (schema,) = cursor.fetchone()
        cursor.execute(FUNCTIONS.replace('{schema}', connection.ops.quote_name(schema)))

        # The old table out of the way, its identity sequence's position kept.
        cursor.execute(f'ALTER TABLE {ENTRIES} RENAME TO {OLD}')
        cursor.execute(f"SELECT pg_get_serial_sequence('{OLD}', 'id')")
        (old_sequence,) = cursor.fetchone()
        last = 0
        if old_sequence:
            cursor.execute('SELECT COALESCE(pg_sequence_last_value(%s::regclass), 0)', [old_sequence])
            (last,) = cursor.fetchone()
        cursor.execute(f'SELECT COALESCE(max(id), 0) FROM {OLD}')
        last = max(last, cursor.fetchone()[0])
        cursor.execute(f'ALTER TABLE {OLD} ALTER COLUMN id DROP IDENTITY IF EXISTS')
        cursor.execute(f'ALTER TABLE {OLD} ALTER COLUMN id DROP DEFAULT')
        if old_sequence:
            cursor.execute(f'DROP SEQUENCE IF EXISTS {old_sequence}')  # a serial's
        # Its primary key's name goes to the new table.
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p'",
            [OLD],
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'ALTER TABLE {OLD} DROP CONSTRAINT {connection.ops.quote_name(name)}')
        cursor.execute(f'CREATE SEQUENCE {ID_SEQUENCE} AS bigint')
        if last:
            cursor.execute('SELECT setval(%s, %s)', [ID_SEQUENCE, last])

        cursor.execute(f"""
            CREATE TABLE {ENTRIES} (
                id bigint NOT NULL DEFAULT nextval('{ID_SEQUENCE}'),
                at timestamp with time zone NOT NULL,
                action varchar(40) NOT NULL,
                object_type varchar(40) NOT NULL,
                object_id varchar(64) NOT NULL,
                request_id varchar(64) NOT NULL,
                channel varchar(10) NOT NULL,
                organization_id {references['organization_id'][0]} NULL,
                person_id {references['person_id'][0]} NULL,
                unit_id {references['unit_id'][0]} NULL,
                user_id {references['user_id'][0]} NULL,
                sequence bigint NULL,
                prev_hash varchar(64) NOT NULL DEFAULT '',
                entry_hash varchar(64) NOT NULL DEFAULT '',
                content_hash varchar(64) NOT NULL DEFAULT '',
                PRIMARY KEY (id, at)
            ) PARTITION BY RANGE (at)
        """)
        cursor.execute(f'ALTER SEQUENCE {ID_SEQUENCE} OWNED BY {ENTRIES}.id')
        cursor.execute(f'CREATE TABLE {DEFAULT_PARTITION} PARTITION OF {ENTRIES} DEFAULT')

        # A partition for every month with entries, this month and the next.
        cursor.execute(f"SELECT DISTINCT date_trunc('month', at AT TIME ZONE 'UTC') FROM {OLD}")
        months = {row[0].date() for row in cursor.fetchall()}
        cursor.execute("SELECT (now() AT TIME ZONE 'UTC')::date")
        (today,) = cursor.fetchone()
        this_month = today.replace(day=1)
        months |= {this_month, (this_month + datetime.timedelta(days=32)).replace(day=1)}
        for month in sorted(months):
            cursor.execute('SELECT samplan_access_log_partition_create(%s)', [month])

        columns = ', '.join(COPIED)
        cursor.execute(f'INSERT INTO {ENTRIES} ({columns}) SELECT {columns} FROM {OLD}')
        cursor.execute(f'DROP TABLE {OLD}')

        # Indexes on the partitioned table (each partition gets its own) and the foreign keys.
        for column in ('at', 'organization_id', 'person_id', 'unit_id', 'user_id'):
            cursor.execute(f'CREATE INDEX {ENTRIES}_{column}_idx ON {ENTRIES} ({column})')
        cursor.execute(f'CREATE INDEX audit_accesslog_sequence ON {ENTRIES} (sequence, id)')
        cursor.execute(
            f'CREATE INDEX audit_accesslog_unsealed ON {ENTRIES} (id) WHERE sequence IS NULL'
        )
        for column, (_type, target) in sorted(references.items()):
            cursor.execute(
                f'ALTER TABLE {ENTRIES} ADD CONSTRAINT {ENTRIES}_{column}_fk'
                f' FOREIGN KEY ({column}) REFERENCES {target} (id) DEFERRABLE INITIALLY DEFERRED'
            )

        # The triggers: row triggers are cloned to every partition; TRUNCATE triggers are not,
        # so each partition has its own (samplan_access_log_partition_create adds it).
        cursor.execute(
            f'CREATE TRIGGER audit_accesslogentry_append_only BEFORE UPDATE OR DELETE ON {ENTRIES}'
            ' FOR EACH ROW EXECUTE FUNCTION samplan_access_log_append_only()'
        )
        for table in (ENTRIES, DEFAULT_PARTITION):
            cursor.execute(
                f'CREATE TRIGGER audit_accesslogentry_no_truncate BEFORE TRUNCATE ON {table}'
                ' FOR EACH STATEMENT EXECUTE FUNCTION samplan_access_log_append_only()'
            )
        cursor.execute(f'ANALYZE {ENTRIES}')


def head_sealed_id(apps, schema_editor):
    """Every entry written so far is sealed: the head accounts for every id handed out. An
    empty log gets its head now (the first append would otherwise create it)."""
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == 'postgresql':
            cursor.execute('SELECT COALESCE(pg_sequence_last_value(%s::regclass), 0)', [ID_SEQUENCE])
        else:
            cursor.execute(
                'SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0),'
                f' COALESCE((SELECT MAX(id) FROM {ENTRIES}), 0))',
                [ENTRIES],
            )
        (last,) = cursor.fetchone()
        cursor.execute(f'SELECT COUNT(*) FROM {HEAD}')
        (heads,) = cursor.fetchone()
        cursor.execute(f'SELECT EXISTS (SELECT 1 FROM {ENTRIES})')
        (entries,) = cursor.fetchone()
        if connection.vendor == 'postgresql':
            cursor.execute("SET LOCAL samplan.sealing = 'on'")
        if heads:
            cursor.execute(f'UPDATE {HEAD} SET sealed_id = %s WHERE sealed_id < %s', [last, last])
        elif not entries:
            zeros = '0' * 64
            cursor.execute(
                f'INSERT INTO {HEAD} (id, sequence, entry_hash, anchor_sequence, anchor_hash, sealed_id)'
                ' VALUES (1, 0, %s, 0, %s, %s)',
                [zeros, zeros, last],
            )
        if connection.vendor == 'postgresql':
            cursor.execute("SET LOCAL samplan.sealing = 'off'")


def irreversible_on_postgresql(apps, schema_editor):
    if schema_editor.connection.vendor == 'postgresql':
        raise NotImplementedError(
            'The partitioned access log is not turned back into one table by a migration: '
            'seal every entry, then rebuild it by hand (docs/access-log.md).'
        )


class OnlyOn(migrations.operations.base.Operation):
    """An operation whose state change always applies but whose schema change runs on one
    database vendor only (PostgreSQL gets its schema from partition_postgresql instead)."""

    reversible = True
    reduces_to_sql = False

    def __init__(self, vendor, operation):
        self.vendor = vendor
        self.operation = operation

    def deconstruct(self):
        return (self.__class__.__qualname__, [self.vendor, self.operation], {})

    def state_forwards(self, app_label, state):
        self.operation.state_forwards(app_label, state)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            self.operation.database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            self.operation.database_backwards(app_label, schema_editor, from_state, to_state)

    def describe(self):
        return f'{self.operation.describe()} (schema on {self.vendor} only)'


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0010_admin_security_events'),
    ]

    operations = [
        OnlyOn('sqlite', migrations.AlterField(
            model_name='accesslogentry',
            name='person',
            field=models.ForeignKey(null=True, on_delete=models.deletion.PROTECT, related_name='+', to='people.person', verbose_name='individual'),
        )),
        OnlyOn('sqlite', migrations.AlterField(
            model_name='accesslogentry',
            name='sequence',
            field=models.BigIntegerField(editable=False, null=True, verbose_name='sequence'),
        )),
        OnlyOn('sqlite', migrations.AlterField(
            model_name='accesslogentry',
            name='prev_hash',
            field=models.CharField(default='', editable=False, max_length=64, verbose_name='previous hash'),
        )),
        OnlyOn('sqlite', migrations.AlterField(
            model_name='accesslogentry',
            name='entry_hash',
            field=models.CharField(default='', editable=False, max_length=64, verbose_name='hash'),
        )),
        OnlyOn('sqlite', migrations.AlterField(
            model_name='accesslogentry',
            name='channel',
            field=models.CharField(choices=[('web', 'Web'), ('api', 'API'), ('citizen', 'Min SIP'), ('system', 'System')], default='web', max_length=10, verbose_name='channel'),
        )),
        OnlyOn('sqlite', migrations.AddField(
            model_name='accesslogentry',
            name='content_hash',
            field=models.CharField(default='', editable=False, max_length=64, verbose_name='content hash'),
        )),
        OnlyOn('sqlite', migrations.AddIndex(
            model_name='accesslogentry',
            index=models.Index(fields=['sequence', 'id'], name='audit_accesslog_sequence'),
        )),
        OnlyOn('sqlite', migrations.AddIndex(
            model_name='accesslogentry',
            index=models.Index(condition=models.Q(('sequence__isnull', True)), fields=['id'], name='audit_accesslog_unsealed'),
        )),
        migrations.AddField(
            model_name='accessloghead',
            name='sealed_id',
            field=models.BigIntegerField(default=0, verbose_name='sealed up to id'),
        ),
        migrations.RunPython(partition_postgresql, irreversible_on_postgresql),
        migrations.RunPython(head_sealed_id, migrations.RunPython.noop),
    ]
