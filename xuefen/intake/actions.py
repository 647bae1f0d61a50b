"""State changes of the intake app: the provider and course registry, and submitting and resuming
batches. Each runs in one transaction and writes its audit record; processing a batch (posting its
rows to the ledger) is `processing.process_batch`, run by the background worker.
"""

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.tasks import TaskResultStatus
from django.tasks.exceptions import TaskResultDoesNotExist
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xuefen.accounts import scope
from xuefen.accounts.roles import Cap
from xuefen.audit.actions import diff, record, snapshot
from xuefen.audit.models import AuditEvent
from xuefen.core.actors import SYSTEM, Actor, is_token, user_of
from xuefen.core.tabular import TableError, check_table
from xuefen.intake import queries
from xuefen.intake.errors import Code, IntakeError
from xuefen.intake.models import INTERRUPTED, Batch, Provider
from xuefen.intake.roster import COLUMNS
from xuefen.ledger.models import Unit
from xuefen.orgs.models import OrgNode
from xuefen.training.models import Course

PROVIDER_FIELDS = ["code", "name", "kind", "node", "serves", "is_active"]
COURSE_FIELDS = [
    "code", "name", "kind", "categories", "amount", "unit", "starts_on", "ends_on", "is_active",
]  # fmt: skip
MAX_JSON_ROWS = 100_000
# A running batch whose heartbeat is older than this has lost its worker and may be resumed.
STALE_AFTER = dt.timedelta(minutes=2)


def _may_submit(actor: Actor, provider: Provider) -> bool:
    """intake.submit on the provider's node; a token sends for its own provider only."""
    if is_token(actor) and actor.provider_id != provider.pk:
        return False
    return scope.may(actor, Cap.INTAKE_SUBMIT, provider.node)


def _forbidden() -> IntakeError:
    return IntakeError(Code.FORBIDDEN, _("You may not do this for this provider."))


def may_register_providers(actor: Actor, node: OrgNode | None = None) -> bool:
    """Registering who may report for whom is the credit office's; provider staff, who manage
    their courses, may not register providers."""
    return scope.may(actor, Cap.PROVIDERS_MANAGE, node)


# ---------------------------------------------------------------------------------- providers


def _check_provider(actor: Actor, node: OrgNode, serves: OrgNode) -> None:
    if not (may_register_providers(actor, node) and may_register_providers(actor, serves)):
        raise _forbidden()


@transaction.atomic
def register_provider(
    actor: Actor,
    *,
    code: str,
    name: str,
    kind: str,
    node: OrgNode,
    serves: OrgNode,
    is_active: bool = True,
) -> Provider:
    """Registers a provider or industry department acting at `node` for people under `serves`."""
    _check_provider(actor, node, serves)
    code = code.strip().upper()
    if Provider.objects.filter(code=code).exists():
        raise IntakeError(
            Code.CODE_TAKEN, _("The code %(code)s is already used.") % {"code": code}, field="code"
        )
    provider = Provider.objects.create(
        code=code, name=name.strip(), kind=kind, node=node, serves=serves, is_active=is_active
    )
    record(
        actor,
        AuditEvent.Action.CREATE,
        provider,
        node_path=node.path,
        changes=snapshot(provider, PROVIDER_FIELDS),
    )
    return provider


@transaction.atomic
def update_provider(actor: Actor, provider: Provider, **values: Any) -> Provider:
    """Changes a provider's name, kind, nodes or active flag (the code stays)."""
    _check_provider(actor, provider.node, provider.serves)
    before = snapshot(provider, PROVIDER_FIELDS)
    for name in ("name", "kind", "node", "serves", "is_active"):
        if name in values:
            setattr(provider, name, values[name])
    _check_provider(actor, provider.node, provider.serves)
    provider.save()
    changes = diff(before, snapshot(provider, PROVIDER_FIELDS))
    if changes:
        record(
            actor, AuditEvent.Action.UPDATE, provider, node_path=provider.node.path, changes=changes
        )
    return provider


# ------------------------------------------------------------------------------------ courses


def _clean_course(values: dict[str, Any]) -> dict[str, Any]:
    categories = values.get("categories") or []
    if isinstance(categories, str):
        categories = [c.strip() for c in categories.replace("，", ",").split(",")]
    categories = [c for c in dict.fromkeys(str(c).strip() for c in categories) if c]
    if not categories:
        raise IntakeError(
            Code.CATEGORIES_EMPTY, _("Name at least one category."), field="categories"
        )
    amount = Decimal(str(values["amount"]))
    if amount <= 0 or amount != amount.quantize(Decimal("0.01")) or amount > 1000:
        raise IntakeError(
            Code.AMOUNT_INVALID,
            _("The credit value must be positive, with at most two decimals."),
            field="amount",
        )
    if values.get("unit", Unit.HOURS) not in Unit.values:
        raise IntakeError(Code.UNIT_INVALID, _("The unit must be hours or credits."), field="unit")
    ends_on = values.get("ends_on")
    if ends_on is not None and ends_on < values["starts_on"]:
        raise IntakeError(
            Code.DATES_REVERSED, _("The course ends before it starts."), field="ends_on"
        )
    return {**values, "categories": categories, "amount": amount}


