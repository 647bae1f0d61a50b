"""Staged rows keyed by (batch, position), with no surrogate id, no other index and no
foreign-key check per row in the database: the worker's first pass writes a whole roster into
this table (COPY on PostgreSQL), and each index and the per-row foreign-key trigger were an
insertion or a check per row (on PostgreSQL the trigger cost more than the copy). `line` may be
"" (a plain row whose columns say all it said).

Django does not alter a table's primary key into a composite one; the rows here are only the
scratch of batches being processed, so the table is dropped and created anew. A batch whose
staged rows are gone is staged again by its next run (`processing.process_batch` stages a batch
whose header row is missing and goes on from its checkpoint). Backwards the same way."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0006_staged_rows"),
    ]

    operations = [
        migrations.DeleteModel(name="StagedRow"),
        migrations.CreateModel(
            name="StagedRow",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "batch",
                        "position",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                (
                    "batch",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="intake.batch",
                    ),
                ),
                ("position", models.PositiveIntegerField()),
                ("row_number", models.PositiveIntegerField()),
                ("id_number", models.TextField(blank=True)),
                ("name", models.TextField(blank=True)),
                ("course_code", models.TextField(blank=True)),
                ("first_day", models.DateField(blank=True, null=True)),
                ("completed_on", models.DateField(blank=True, null=True)),
                ("plain", models.BooleanField(default=False)),
                ("line", models.TextField(blank=True)),
            ],
            options={
                "verbose_name": "staged row",
                "verbose_name_plural": "staged rows",
            },
        ),
    ]
