# PostgreSQL enforces the access log's append-only rule in the database (docs/access-log.md):
#
# - UPDATE, DELETE and TRUNCATE on audit_accesslogentry raise, except DELETE of a row older
#   than the retention (never less than five years) in a transaction that has run
#   SET LOCAL samplan.retention_purge = 'on' (what manage.py purge_access_log does);
# - the head row only moves forward: its sequence never goes back, its hash never changes
#   without it, and its anchor moves (forward) only in a retention purge; it is never deleted.
#
# TRUNCATE is let through on test databases (named test_..., as Django's test runner names
# them) only, because the test runner empties every table with TRUNCATE between tests.
# SQLite has no such triggers: there the model refuses changes (AccessLogEntry.save/delete).

from django.db import migrations

FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION samplan_is_test_database() RETURNS boolean
LANGUAGE sql STABLE AS $$ SELECT current_database() LIKE 'test\_%' $$;

CREATE OR REPLACE FUNCTION samplan_access_log_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    retention_days integer;
BEGIN
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
           OR (NEW.sequence = OLD.sequence AND NEW.entry_hash <> OLD.entry_hash) THEN
            RAISE EXCEPTION 'samplan: the access log head only moves forward'
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
"""

TRIGGERS = [
    ('audit_accesslogentry_append_only', 'BEFORE UPDATE OR DELETE', 'FOR EACH ROW', 'AccessLogEntry', 'samplan_access_log_append_only'),
    ('audit_accesslogentry_no_truncate', 'BEFORE TRUNCATE', 'FOR EACH STATEMENT', 'AccessLogEntry', 'samplan_access_log_append_only'),
    ('audit_accessloghead_forward_only', 'BEFORE UPDATE OR DELETE', 'FOR EACH ROW', 'AccessLogHead', 'samplan_access_log_head_guard'),
    ('audit_accessloghead_no_truncate', 'BEFORE TRUNCATE', 'FOR EACH STATEMENT', 'AccessLogHead', 'samplan_access_log_head_guard'),
]


def _table(apps, schema_editor, model_name):
    return schema_editor.quote_name(apps.get_model('audit', model_name)._meta.db_table)


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != 'postgresql':
        return
    schema_editor.execute(FUNCTIONS, params=None)
    for name, when, level, model_name, function in TRIGGERS:
        table = _table(apps, schema_editor, model_name)
        schema_editor.execute(
            f'CREATE TRIGGER {name} {when} ON {table} {level} EXECUTE FUNCTION {function}()',
            params=None,
        )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != 'postgresql':
        return
    for name, _when, _level, model_name, _function in TRIGGERS:
        table = _table(apps, schema_editor, model_name)
        schema_editor.execute(f'DROP TRIGGER IF EXISTS {name} ON {table}', params=None)
    for function in ['samplan_access_log_append_only', 'samplan_access_log_head_guard', 'samplan_is_test_database']:
        schema_editor.execute(f'DROP FUNCTION IF EXISTS {function}()', params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0005_access_log_hash_chain_required'),
    ]

    operations = [
        migrations.RunPython(create_triggers, drop_triggers),
    ]
