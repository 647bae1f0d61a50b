"""`xuefen worker`: the background worker (django-tasks-db's `db_worker`) with a heartbeat.

A thread writes the worker's sign of life every HEARTBEAT_SECONDS (/healthz reports it); the
`serve` supervisor starts this command, restarts it when it dies and has the dead worker's tasks
marked and queued again (core.workers). Run it on its own beside `serve --no-task-worker`.
"""

import threading
from typing import Any

from django.db import close_old_connections, connection
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from xuefen.core import workers


class Command(DbWorkerCommand):
    help = "Runs the background worker (imports, checks, exports) and writes its heartbeat."

    def handle(self, *args: Any, **options: Any) -> None:
        worker_id = options["worker_id"]
        stop = threading.Event()
        started = timezone.now()

        def beat_forever() -> None:
            try:
                while True:
                    try:
                        workers.beat(worker_id, started)
                    except Exception:  # a busy database: try again at the next beat
                        workers.log.exception("heartbeat of %s failed", worker_id)
                        close_old_connections()
                    if stop.wait(workers.HEARTBEAT_SECONDS):
                        return
            finally:
                connection.close()

        thread = threading.Thread(target=beat_forever, name="heartbeat", daemon=True)
        thread.start()
        workers.ensure_schedules()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
            thread.join(timeout=workers.HEARTBEAT_SECONDS)
