"""The trail's node path indexed once, for its prefix reads (LIKE 'path%'): PostgreSQL's pattern
operator class; the plain index beside it dropped (the table not rebuilt: it keeps its
append-only triggers)."""

from django.conf import settings
from django.db import migrations, models

from xuefen.core.db import drop_field_index


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_auditevent_append_only"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        drop_field_index(
            "audit",
            "auditevent",
            "node_path",
            models.CharField(blank=True, max_length=255),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                fields=["node_path"],
                name="audit_node_path_prefix",
                opclasses=["varchar_pattern_ops"],
            ),
        ),
    ]
