# Every access-log entry is now chained: the chain columns become required, sequence unique.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0004_access_log_hash_chain_backfill'),
    ]

    operations = [
        migrations.AlterField(
            model_name='accesslogentry',
            name='sequence',
            field=models.BigIntegerField(editable=False, unique=True, verbose_name='sequence'),
        ),
        migrations.AlterField(
            model_name='accesslogentry',
            name='prev_hash',
            field=models.CharField(editable=False, max_length=64, verbose_name='previous hash'),
        ),
        migrations.AlterField(
            model_name='accesslogentry',
            name='entry_hash',
            field=models.CharField(editable=False, max_length=64, verbose_name='hash'),
        ),
    ]