@transaction.atomic
def register_course(actor: Actor, provider: Provider, **values: Any) -> Course:
    """Registers a course or class of the provider; its code is unique within the provider."""
    if not scope.may(actor, Cap.COURSES_MANAGE, provider.node):
        raise _forbidden()
    cleaned = _clean_course(values)
    cleaned["code"] = str(cleaned["code"]).strip()
    if provider.courses.filter(code=cleaned["code"]).exists():
        raise IntakeError(
            Code.CODE_TAKEN,
            _("The code %(code)s is already used.") % {"code": cleaned["code"]},
            field="code",
        )
    course = Course.objects.create(provider=provider, **cleaned)
    record(
        actor,
        AuditEvent.Action.CREATE,
        course,
        node_path=provider.node.path,
        changes=snapshot(course, COURSE_FIELDS),
    )
    return course


@transaction.atomic
def update_course(actor: Actor, course: Course, **values: Any) -> Course:
    """Changes a course (not its code: completions already reported refer to it)."""
    provider = course.provider
    if not scope.may(actor, Cap.COURSES_MANAGE, provider.node):
        raise _forbidden()
    values.pop("code", None)
    current = {f: getattr(course, f) for f in COURSE_FIELDS}
    cleaned = _clean_course({**current, **values})
    before = snapshot(course, COURSE_FIELDS)
    for name, value in cleaned.items():
        setattr(course, name, value)
    course.save()
    changes = diff(before, snapshot(course, COURSE_FIELDS))
    if changes:
        record(
            actor, AuditEvent.Action.UPDATE, course, node_path=provider.node.path, changes=changes
        )
    return course


# ------------------------------------------------------------------------------------ batches


def batch_dir(provider: Provider) -> Path:
    return Path(settings.MEDIA_ROOT) / "intake" / provider.code


def stored_path(batch: Batch) -> Path:
    return Path(settings.MEDIA_ROOT) / batch.file_path


def _sha256_of(stream: Any) -> str:
    digest = hashlib.sha256()
    stream.seek(0)
    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()


def _check_upload(upload: Any, filename: str) -> None:
    """Whole-file checks before anything is written: type, size, zip bomb, header, one data row.
    Only the head of the file is read here (this runs in a web request); the worker reads the
    rest, and a fault found there fails the batch with its reason."""
    try:
        check_table(upload, columns=COLUMNS, filename=filename)
    except TableError as exc:
        raise IntakeError(exc.code, exc.message, field="file") from None


