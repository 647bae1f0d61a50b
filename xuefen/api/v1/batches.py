"""Batches of completions: submit one (idempotently), follow its progress, read a result per row."""

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import Field, Header, Path, Query, Router, Schema, Status
from pydantic import AfterValidator, BeforeValidator, WithJsonSchema

from xuefen.api.codes import codes
from xuefen.api.errors import ApiError, Code
from xuefen.api.models import TokenScope
from xuefen.api.v1.auth import TokenAuth, token_of
from xuefen.api.v1.pagination import PageParams, page
from xuefen.api.v1.responses import READ, READ_ONE, WRITE, with_errors
from xuefen.api.v1.schemas import BatchIn, BatchOut, BatchPage, RowIn, RowPage
from xuefen.intake import actions as intake
from xuefen.intake.models import Batch, BatchRow
from xuefen.intake.queries import batch_rows, batches_for_provider

router = Router(tags=["batches"], auth=TokenAuth(TokenScope.BATCHES))

# Printable ASCII without spaces, as HTTP header values travel safely.
IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")


def max_rows() -> int:
    return int(getattr(settings, "API_MAX_BATCH_ROWS", 10_000))


def _url(request: HttpRequest, name: str, batch_id: int) -> str:
    return request.build_absolute_uri(reverse(name, kwargs={"batch_id": batch_id}))


def batch_out(request: HttpRequest, batch: Batch) -> dict[str, Any]:
    failed = batch.status == Batch.Status.FAILED
    return {
        "id": batch.pk,
        "status": batch.status,
        "source": batch.source,
        "filename": batch.filename,
        "idempotency_key": batch.idempotency_key,
        "progress": batch.percent,
        "rows": {
            "total": batch.total_rows,
            "processed": batch.processed_rows,
            "posted": batch.posted_rows,
            "duplicate": batch.duplicate_rows,
            "error": batch.error_rows,
        },
        "failure": (
            {"code": batch.failure_code or "failed", "message": batch.failure} if failed else None
        ),
        "created_at": batch.created_at,
        "started_at": batch.started_at,
        "finished_at": batch.finished_at,
        "links": {
            "self": _url(request, "api:v1-batch", batch.pk),
            "rows": _url(request, "api:v1-batch-rows", batch.pk),
        },
    }


def days_text(days: Decimal | None) -> str | None:
    """Days as a plain decimal string: "3", "2.5"."""
    return None if days is None else format(days.normalize(), "f")


def row_out(row: BatchRow) -> dict[str, Any]:
    return {
        "row": row.row_number,
        "status": row.status,
        "id_number": row.id_number_masked,
        "course_code": row.course_code,
        "first_day": row.first_day,
        "completed_on": row.completed_on,
        "days": days_text(row.days),
        "entry_id": row.entry_id,
        "errors": [
            {
                "code": str(e.get("code", "")),
                "field": e.get("field") or None,
                "message": str(e.get("message", "")),
            }
            for e in (row.errors or [])
        ],
    }


def _row_dict(row: RowIn) -> dict[str, Any]:
    """The intake contract's row dict; amounts as decimal strings so no float rounding creeps in."""
    data: dict[str, Any] = {
        "id_number": row.id_number,
        "course_code": row.course_code,
        "completed_on": row.completed_on,
    }
    if row.first_day is not None:
        data["first_day"] = row.first_day
    if row.days is not None:
        data["days"] = format(row.days, "f") if isinstance(row.days, Decimal) else row.days
    if row.name is not None:
        data["name"] = row.name
    if row.amounts is not None:
        data["amounts"] = {
            k: (format(v, "f") if isinstance(v, Decimal) else str(v))
            for k, v in row.amounts.items()
        }
    return data


def _clean_key(raw: str | None) -> str:
    if raw is None:
        return ""
    if not IDEMPOTENCY_KEY.match(raw):
        raise ApiError(
            Code.INVALID_IDEMPOTENCY_KEY,
            _("The Idempotency-Key must be 1 to 200 visible ASCII characters."),
            field="Idempotency-Key",
        )
    return raw


BatchId = Annotated[
    int, Path(description=gettext_noop("The batch's id, as the answer to its submission gave it."))
]


def _batch_of(request: HttpRequest, batch_id: int) -> Batch:
    batch = batches_for_provider(token_of(request).provider).filter(pk=batch_id).first()
    if batch is None:
        raise Http404
    return batch


