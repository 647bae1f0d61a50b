"""Reminders keyed by (user, round) (migration 0003): a county upgrading keeps every reminder sent
(read or not, e-mailed or not), and afterwards the database itself refuses a second reminder of an
account in the same round. Down and up again keeps them too."""

import datetime as dt
from importlib import import_module

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.planning.test_reminders import DEADLINE
from tests.planning.test_reminders import year as year  # the fixture
from xuefen.planning import reminders
from xuefen.planning.models import Reminder, ReminderPolicy

BEFORE_KEY = ("planning", "0002_default_reminder_policies")
KEYED = ("planning", "0003_reminder_key_user_round")
SEEN = ("user_id", "round_id", "node_path", "people", "earned", "email_to", "emailed_at")


def _shipped_policies() -> None:
    """The reminder policies migration 0002 ships: a transactional test before this one emptied
    every table, those rows included (pytest-django runs transactional tests last)."""
    shipped = import_module("xuefen.planning.migrations.0002_default_reminder_policies").DEFAULTS
    for kind, days in shipped.items():
        ReminderPolicy.objects.get_or_create(kind=kind, defaults={"days_before": days})


def _rows() -> set[tuple]:
    return set(Reminder.objects.values_list(*SEEN))


def _migrate(target: tuple[str, str]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


@pytest.mark.usefixtures("append_only_flush")
def test_the_reminders_sent_survive_the_new_key_both_ways(year):
    _shipped_policies()
    reminders.run_reminders(DEADLINE - dt.timedelta(days=7))
    reminders.send_reminder_emails()
    before = _rows()
    assert len(before) >= 2
    _migrate(BEFORE_KEY)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM planning_reminder WHERE id IS NOT NULL")
        assert cursor.fetchone()[0] == len(before)
    _migrate(KEYED)
    assert _rows() == before
    mine = Reminder.objects.get(user=year.lena)
    assert mine.pk == (year.lena.pk, mine.round_id)
    # The run again adds nothing: the key holds what was sent before the upgrade.
    assert reminders.run_reminders(DEADLINE - dt.timedelta(days=7)).written == 0