def _json_payload(rows: Any) -> bytes:
    if not isinstance(rows, list | tuple) or not rows:
        raise IntakeError(Code.ROWS_EMPTY, _("A batch needs at least one row."), field="rows")
    if len(rows) > MAX_JSON_ROWS:
        raise IntakeError(
            Code.TOO_MANY_ROWS,
            _("A batch may hold at most %(max)d rows; split it.") % {"max": MAX_JSON_ROWS},
            field="rows",
        )
    lines = [
        json.dumps(row, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
        for row in rows
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _write_file(provider: Provider, suffix: str, upload: Any = None, data: bytes = b"") -> str:
    folder = batch_dir(provider)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{timezone.now():%Y%m%d}-{uuid.uuid4().hex}{suffix}"
    with open(path, "wb") as out:
        if upload is not None:
            stream = upload.file if hasattr(upload, "chunks") else upload
            stream.seek(0)
            for chunk in iter(lambda: stream.read(1024 * 1024), b""):
                out.write(chunk)
        else:
            out.write(data)
    return str(path.relative_to(settings.MEDIA_ROOT))


def submit_batch(
    actor: Actor,
    provider: Provider,
    *,
    rows: Sequence[dict[str, Any]] | None = None,
    upload: Any = None,
    source: str,
    filename: str = "",
    idempotency_key: str = "",
) -> Batch:
    """Stores the payload under MEDIA_ROOT/intake/, creates a queued Batch and enqueues its
    processing after commit.

    Idempotent on (provider, idempotency_key): the same key with the same payload returns the
    batch already made; with another payload it raises IntakeError(IDEMPOTENCY_KEY_REUSED). A
    roster file identical to one already sent raises IntakeError(ALREADY_SENT) naming that batch
    (`exc.batch`). A file refused as a whole (not a spreadsheet, too big, missing columns ...)
    raises IntakeError with the reason, and nothing is written. The actor is the provider's API
    token, or a user holding intake.submit on the provider's node (the system may).
    """
    if not _may_submit(actor, provider):
        raise _forbidden()
    if not provider.is_active:
        raise IntakeError(Code.PROVIDER_INACTIVE, _("This provider is not active."))
    if (rows is None) == (upload is None):
        raise IntakeError(Code.PAYLOAD_MISSING, _("Send either rows or a file."))
    if source not in Batch.Source.values:
        raise IntakeError(Code.SOURCE_INVALID, _("Unknown source."), field="source")
    idempotency_key = (idempotency_key or "").strip()[:200]
    if upload is not None:
        filename = filename or str(getattr(upload, "name", "") or "roster")
        _check_upload(upload, filename)
        sha = _sha256_of(upload.file if hasattr(upload, "chunks") else upload)
        data = b""
    else:
        data = _json_payload(rows)
        sha = hashlib.sha256(data).hexdigest()
    if idempotency_key:
        existing = provider.batches.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return _same_key(existing, sha)
    if upload is not None:
        earlier = queries.same_payload(provider, sha)
        if earlier is not None:
            exc = IntakeError(
                Code.ALREADY_SENT,
                _("This file was already sent as batch #%(number)d.") % {"number": earlier.pk},
                field="file",
            )
            exc.batch = earlier  # type: ignore[attr-defined]
            raise exc
    suffix = Path(filename).suffix.lower() if upload is not None else ".jsonl"
    relative = _write_file(provider, suffix, upload=upload, data=data)
    try:
        with transaction.atomic():
            batch = Batch.objects.create(
                provider=provider,
                source=source,
                idempotency_key=idempotency_key,
                payload_sha256=sha,
                filename=filename[:200],
                file_path=relative,
                created_by=user_of(actor),
                token=actor if is_token(actor) else None,
                total_rows=len(rows) if rows is not None else None,
            )
            record(
                actor,
                AuditEvent.Action.SUBMIT,
                batch,
                node_path=provider.node.path,
                object_repr=str(batch),
                changes={"provider": provider.code, "source": source, "sha256": sha},
            )
            transaction.on_commit(lambda: enqueue(batch))
    except IntegrityError:
        (Path(settings.MEDIA_ROOT) / relative).unlink(missing_ok=True)
        existing = provider.batches.filter(idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        return _same_key(existing, sha)
    except BaseException:
        (Path(settings.MEDIA_ROOT) / relative).unlink(missing_ok=True)
        raise
    return batch


def _same_key(existing: Batch, sha: str) -> Batch:
    if existing.payload_sha256 != sha:
        raise IntakeError(
            Code.IDEMPOTENCY_KEY_REUSED,
            _("This Idempotency-Key was used for another payload (batch #%(number)d).")
            % {"number": existing.pk},
        )
    return existing


def enqueue(batch: Batch) -> None:
    """Queues the batch's processing (after commit: the worker must see the batch)."""
    from xuefen.intake.tasks import process_batch_task

    process_batch_task.enqueue(batch.pk)


def _holder_gone(batch: Batch) -> bool:
    """The task that claimed the batch has ended or was marked dead (its worker process died)."""
    if not batch.task_id:
        return False
    from xuefen.intake.tasks import process_batch_task

    try:
        result = process_batch_task.get_result(batch.task_id)
    except (TaskResultDoesNotExist, ValueError):
        return True
    return result.status not in (TaskResultStatus.READY, TaskResultStatus.RUNNING)


def is_stale(batch: Batch, now: dt.datetime | None = None) -> bool:
    """The batch waits for a worker that is gone: running (or queued) with no sign of life
    lately or with its task marked dead, or stopped by a crash."""
    now = now or timezone.now()
    if batch.status == Batch.Status.RUNNING:
        if batch.heartbeat_at is None or batch.heartbeat_at < now - STALE_AFTER:
            return True
        return _holder_gone(batch)
    if batch.status == Batch.Status.QUEUED:
        seen = batch.heartbeat_at or batch.created_at
        return seen < now - STALE_AFTER
    return batch.interrupted


def may_resume(batch: Batch) -> bool:
    return is_stale(batch)


@transaction.atomic
def resume_batch(actor: Actor, batch: Batch) -> Batch:
    """Queues a batch whose worker died (or that stopped on a crash) again; the worker continues
    from the last committed chunk, so each row still lands once."""
    if not _may_submit(actor, batch.provider):
        raise _forbidden()
    locked = Batch.objects.select_for_update().get(pk=batch.pk)
    if not is_stale(locked):
        raise IntakeError(Code.NOT_RESUMABLE, _("This batch is not stalled; it needs no resuming."))
    Batch.objects.filter(pk=locked.pk).update(
        status=Batch.Status.QUEUED,
        failure_code="",
        failure="",
        heartbeat_at=timezone.now(),
    )
    record(
        actor,
        AuditEvent.Action.SUBMIT,
        locked,
        node_path=batch.provider.node.path,
        object_repr=str(locked),
        changes={"resumed_at_row": locked.processed_rows},
    )
    transaction.on_commit(lambda: enqueue(locked))
    locked.refresh_from_db()
    return locked


def resume_stalled(actor: Actor = SYSTEM) -> list[Batch]:
    """Resumes every stalled batch (the `xuefen intake resume` command)."""
    resumed = []
    for batch in Batch.objects.filter(
        status__in=[Batch.Status.QUEUED, Batch.Status.RUNNING, Batch.Status.FAILED]
    ).select_related("provider", "provider__node"):
        if is_stale(batch):
            resumed.append(resume_batch(actor, batch))
    return resumed


__all__ = ["INTERRUPTED", "IntakeError", "submit_batch"]