@router.post(
    "/batches",
    response=with_errors({202: BatchOut}, WRITE),
    operation_id="submitBatch",
    url_name="v1-batches",
    summary=gettext_noop("Submit a batch of completions"),
    description=gettext_noop(
        "Queues the rows for checking and posting, and answers at once with the batch (202); "
        "follow `links.self` until `status` is `done`, then read `links.rows`. Each row is "
        "checked on its own (ID number, person served by the provider, course, dates, days, "
        "amounts); a row already in the ledger is a `duplicate` and posts nothing, so sending a "
        "batch twice changes nothing. At most API_MAX_BATCH_ROWS rows (default 10,000) per "
        "batch, else 413 too_many_rows. Scope: `batches`."
    ),
)
def submit_batch(
    request: HttpRequest,
    response: HttpResponse,
    payload: BatchIn,
    idempotency_key: str | None = Header(
        None,
        alias="Idempotency-Key",
        pattern=IDEMPOTENCY_KEY.pattern,
        description=gettext_noop(
            "Optional, recommended: a key of your choice (1-200 visible ASCII characters) unique "
            "to this batch. Sending the same key and body again returns the same batch instead "
            "of a new one; the same key with another body is refused with 409 "
            "idempotency_key_reused."
        ),
    ),
) -> Status[dict[str, Any]]:
    key = _clean_key(idempotency_key)
    if len(payload.rows) > max_rows():
        raise ApiError(
            Code.TOO_MANY_ROWS,
            _("A batch may hold at most %(limit)d rows; split it.") % {"limit": max_rows()},
            field="rows",
        )
    token = token_of(request)
    batch = intake.submit_batch(
        token,
        token.provider,
        rows=[_row_dict(row) for row in payload.rows],
        source=Batch.Source.API,
        idempotency_key=key,
    )
    response["Location"] = _url(request, "api:v1-batch", batch.pk)
    return Status(202, batch_out(request, batch))


# RFC 3339 date-times only (what the schema's "format: date-time" promises): pydantic alone would
# also take a number such as 0.5 as seconds since 1970, and a time without its offset.
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$")


def _rfc3339(value: object) -> object:
    if isinstance(value, str) and RFC3339.match(value):
        return value
    raise ValueError("a date and time with its offset, e.g. 2026-03-01T08:00:00+08:00")


def _in_utc(value: dt.datetime) -> dt.datetime:
    """In UTC: PostgreSQL takes offsets only up to 15:59, RFC 3339 up to 23:59. A moment too early
    or late to express in UTC bounds the filter at the earliest or latest one."""
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:
        extreme = dt.datetime.min if value.year < 2 else dt.datetime.max
        return extreme.replace(tzinfo=dt.UTC)


Timestamp = Annotated[
    dt.datetime,
    BeforeValidator(_rfc3339),
    AfterValidator(_in_utc),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


class BatchFilters(Schema):
    status: Literal["queued", "running", "done", "failed"] | None = Field(
        None,
        description=gettext_noop("Only batches in this state."),
        json_schema_extra=codes("batch_status"),
    )
    source: Literal["api", "upload"] | None = Field(
        None,
        description=gettext_noop("Only batches sent this way."),
        json_schema_extra=codes("batch_source"),
    )
    created_after: Timestamp | None = Field(
        None,
        description=gettext_noop(
            "Sent at or after (RFC 3339, with offset: 2026-03-01T08:00:00+08:00)."
        ),
    )
    created_before: Timestamp | None = Field(
        None, description=gettext_noop("Sent before (RFC 3339, with offset).")
    )


@router.get(
    "/batches",
    response=with_errors({200: BatchPage}, READ),
    operation_id="listBatches",
    url_name="v1-batches",
    summary=gettext_noop("List the provider's batches"),
    description=gettext_noop(
        "The provider's batches, newest first, from the API and from uploads. Scope: `batches`."
    ),
)
def list_batches(
    request: HttpRequest, filters: Query[BatchFilters], params: Query[PageParams]
) -> dict[str, Any]:
    batches = batches_for_provider(token_of(request).provider)
    if filters.status:
        batches = batches.filter(status=filters.status)
    if filters.source:
        batches = batches.filter(source=filters.source)
    if filters.created_after:
        batches = batches.filter(created_at__gte=filters.created_after)
    if filters.created_before:
        batches = batches.filter(created_at__lt=filters.created_before)
    found = page(request, batches, params)
    found["items"] = [batch_out(request, b) for b in found["items"]]
    return found


@router.get(
    "/batches/{int:batch_id}",
    response=with_errors({200: BatchOut}, READ_ONE),
    operation_id="getBatch",
    url_name="v1-batch",
    summary=gettext_noop("Read a batch: status, counts, progress"),
    description=gettext_noop(
        "One of the provider's batches; 404 for another provider's. Scope: `batches`."
    ),
)
def get_batch(request: HttpRequest, batch_id: BatchId) -> dict[str, Any]:
    return batch_out(request, _batch_of(request, batch_id))


class RowFilters(Schema):
    status: Literal["posted", "duplicate", "error"] | None = Field(
        None,
        description=gettext_noop("Only rows with this result."),
        json_schema_extra=codes("row_status"),
    )


@router.get(
    "/batches/{int:batch_id}/rows",
    response=with_errors({200: RowPage}, READ_ONE),
    operation_id="listBatchRows",
    url_name="v1-batch-rows",
    summary=gettext_noop("Read the result of each row"),
    description=gettext_noop(
        "The result per row, in row order, optionally only `error`, `duplicate` or `posted` "
        "rows. Rows appear as the worker processes them. Scope: `batches`."
    ),
)
def list_batch_rows(
    request: HttpRequest, batch_id: BatchId, filters: Query[RowFilters], params: Query[PageParams]
) -> dict[str, Any]:
    batch = _batch_of(request, batch_id)
    found = page(request, batch_rows(batch, status=filters.status), params)
    found["items"] = [row_out(r) for r in found["items"]]
    return found
