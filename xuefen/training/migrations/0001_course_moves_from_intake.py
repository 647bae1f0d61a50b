"""The course moves from the bulk-reporting app (intake) to the training app. Only Django's idea of
where the model lives changes: the table stays `intake_course` with every row, constraint and
foreign key (intake 0004 drops the model from intake's state in the same way)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("intake", "0003_merge_batch_spans_and_task_attempts"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Course",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("code", models.CharField(max_length=40, verbose_name="code")),
                        ("name", models.CharField(max_length=200, verbose_name="name")),
                        (
                            "kind",
                            models.CharField(
                                blank=True, max_length=40, verbose_name="activity kind"
                            ),
                        ),
                        ("categories", models.JSONField(default=list, verbose_name="categories")),
                        (
                            "amount",
                            models.DecimalField(
                                decimal_places=2, max_digits=7, verbose_name="credit value"
                            ),
                        ),
                        (
                            "unit",
                            models.CharField(
                                choices=[("hours", "hours"), ("credits", "credits")],
                                default="hours",
                                max_length=16,
                                verbose_name="unit",
                            ),
                        ),
                        ("starts_on", models.DateField(verbose_name="starts on")),
                        (
                            "ends_on",
                            models.DateField(blank=True, null=True, verbose_name="ends on"),
                        ),
                        ("is_active", models.BooleanField(default=True, verbose_name="active")),
                        (
                            "created_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="created at"),
                        ),
                        (
                            "provider",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="courses",
                                to="intake.provider",
                                verbose_name="provider",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "course",
                        "verbose_name_plural": "courses",
                        "ordering": ["provider_id", "code"],
                        "db_table": "intake_course",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("provider", "code"), name="intake_course_code_once"
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("amount__gt", 0)),
                                name="intake_course_amount_positive",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("ends_on__isnull", True),
                                    ("ends_on__gte", models.F("starts_on")),
                                    _connector="OR",
                                ),
                                name="intake_course_dates_ordered",
                            ),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
