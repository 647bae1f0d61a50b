"""The shipped reminder policy: learners and unit administrators 60, 30 and 7 days before the
claims deadline (the office changes it on the Reminder policy page)."""

from django.db import migrations

DEFAULTS = {"learner_gap": [60, 30, 7], "unit_gap": [60, 30, 7]}


def add(apps, schema_editor):
    policy = apps.get_model("planning", "ReminderPolicy")
    for kind, days in DEFAULTS.items():
        policy.objects.get_or_create(kind=kind, defaults={"days_before": days})


def remove(apps, schema_editor):
    apps.get_model("planning", "ReminderPolicy").objects.filter(kind__in=DEFAULTS).delete()


class Migration(migrations.Migration):
    dependencies = [("planning", "0001_plans_budgets_surveys_reminders")]
    operations = [migrations.RunPython(add, remove)]
