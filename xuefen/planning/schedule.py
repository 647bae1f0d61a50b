"""The schedule of the daily reminder run: one run is always waiting in the task queue, due at
REMINDER_HOUR (local time) on the next day it has not yet run. The worker calls `ensure` when it
starts (core.workers.ensure_schedules) and each run queues the next, so the schedule survives a
restart without a separate scheduler process."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.tasks import TaskResultStatus
from django.utils import timezone

TASK_PATH = "xuefen.planning.tasks.run_reminders_task"


def next_run(now: dt.datetime, after_run: bool = False) -> dt.datetime:
    """The next REMINDER_HOUR: today's if it is still ahead (and the run is not today's own)."""
    local = timezone.localtime(now)
    at = local.replace(hour=settings.REMINDER_HOUR, minute=0, second=0, microsecond=0)
    if after_run or at <= local:
        at += dt.timedelta(days=1)
    return at


def ensure(after_run: bool = False) -> bool:
    """Queues the next reminder run unless one is waiting already; True if it queued one."""
    from django_tasks_db.models import DBTaskResult

    from xuefen.planning.tasks import run_reminders_task

    with transaction.atomic():
        waiting = DBTaskResult.objects.filter(
            task_path=TASK_PATH, status=TaskResultStatus.READY
        ).exists()
        if waiting:
            return False
        run_reminders_task.using(run_after=next_run(timezone.now(), after_run)).enqueue()
    return True
