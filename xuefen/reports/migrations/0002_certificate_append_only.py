from django.db import migrations

from xuefen.core.db import append_only


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_certificates")]
    operations = [append_only("reports_certificate")]
