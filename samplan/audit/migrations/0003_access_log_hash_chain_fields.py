# The access log becomes a hash chain (docs/access-log.md): sequence, prev_hash and entry_hash
# on every entry, and the one-row AccessLogHead. The columns start out optional; 0004 chains
# the entries that exist and 0005 makes the columns required.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0002_access_log'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='accesslogentry',
            options={'ordering': ['-sequence'], 'verbose_name': 'access log entry', 'verbose_name_plural': 'access log'},
        ),
        migrations.AlterField(
            model_name='accesslogentry',
            name='at',
            field=models.DateTimeField(db_index=True, verbose_name='time'),
        ),
        migrations.AddField(
            model_name='accesslogentry',
            name='sequence',
            field=models.BigIntegerField(editable=False, null=True, verbose_name='sequence'),
        ),
        migrations.AddField(
            model_name='accesslogentry',
            name='prev_hash',
            field=models.CharField(default='', editable=False, max_length=64, verbose_name='previous hash'),
        ),
        migrations.AddField(
            model_name='accesslogentry',
            name='entry_hash',
            field=models.CharField(default='', editable=False, max_length=64, verbose_name='hash'),
        ),
        migrations.CreateModel(
            name='AccessLogHead',
            fields=[
                ('id', models.PositiveSmallIntegerField(default=1, editable=False, primary_key=True, serialize=False)),
                ('sequence', models.BigIntegerField(default=0, verbose_name='latest sequence')),
                ('entry_hash', models.CharField(default='0000000000000000000000000000000000000000000000000000000000000000', max_length=64, verbose_name='latest hash')),
                ('anchor_sequence', models.BigIntegerField(default=0, verbose_name='anchor sequence')),
                ('anchor_hash', models.CharField(default='0000000000000000000000000000000000000000000000000000000000000000', max_length=64, verbose_name='anchor hash')),
            ],
            options={
                'verbose_name': 'access log head',
                'verbose_name_plural': 'access log head',
                'constraints': [models.CheckConstraint(condition=models.Q(('id', 1)), name='audit_accessloghead_single_row'), models.CheckConstraint(condition=models.Q(('anchor_sequence__lte', models.F('sequence'))), name='audit_accessloghead_anchor_not_after_head')],
            },
        ),
    ]
