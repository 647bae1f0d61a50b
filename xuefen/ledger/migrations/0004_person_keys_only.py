"""The person's (and the reversed entry's) own indexes dropped where a key leading with the same
column serves every lookup: one b-tree insertion less per entry, total and standing written.
Only the indexes: the tables are not rebuilt (on SQLite that would drop the append-only triggers)."""

import django.db.models.deletion
from django.db import migrations, models

from xuefen.core.db import drop_field_index


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0003_entry_span_days_standing_status"),
        ("orgs", "0002_transfer_requests_and_people_imports"),
    ]

    operations = [
        drop_field_index(
            "ledger",
            "entry",
            "person",
            models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="ledger_entries",
                to="orgs.person",
                verbose_name="person",
            ),
        ),
        drop_field_index(
            "ledger",
            "entry",
            "reverses",
            models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="reversals",
                to="ledger.entry",
                verbose_name="reverses",
            ),
        ),
        drop_field_index(
            "ledger",
            "standing",
            "person",
            models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="standings",
                to="orgs.person",
                verbose_name="person",
            ),
        ),
        drop_field_index(
            "ledger",
            "total",
            "person",
            models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="credit_totals",
                to="orgs.person",
                verbose_name="person",
            ),
        ),
    ]
