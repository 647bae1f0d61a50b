"""Batch rows keep the first day and days of each completion, and a row in error its cells as
sent (for the error file)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0001_providers_courses_batches"),
    ]

    operations = [
        migrations.AddField(
            model_name="batchrow",
            name="days",
            field=models.DecimalField(
                blank=True, decimal_places=2, max_digits=6, null=True, verbose_name="days"
            ),
        ),
        migrations.AddField(
            model_name="batchrow",
            name="first_day",
            field=models.DateField(blank=True, null=True, verbose_name="first day"),
        ),
        migrations.AddField(
            model_name="batchrow",
            name="sent",
            field=models.JSONField(blank=True, default=dict, verbose_name="as sent"),
        ),
    ]
