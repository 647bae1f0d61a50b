"""Background work of planning (run by the background worker): the daily reminder run, which
queues its own next run, and the reminder e-mails."""

from django.tasks import task


@task()
def run_reminders_task() -> int:
    """The reminders due today; then the next day's run is queued (planning.schedule)."""
    from xuefen.planning.reminders import run_reminders
    from xuefen.planning.schedule import ensure

    try:
        return run_reminders().written
    finally:
        ensure(after_run=True)


@task()
def send_reminder_emails_task() -> int:
    from xuefen.planning.reminders import send_reminder_emails

    return send_reminder_emails()
