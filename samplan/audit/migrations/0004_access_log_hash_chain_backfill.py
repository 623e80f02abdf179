# Chain the access-log entries written before the chain existed, oldest first, and record the
# head. Uses the chain's own hash function: its format is fixed for good (samplan.audit.chain).

from django.db import migrations

from samplan.audit import chain


def chain_existing_entries(apps, schema_editor):
    Entry = apps.get_model('audit', 'AccessLogEntry')
    Head = apps.get_model('audit', 'AccessLogHead')
    sequence, prev_hash = 0, chain.GENESIS_HASH
    batch = []
    for entry in Entry.objects.order_by('at', 'id').iterator(chunk_size=1000):
        sequence += 1
        entry.sequence = sequence
        entry.prev_hash = prev_hash
        row = {field: getattr(entry, field) for field in (*chain.HASHED_FIELDS, 'prev_hash')}
        entry.entry_hash = prev_hash = chain.entry_hash_compute(row)
        batch.append(entry)
        if len(batch) == 1000:
            Entry.objects.bulk_update(batch, ['sequence', 'prev_hash', 'entry_hash'])
            batch = []
    if batch:
        Entry.objects.bulk_update(batch, ['sequence', 'prev_hash', 'entry_hash'])
    Head.objects.update_or_create(pk=1, defaults={'sequence': sequence, 'entry_hash': prev_hash})


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0003_access_log_hash_chain_fields'),
    ]

    operations = [
        migrations.RunPython(chain_existing_entries, migrations.RunPython.noop),
    ]
