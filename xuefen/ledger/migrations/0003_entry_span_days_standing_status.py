"""A credit is an activity with a span: every entry gets its first and last day (the old activity
date is the last day, and existing entries become one-day spans), the days it took where it is
measured in days (none for existing entries), and whether its artefact may count for one person
only. Standings say where a period stands (met, not met, in progress, exempt, no rule set) and keep
the requirements not yet met.

The append-only triggers are lifted for the length of this migration only (filling first_day is an
UPDATE, and SQLite rebuilds the table to add constraints) and put back at the end. No hash changes:
a one-day span without days hashes exactly as before (see Entry.hashed_fields)."""

from django.db import migrations, models

from xuefen.core.db import append_only, lift_append_only


def status_from_met(apps, schema_editor):
    Standing = apps.get_model("ledger", "Standing")
    Standing.objects.filter(met=True).update(status="met")
    Standing.objects.filter(met=False, ruleset="").update(status="no_rules")


def met_from_status(apps, schema_editor):
    Standing = apps.get_model("ledger", "Standing")
    Standing.objects.filter(status__in=["met", "exempt"]).update(met=True)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_entry_append_only")]

    operations = [
        lift_append_only("ledger_entry"),
        migrations.RenameField("entry", "activity_date", "last_day"),
        migrations.AlterField("entry", "last_day", models.DateField(verbose_name="last day")),
        migrations.AddField(
            "entry", "first_day", models.DateField(null=True, verbose_name="first day")
        ),
        migrations.RunSQL(
            "UPDATE ledger_entry SET first_day = last_day", reverse_sql=migrations.RunSQL.noop
        ),
        migrations.AlterField("entry", "first_day", models.DateField(verbose_name="first day")),
        migrations.AddField(
            "entry",
            "days",
            models.DecimalField(
                blank=True, decimal_places=1, max_digits=5, null=True, verbose_name="days"
            ),
        ),
        migrations.AddField(
            "entry",
            "artefact_exclusive",
            models.BooleanField(default=False, verbose_name="one holder only"),
        ),
        migrations.AddConstraint(
            "entry",
            models.CheckConstraint(
                condition=models.Q(("last_day__gte", models.F("first_day"))),
                name="ledger_entry_span_ordered",
            ),
        ),
        migrations.AddConstraint(
            "entry",
            models.CheckConstraint(
                condition=models.Q(("days__isnull", True), ("days__gt", 0), _connector="OR"),
                name="ledger_entry_days_positive",
            ),
        ),
        migrations.AddIndex(
            "entry",
            models.Index(
                condition=models.Q(("artefact_exclusive", True)),
                fields=["artefact_key"],
                name="ledger_entry_exclusive_key",
            ),
        ),
        migrations.AddField(
            "standing",
            "status",
            models.CharField(
                choices=[
                    ("met", "Met"),
                    ("short", "Not met"),
                    ("in_progress", "In progress"),
                    ("exempt", "Exempt"),
                    ("no_rules", "No rule set applies"),
                ],
                default="short",
                max_length=16,
                verbose_name="status",
            ),
        ),
        migrations.AddField(
            "standing",
            "shortfalls",
            models.JSONField(blank=True, default=list, verbose_name="shortfalls"),
        ),
        migrations.RunPython(status_from_met, met_from_status),
        migrations.RemoveIndex("standing", "ledger_stan_period_3376ab_idx"),
        migrations.RemoveField("standing", "met"),
        migrations.AddIndex(
            "standing", models.Index(fields=["period", "status"], name="ledger_stan_period_status")
        ),
        append_only("ledger_entry"),
    ]
