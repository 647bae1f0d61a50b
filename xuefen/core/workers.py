"""The background worker's life: its heartbeat, what happens to its tasks when it dies, and what
/healthz says about it and the queue.

A worker process killed mid-task (the kernel's OOM killer, `kill -9`, a crash in C code) leaves
its task row RUNNING for ever. Whoever knows it died (the `serve` supervisor, which saw its child
end; or the supervisor starting up, for a worker of this host whose process is gone) calls
`recover_dead_worker`: the rows it was running are marked failed (WorkerDied, with the reason)
and a copy of each is queued again. A task that holds work (an intake batch remembers its task)
lets the retry take that work up at once, since the holder is no longer running.
"""

import datetime as dt
import logging
import os
import socket
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.apps import apps
from django.db import transaction
from django.tasks import TaskResultStatus
from django.utils import timezone

from xuefen.core.models import WorkerHeartbeat

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 5
# A worker silent for this long is reported as missing by /healthz.
HEARTBEAT_STALE = dt.timedelta(seconds=60)
WORKER_DIED = "xuefen.core.workers.WorkerDied"


class WorkerDied(Exception):
    """The class path written on the task rows of a worker that died."""


def host() -> str:
    return socket.gethostname()[:200]


def beat(worker_id: str, started_at: dt.datetime) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"host": host(), "pid": os.getpid(), "started_at": started_at, "beat_at": now},
    )


def _task_model() -> Any:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult


def recover_dead_worker(worker_id: str, reason: str) -> list[str]:
    """Marks the tasks `worker_id` was running as failed (WorkerDied: reason) and queues a copy of
    each again; returns the ids of the copies. Idempotent: a second call finds nothing running."""
    model = _task_model()
    retried: list[str] = []
    for row_id, worker_ids in model.objects.filter(status=TaskResultStatus.RUNNING).values_list(
        "id", "worker_ids"
    ):
        if not worker_ids or worker_ids[-1] != worker_id:
            continue
        with transaction.atomic():
            row = model.objects.select_for_update().filter(pk=row_id).first()
            if row is None or row.status != TaskResultStatus.RUNNING:
                continue
            args = row.args_kwargs
            copy = row.task.enqueue(*args.get("args", []), **args.get("kwargs", {}))
            row.status = TaskResultStatus.FAILED
            row.finished_at = timezone.now()
            row.exception_class_path = WORKER_DIED
            row.traceback = (
                f"The worker {worker_id} ended ({reason}) while running this task; "
                f"queued again as task {copy.id}."
            )
            row.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
            retried.append(str(copy.id))
            log.warning("task %s of dead worker %s queued again as %s", row.pk, worker_id, copy.id)
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()
    return retried


def ensure_schedules() -> None:
    """For a worker starting up: each app's `schedule.ensure()` queues its recurring task (the
    daily reminder run) unless one is waiting, so the schedule lives in the queue itself."""
    for config in apps.get_app_configs():
        if not config.name.startswith("xuefen."):
            continue
        try:
            module = import_module(f"{config.name}.schedule")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.schedule":
                raise
            continue
        try:
            module.ensure()
        except Exception:  # a busy database: the next worker start (or run) queues it
            log.exception("schedule of %s not queued", config.name)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover_dead_workers_of_this_host() -> list[str]:
    """For a supervisor starting up: the workers of this host whose process is gone (the machine
    stopped, or a supervisor before this one was killed with its worker)."""
    retried: list[str] = []
    for beat_row in WorkerHeartbeat.objects.filter(host=host()):
        if not _alive(beat_row.pid):
            retried += recover_dead_worker(beat_row.worker_id, "its process is gone")
    return retried


@dataclass(frozen=True)
class Health:
    last_heartbeat: dt.datetime | None
    ready: int
    running: int
    oldest_ready: dt.datetime | None

    def as_dict(self, now: dt.datetime) -> dict[str, Any]:
        def age(moment: dt.datetime | None) -> int | None:
            return None if moment is None else max(0, int((now - moment).total_seconds()))

        worker_ok = self.last_heartbeat is not None and now - self.last_heartbeat < HEARTBEAT_STALE
        return {
            "status": "ok" if worker_ok else "worker_missing",
            "worker": {
                "last_heartbeat": self.last_heartbeat.isoformat() if self.last_heartbeat else None,
                "seconds_since_heartbeat": age(self.last_heartbeat),
            },
            "queue": {
                "ready": self.ready,
                "running": self.running,
                "oldest_ready_seconds": age(self.oldest_ready),
            },
        }


def health() -> Health:
    latest = WorkerHeartbeat.objects.order_by("-beat_at").values_list("beat_at", flat=True).first()
    from django_tasks_db.models import get_date_max

    model = _task_model()
    # A task queued for later (the daily reminder run) is not waiting until its time comes; from
    # then on it has waited since that time, not since it was queued.
    ready = model.objects.ready()
    unscheduled = ready.filter(run_after=get_date_max())
    waiting_since = [
        unscheduled.order_by("enqueued_at").values_list("enqueued_at", flat=True).first(),
        ready.exclude(run_after=get_date_max())
        .order_by("run_after")
        .values_list("run_after", flat=True)
        .first(),
    ]
    oldest = min((moment for moment in waiting_since if moment is not None), default=None)
    return Health(
        last_heartbeat=latest,
        ready=ready.count(),
        running=model.objects.filter(status=TaskResultStatus.RUNNING).count(),
        oldest_ready=oldest,
    )
