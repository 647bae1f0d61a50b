"""A bulk print job: the background worker's part.

The people are fixed when the job starts. The worker takes them in chunks: for each person it
reads the archive (or issues the certificate of the period, which is idempotent per day) and
appends one JSON line to the job's lines file, then advances the job's checkpoint (`done`) — only
if it is still where this worker found it. A worker killed mid-chunk leaves lines beyond the
checkpoint behind; the next run cuts the file back to `done` lines and goes on, so each person is
in the PDF once. When every person is written, the PDF is drawn from the lines in one go and the
job is done. A job that keeps stopping without getting further fails for good after MAX_ATTEMPTS.
"""

import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.tasks import TaskResultStatus
from django.tasks.exceptions import TaskResultDoesNotExist
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from xuefen.archive import pdf as archive_pdf
from xuefen.archive import queries
from xuefen.archive.errors import Code
from xuefen.archive.models import MAX_ATTEMPTS, PrintJob
from xuefen.core.errors import CodedError
from xuefen.core.pdf import document
from xuefen.orgs.models import Person
from xuefen.reports import certificates
from xuefen.reports.actions import ReportError, issue_certificate

log = logging.getLogger(__name__)

CHUNK = 25
# A running job whose heartbeat is older than this has lost its worker and may be resumed.
STALE_AFTER = dt.timedelta(minutes=2)


def lines_path(job: PrintJob) -> Path:
    return Path(settings.MEDIA_ROOT) / "archive" / f"print-{job.pk}.jsonl"


def pdf_path(job: PrintJob) -> Path:
    return Path(settings.MEDIA_ROOT) / "archive" / f"print-{job.pk}.pdf"


def _holder_gone(job: PrintJob) -> bool:
    if not job.task_id:
        return False
    from xuefen.archive.tasks import print_task

    try:
        result = print_task.get_result(job.task_id)
    except (TaskResultDoesNotExist, ValueError):
        return True
    return result.status not in (TaskResultStatus.READY, TaskResultStatus.RUNNING)


def is_stale(job: PrintJob, now: dt.datetime | None = None) -> bool:
    """The job waits for a worker that is gone: running with no sign of life lately or with its
    task ended or marked dead; queued and never taken up; or stopped by a crash."""
    now = now or timezone.now()
    seen = job.heartbeat_at or job.created_at
    if job.status == PrintJob.Status.RUNNING:
        return seen < now - STALE_AFTER or _holder_gone(job)
    if job.status == PrintJob.Status.QUEUED:
        return seen < now - STALE_AFTER
    return job.status == PrintJob.Status.FAILED and job.failure_code == Code.INTERRUPTED


class _Lost(Exception):
    """Another worker advanced the job; this one stops."""


def process_print(job_id: int, *, task_id: str = "", chunk: int = CHUNK) -> PrintJob | None:
    """Runs the job from its checkpoint to the PDF. Safe to run twice at once or after a crash.
    Returns the job, or None when there was nothing to do."""
    job = _claim(job_id, task_id)
    if job is None:
        return None
    try:
        with translation.override(archive_pdf.PDF_LANGUAGE):
            _write_people(job, chunk)
            _draw(job)
    except _Lost:
        pass
    except CodedError as exc:
        _fail(job, exc.code, str(exc.message))
    except Exception as exc:
        log.exception("print job %s stopped", job_id)
        _fail(
            job,
            Code.INTERRUPTED,
            _("Printing stopped unexpectedly (%(error)s); resume it.")
            % {"error": type(exc).__name__},
        )
        raise
    job.refresh_from_db()
    return job


def _claim(job_id: int, task_id: str) -> PrintJob | None:
    with transaction.atomic():
        job = (
            PrintJob.objects.select_for_update(of=("self",))
            .select_related("unit", "created_by")
            .filter(pk=job_id)
            .first()
        )
        if job is None or job.status in (PrintJob.Status.DONE, PrintJob.Status.FAILED):
            return None
        if job.status == PrintJob.Status.RUNNING and not is_stale(job):
            return None  # a live worker holds it
        job.status = PrintJob.Status.RUNNING
        job.heartbeat_at = timezone.now()
        job.task_id = task_id[:64]
        job.attempts += 1
        job.save(update_fields=["status", "heartbeat_at", "task_id", "attempts"])
    if job.attempts > MAX_ATTEMPTS:
        _fail(
            job,
            Code.KEEPS_STOPPING,
            _(
                "Printing stopped %(times)d times at person %(at)d without getting further; it is "
                "not tried again."
            )
            % {"times": job.attempts - 1, "at": job.done + 1},
        )
        return None
    return job


def _fail(job: PrintJob, code: str, message: str) -> None:
    PrintJob.objects.filter(pk=job.pk).exclude(status=PrintJob.Status.DONE).update(
        status=PrintJob.Status.FAILED,
        failure_code=str(code)[:40],
        failure=message[:500],
        finished_at=timezone.now(),
    )


def _cut_back(path: Path, keep: int) -> None:
    """Keeps the first `keep` lines of the file (those the checkpoint vouches for)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"")
        return
    with path.open("rb") as source:
        kept = [line for _index, line in zip(range(keep), source, strict=False)]
    path.write_bytes(b"".join(kept))


def _write_people(job: PrintJob, chunk: int) -> None:
    path = lines_path(job)
    _cut_back(path, job.done)
    while job.done < len(job.people):
        start = job.done
        ids = job.people[start : start + chunk]
        people = Person.objects.select_related("unit").in_bulk(ids)
        parts = [_part(job, people[pk]) if pk in people else None for pk in ids]
        with path.open("ab") as out:
            for part in parts:
                out.write(json.dumps(part, ensure_ascii=False).encode() + b"\n")
        skipped = sum(1 for part in parts if part is None)
        moved = PrintJob.objects.filter(pk=job.pk, done=start).update(
            done=start + len(ids), skipped=job.skipped + skipped, heartbeat_at=timezone.now()
        )
        if not moved:
            raise _Lost
        job.done = start + len(ids)
        job.skipped += skipped


def _part(job: PrintJob, person: Person) -> dict[str, Any] | None:
    """What one person adds to the PDF (None: nothing, e.g. no rule set judges their year)."""
    if job.kind == PrintJob.Kind.ARCHIVES:
        return {"archive": archive_pdf.to_data(queries.build(job.created_by, person))}
    assert job.period is not None
    try:
        certificate = issue_certificate(job.created_by, person, job.period)
    except ReportError:
        return None
    return {"certificate": certificate.payload}


def _verify_url(code: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{reverse('reports:verify')}?code={code}"


def _draw(job: PrintJob) -> None:
    doc = document()
    doc.set_title(f"{job.get_kind_display()} {job.unit.name}")
    with lines_path(job).open("rb") as source:
        for line in source:
            part = json.loads(line)
            if part is None:
                continue
            if "archive" in part:
                archive_pdf.draw(doc, part["archive"])
            else:
                certificates.draw(
                    doc, part["certificate"], _verify_url(part["certificate"]["code"])
                )
    if doc.page_no() == 0:
        doc.add_page()  # nobody had anything to print: an empty page says so on the job's page
    target = pdf_path(job)
    partial = target.with_suffix(".part")
    partial.write_bytes(bytes(doc.output()))
    partial.replace(target)
    moved = PrintJob.objects.filter(pk=job.pk, status=PrintJob.Status.RUNNING).update(
        status=PrintJob.Status.DONE,
        file_path=str(target.relative_to(settings.MEDIA_ROOT)),
        finished_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )
    if not moved:
        raise _Lost
    lines_path(job).unlink(missing_ok=True)
