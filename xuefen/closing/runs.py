"""The results notices of a whole closed region, produced in the background: the office asks
(`start_run`), the worker writes each unit's PDF and XLSX in the order of the units' paths
(`process_run`), then one ZIP of them all. `units_done` is the checkpoint, moved only by the worker
that holds the run; a worker that died (its task marked dead, or no sign of life for a while)
leaves the units before it written, and the run resumed (`resume_run`) goes on from there.

Files live under MEDIA_ROOT/closing/runs/<run>/; a unit's files are written beside and renamed
into place, so a half-written file is never taken for a finished one."""

import datetime as dt
import os
import zipfile
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.tasks import TaskResultStatus
from django.tasks.exceptions import TaskResultDoesNotExist
from django.utils import timezone
from django.utils.translation import gettext as _

from xuefen.accounts.roles import Cap
from xuefen.accounts.scope import may
from xuefen.audit.actions import record
from xuefen.audit.models import AuditEvent
from xuefen.closing import results
from xuefen.closing.errors import ClosingError, Code
from xuefen.closing.models import NoticeRun, PeriodClose
from xuefen.core.actors import Actor, user_of
from xuefen.core.errors import PermissionDenied
from xuefen.orgs.models import OrgNode

# A running run with no sign of life for this long has lost its worker and may be resumed.
STALE_AFTER = dt.timedelta(minutes=2)
# Claims of a run by workers that stopped without finishing; past this it fails for good.
MAX_ATTEMPTS = 5


def run_dir(run: NoticeRun) -> Path:
    return Path(settings.MEDIA_ROOT) / "closing" / "runs" / str(run.pk)


def zip_path(run: NoticeRun) -> Path:
    return run_dir(run) / f"results-{run.close.region.code}-{run.close.period}.zip"


def units_of(close: PeriodClose) -> list[OrgNode]:
    """The units of the close's region, in the order the run writes them (the checkpoint's)."""
    return list(
        OrgNode.objects.filter(path__startswith=close.region.path, kind=OrgNode.Kind.UNIT)
        .order_by("path", "pk")
        .only("pk", "code", "name", "path", "kind")
    )


def file_names(close: PeriodClose, unit: OrgNode) -> tuple[str, str]:
    stem = f"results-{unit.code}-{close.period}"
    return f"{stem}.pdf", f"{stem}.xlsx"


def _require_office(actor: Actor, close: PeriodClose) -> None:
    if not may(actor, Cap.CREDITS_APPROVE, close.region):
        raise PermissionDenied(Code.FORBIDDEN, _("Only the credit office may do this here."))


def enqueue(run: NoticeRun) -> None:
    from xuefen.closing.tasks import produce_notices_task

    transaction.on_commit(lambda: produce_notices_task.enqueue(run.pk))


@transaction.atomic
def start_run(actor: Actor, close: PeriodClose) -> NoticeRun:
    """Queues the results notices of every unit of the close's region (the office's step)."""
    _require_office(actor, close)
    run = NoticeRun.objects.create(
        close=close, requested_by=user_of(actor), units_total=len(units_of(close))
    )
    record(
        actor,
        AuditEvent.Action.CREATE,
        run,
        changes={"units": [None, run.units_total]},
        node_path=close.region.path,
    )
    enqueue(run)
    return run


def _holder_gone(run: NoticeRun) -> bool:
    """The task that claimed the run has ended or was marked dead (its worker process died)."""
    if not run.task_id:
        return False
    from xuefen.closing.tasks import produce_notices_task

    try:
        result = produce_notices_task.get_result(run.task_id)
    except (TaskResultDoesNotExist, ValueError):
        return True
    return result.status not in (TaskResultStatus.READY, TaskResultStatus.RUNNING)


def is_stale(run: NoticeRun, now: dt.datetime | None = None) -> bool:
    """The run waits for a worker that is gone: running with no sign of life lately or with its
    task marked dead; or queued long ago and never taken up."""
    now = now or timezone.now()
    if run.status == NoticeRun.Status.RUNNING:
        if run.heartbeat_at is None or run.heartbeat_at < now - STALE_AFTER:
            return True
        return _holder_gone(run)
    if run.status == NoticeRun.Status.QUEUED:
        return (run.heartbeat_at or run.created_at) < now - STALE_AFTER
    return False


