from django.db import migrations

from xuefen.core.db import append_only


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_entries_totals_standings")]
    operations = [append_only("ledger_entry")]
