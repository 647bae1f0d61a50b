"""A batch row's foreign keys unchecked by the database (written only by its processing, which
validated them in the same transaction) and its batch without an index of its own (two keys lead
with it): on PostgreSQL three triggers and locking reads per row at commit less."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0007_stagedrow_key_batch_position"),
        ("ledger", "0005_total_fillfactor"),
        ("orgs", "0002_transfer_requests_and_people_imports"),
    ]

    operations = [
        migrations.AlterField(
            model_name="batchrow",
            name="batch",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="rows",
                to="intake.batch",
                verbose_name="batch",
            ),
        ),
        migrations.AlterField(
            model_name="batchrow",
            name="entry",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="ledger.entry",
                verbose_name="ledger entry",
            ),
        ),
        migrations.AlterField(
            model_name="batchrow",
            name="person",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="orgs.person",
                verbose_name="person",
            ),
        ),
    ]