@transaction.atomic
def resume_run(actor: Actor, run: NoticeRun) -> NoticeRun:
    """Queues a run whose worker died again; it goes on after the last unit written."""
    _require_office(actor, run.close)
    locked = NoticeRun.objects.select_for_update().get(pk=run.pk)
    if not is_stale(locked):
        raise ClosingError(
            Code.NOT_RESUMABLE, _("This run is not stalled; it needs no resuming."), field="status"
        )
    locked.status = NoticeRun.Status.QUEUED
    locked.heartbeat_at = timezone.now()
    locked.task_id = ""
    locked.save(update_fields=["status", "heartbeat_at", "task_id"])
    record(
        actor,
        AuditEvent.Action.UPDATE,
        locked,
        changes={"units_done": [locked.units_done, locked.units_done]},
        node_path=locked.close.region.path,
    )
    enqueue(locked)
    return locked


def _claim(run_id: int, task_id: str) -> NoticeRun | None:
    """Takes the run for this worker, unless it is finished or a live worker holds it."""
    with transaction.atomic():
        run = NoticeRun.objects.select_for_update().select_related("close__region").get(pk=run_id)
        if run.status in (NoticeRun.Status.DONE, NoticeRun.Status.FAILED):
            return None
        if run.status == NoticeRun.Status.RUNNING and not is_stale(run):
            return None
        run.attempts += 1
        if run.attempts > MAX_ATTEMPTS:
            run.status = NoticeRun.Status.FAILED
            run.failure = _("The run stopped %(n)s times without finishing.") % {"n": MAX_ATTEMPTS}
            run.finished_at = timezone.now()
            run.save(update_fields=["status", "failure", "finished_at", "attempts"])
            return None
        run.status = NoticeRun.Status.RUNNING
        run.task_id = task_id
        run.heartbeat_at = timezone.now()
        run.save(update_fields=["status", "task_id", "heartbeat_at", "attempts"])
        return run


def write_unit(run: NoticeRun, unit: OrgNode) -> None:
    """The unit's PDF and XLSX, each written beside and renamed into place; the unit's counts and
    lines are read once for both."""
    folder = run_dir(run)
    folder.mkdir(parents=True, exist_ok=True)
    pdf_name, xlsx_name = file_names(run.close, unit)
    notice = results.unit_notice(run.close, unit)
    part = folder / f"{pdf_name}.part"
    part.write_bytes(results.render_pdf(run.close, unit, notice))
    os.replace(part, folder / pdf_name)
    part = folder / f"{xlsx_name}.part"
    with part.open("wb") as out:
        results.write_xlsx(out, run.close, unit, notice)
    os.replace(part, folder / xlsx_name)


def _write_zip(run: NoticeRun, units: list[OrgNode]) -> None:
    target = zip_path(run)
    part = target.with_suffix(".zip.part")
    with zipfile.ZipFile(part, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for unit in units:
            for name in file_names(run.close, unit):
                archive.write(run_dir(run) / name, arcname=name)
    os.replace(part, target)


class Superseded(Exception):
    """Another worker moved the run's checkpoint: this one stops."""


def process_run(run_id: int, task_id: str = "") -> NoticeRun | None:
    """The worker's part: every unit from the checkpoint on, then the ZIP. Safe to run twice:
    the checkpoint moves only from where this worker found it."""
    run = _claim(run_id, task_id)
    if run is None:
        return None
    units = units_of(run.close)
    try:
        for index in range(run.units_done, len(units)):
            write_unit(run, units[index])
            moved = NoticeRun.objects.filter(
                pk=run.pk, units_done=index, status=NoticeRun.Status.RUNNING
            ).update(units_done=F("units_done") + 1, heartbeat_at=timezone.now())
            if not moved:
                raise Superseded
        _write_zip(run, units)
    except Superseded:
        return None
    except Exception as error:
        NoticeRun.objects.filter(pk=run.pk).update(
            status=NoticeRun.Status.FAILED,
            failure=(_("Producing the notices failed: %(error)s") % {"error": error})[:500],
            finished_at=timezone.now(),
        )
        raise
    NoticeRun.objects.filter(pk=run.pk).update(
        status=NoticeRun.Status.DONE,
        units_total=len(units),
        units_done=len(units),
        finished_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )
    run.refresh_from_db()
    return run
