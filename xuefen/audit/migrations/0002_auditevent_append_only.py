from django.db import migrations

from xuefen.core.db import append_only


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_auditevent")]
    operations = [append_only("audit_auditevent")]
