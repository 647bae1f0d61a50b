"""Processing a batch: the background worker's part.

A roster file is parsed once, by a first pass that counts its rows, refuses it as a whole if a
cell holds a formula or the file is damaged (a TableError: the batch fails for good, with the
reason), and stages its rows (`StagedRow`, streamed in by COPY / executemany): a plain row of a
CSV straight from its cells, any other row as one JSON line; the chunks then read the rows from
the stage (a JSON batch from the API is staged the same way). Each chunk is validated
set-based (one query for its people, one for its courses) and committed in ONE transaction that
posts its ledger entries (`ledger.bulk.post_entries`), writes its BatchRows and advances the
batch's checkpoint (`processed_rows`). A worker killed mid-file leaves the last committed chunk
behind; the next run skips the rows already processed, so each row lands exactly once. Memory
stays flat: at most one chunk of rows is held at a time.

The chunks leave standings alone; when the last one is committed, every person the batch posted to
is judged once (`ledger.bulk.judge_people`) before the batch is done — on a resumed run as well,
so the people of chunks committed before a stop are judged too.
"""

# The SQL below formats in only constant fragments and placeholders; every value is a parameter.
# ruff: noqa: S608

import datetime as dt
import functools
import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from xuefen.accounts import scope
from xuefen.audit.actions import record
from xuefen.audit.models import AuditEvent
from xuefen.closing.guard import post_open_entries
from xuefen.closing.models import PeriodClose
from xuefen.core.errors import CodedError
from xuefen.intake import roster
from xuefen.intake.models import INTERRUPTED, MAX_ATTEMPTS, Batch, BatchRow, Provider, StagedRow
from xuefen.intake.roster import RowError, RowInput
from xuefen.ledger import bulk, spans, sql
from xuefen.ledger.models import Entry
from xuefen.orgs import idnumber
from xuefen.policy.services import RuleSetIndex, known_categories
from xuefen.training.models import Course

log = logging.getLogger(__name__)

MAX_ROWS = 2_000_000
CENT = Decimal("0.01")
SOURCE_TYPE = "roster"


def source_id(provider_code: str, course_code: str, completed_on: dt.date) -> str:
    """The ledger source id of a completion: the same completion re-sent is a duplicate."""
    return f"{provider_code}:{course_code}:{completed_on.isoformat()}"


@dataclass(frozen=True, slots=True)
class Holder:
    """What validation reads of a person named by a row (one light tuple, not a model instance:
    a roster names thousands per chunk)."""

    pk: int
    id_number: str
    name: str
    category: str
    unit_path: str


@dataclass
class Checked:
    """A row that passed validation, ready to post."""

    row: RowInput
    person: Holder
    course: Course
    amount: Decimal
    categories: list[str]


# ---------------------------------------------------------------------------------- the worker


class _Lost(Exception):
    """Another worker advanced the batch; this one stops."""


def process_batch(
    batch_id: int, *, chunk_rows: int | None = None, task_id: str = ""
) -> Batch | None:
    """Processes the batch from its checkpoint to the end. Safe to run twice at once or after a
    crash: a chunk commits only if the checkpoint is where this worker found it. Returns the
    batch, or None if there was nothing to do (done, failed, or another worker is at it).

    `task_id` is the background task running this (see Batch.task_id). A fault of the file's
    content fails the batch for good with its reason; a batch that keeps stopping without getting
    further is failed for good after MAX_ATTEMPTS claims."""
    batch = _claim(batch_id, task_id)
    if batch is None:
        return None
    try:
        path = Path(settings.MEDIA_ROOT) / batch.file_path
        staged = StagedRow.objects.filter(batch_id=batch.pk, position=0).exists()
        if (batch.total_rows is None or not staged) and not _prepare(batch, path):
            return _reload(batch)
        _process_chunks(batch, chunk_rows or settings.INTAKE_CHUNK_ROWS)
    except _Lost:
        return _reload(batch)
    except CodedError as exc:
        _fail(batch, exc.code, str(exc.message))
    except Exception as exc:
        log.exception("intake batch %s stopped", batch_id)
        _fail(
            batch,
            INTERRUPTED,
            _("Processing stopped unexpectedly (%(error)s); resume it.")
            % {"error": type(exc).__name__},
        )
        raise
    return _reload(batch)


def _reload(batch: Batch) -> Batch:
    batch.refresh_from_db()
    return batch


def _claim(batch_id: int, task_id: str = "") -> Batch | None:
    from xuefen.intake.actions import is_stale

    with transaction.atomic():
        batch = (
            Batch.objects.select_for_update(of=("self",))
            .select_related("provider", "provider__node", "provider__serves", "created_by")
            .filter(pk=batch_id)
            .first()
        )
        if batch is None or batch.status in (Batch.Status.DONE, Batch.Status.FAILED):
            return None
        if batch.status == Batch.Status.RUNNING and not is_stale(batch):
            return None  # a live worker holds it
        now = timezone.now()
        batch.status = Batch.Status.RUNNING
        batch.started_at = batch.started_at or now
        batch.heartbeat_at = now
        batch.task_id = task_id[:64]
        batch.attempts += 1
        batch.save(update_fields=["status", "started_at", "heartbeat_at", "task_id", "attempts"])
    if batch.attempts > MAX_ATTEMPTS:
        _fail(
            batch,
            "keeps_stopping",
            _(
                "Processing stopped %(times)d times at row %(row)d without getting further; it "
                "is not tried again. Check the rows from there on, or send them again in a new "
                "file."
            )
            % {"times": batch.attempts - 1, "row": batch.processed_rows + 1},
        )
        return None
    return batch


def _fail(batch: Batch, code: str, message: str) -> None:
    _unstage(batch)
    with transaction.atomic():
        Batch.objects.filter(pk=batch.pk).exclude(status=Batch.Status.DONE).update(
            status=Batch.Status.FAILED,
            failure_code=code[:40],
            failure=message[:500],
            finished_at=timezone.now(),
        )
        record(
            batch.actor,
            AuditEvent.Action.REJECT,
            batch,
            node_path=batch.provider.node.path,
            object_repr=str(batch),
            changes={"failure": code},
        )


def _beat(batch: Batch, **fields: Any) -> None:
    Batch.objects.filter(pk=batch.pk).update(heartbeat_at=timezone.now(), **fields)


def _unstage(batch: Batch) -> None:
    """The batch's staged rows, gone (it is done, or failed for good)."""
    StagedRow.objects.filter(batch_id=batch.pk).delete()


# Staged rows are written whole, their columns from the model (see ledger.sql.Table).
STAGED = sql.Table(StagedRow)
# Staged rows per write (and per heartbeat) in the first pass.
STAGE_ROWS = 50_000


def _staged(batch_id: int, position: int, item: RowInput) -> tuple[Any, ...]:
    plain = (
        not item.errors
        and item.days is None
        and item.amount is None
        and item.categories is None
        and item.completed_on is not None
        and bool(item.course_code)
    )
    return (
        batch_id,
        position,
        item.number,
        item.id_number,
        item.name,
        item.course_code,
        item.first_day.isoformat() if item.first_day else None,
        item.completed_on.isoformat() if item.completed_on else None,
        plain,
        roster.dump_row(item),
    )


# A plain row read straight from a CSV's cells (`roster.PlainRow`) is staged as it comes, after
# the batch and its position: the staged columns in that order.
assert STAGED.columns == (
    "batch_id",
    "position",
    "row_number",
    "id_number",
    "name",
    "course_code",
    "first_day",
    "completed_on",
    "plain",
    "line",
), STAGED.columns


def _prepare(batch: Batch, path: Path) -> bool:
    """First pass over a batch's file, the only one that parses it: counts its rows, refuses the
    whole file if any cell holds a formula (a sender pasting formulas has not sent the values they
    see), and stages the rows (`StagedRow`) for the chunks to validate and post set-based — a
    plain row of a CSV file straight from its cells (`roster.read_file`), any other as its
    RowInput's JSON line. A damaged or hostile file raises TableError here, before anything is
    posted. False if the batch was failed.

    The rows stream into the stage as the file is read, STAGE_ROWS at a time (one COPY on
    PostgreSQL, one executemany on SQLite, one transaction; a heartbeat between), so the database
    stores rows while the next ones are read."""
    _unstage(batch)  # a first pass cut short before
    pk = batch.pk
    total = 0
    refused: list[tuple[RowInput | None, RowError | None]] = []

    def block(rows: Iterator[roster.PlainRow | RowInput]) -> Iterator[tuple[Any, ...]]:
        """The next STAGE_ROWS rows' staged columns (the header row first); a row that refuses
        the file ends it, noted in `refused`."""
        nonlocal total
        for row in rows:
            if total == 0:
                yield (pk, 0, 0, "", "", "", None, None, False, roster.dump_labels(labels))
            total += 1
            if type(row) is tuple:
                if total > MAX_ROWS:
                    refused.append((None, None))
                    return
                yield (pk, total, *row)
            else:
                assert isinstance(row, RowInput)
                formula = next((e for e in row.errors if e.code == "formula"), None)
                if formula is not None or total > MAX_ROWS:
                    refused.append((row, formula))
                    return
                yield _staged(pk, total, row)
            if total % STAGE_ROWS == 0:
                return

    with open(path, "rb") as fh:
        labels, rows = roster.read_file(fh, path, batch.filename or path.name)
        while True:
            before = total
            with transaction.atomic():
                sql.copy_rows(StagedRow._meta.db_table, STAGED.columns, block(rows))
            if refused:
                _refuse_file(batch, *refused[0])
                return False
            if total == before:
                break
            _beat(batch)
    _beat(batch, total_rows=total)
    batch.total_rows = total
    return True


def _refuse_file(batch: Batch, item: RowInput | None, formula: RowError | None) -> None:
    if formula is not None:
        assert item is not None
        _fail(
            batch,
            "formula",
            _(
                "Row %(row)d, column %(column)s holds a formula; paste the values only "
                "(Paste Special → Values) and send the file again. Nothing was recorded."
            )
            % {"row": item.number, "column": formula.field},
        )
    else:
        _fail(
            batch,
            "too_many_rows",
            _("The file has more than %(max)d rows; split it.") % {"max": MAX_ROWS},
        )


def _process_chunks(batch: Batch, size: int) -> None:
    done = batch.processed_rows
    total = batch.total_rows or 0
    # The first pass's rows are what every chunk joins: PostgreSQL's planner is told how many
    # (autovacuum would tell it a minute later, after it had planned the chunks for a few).
    sql.analyze(connection.ops.quote_name(StagedRow._meta.db_table))
    # Rows already committed by an earlier run are not read again: a chunk is a range of positions.
    while done < total:
        count = min(size, total - done)
        _commit_chunk(batch, done, count)
        done += count
    # Each person the batch credited is judged once, now (the chunks left their standings to this):
    # on a resumed run too, for the people of the chunks committed before the stop.
    _beat(batch)
    bulk.judge_people(
        BatchRow.objects.filter(batch=batch, status=BatchRow.Status.POSTED)
        .exclude(person__isnull=True)
        .values_list("person_id", flat=True)
        .distinct()
        .order_by()
    )
    with transaction.atomic():
        locked = Batch.objects.select_for_update().get(pk=batch.pk)
        if locked.processed_rows != done:
            raise _Lost
        Batch.objects.filter(pk=batch.pk).update(
            status=Batch.Status.DONE,
            total_rows=done,
            finished_at=timezone.now(),
            heartbeat_at=timezone.now(),
        )
        record(
            batch.actor,
            AuditEvent.Action.IMPORT,
            locked,
            node_path=batch.provider.node.path,
            object_repr=str(locked),
            changes={
                "rows": done,
                "posted": locked.posted_rows,
                "duplicates": locked.duplicate_rows,
                "errors": locked.error_rows,
            },
        )
    _unstage(batch)


# Batch rows are written whole, their columns from the model (see ledger.sql.Table).
ROWS = sql.Table(BatchRow)
# The largest days a BatchRow stores (its column's digits); anything else sent stays in `sent`.
MAX_STORED_DAYS = Decimal("9999.99")


# What a chunk reads of a staged row to make its RowInput (see `_row_input`).
_STAGED_ROW = (
    "r.line, r.row_number, r.id_number, r.name, r.course_code, r.first_day, r.completed_on"
)


def _labels(batch: Batch) -> dict[str, str]:
    return roster.load_labels(
        StagedRow.objects.filter(batch_id=batch.pk, position=0).values_list("line", flat=True)[0]
    )


def _day(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _row_input(found: tuple[Any, ...], labels: dict[str, str]) -> RowInput:
    """A staged row (`_STAGED_ROW`) as the RowInput it was staged from: its JSON line, or, for a
    plain row staged straight from its cells, its columns."""
    line, number, id_number, name, course_code, first_day, completed_on = found
    if line:
        return roster.load_row(line, labels)
    done = _day(completed_on)
    assert done is not None
    return roster.from_staged(number, id_number, name, course_code, _day(first_day), done, labels)


def _load_rows(batch: Batch, first: int, last: int, *, but_staged: bool) -> list[RowInput]:
    """The staged rows at positions first..last — `but_staged`: but those the ledger's stage holds
    already (checked set-based)."""
    table = connection.ops.quote_name(StagedRow._meta.db_table)
    where = "r.batch_id = %s AND r.position BETWEEN %s AND %s"
    if but_staged:
        where += f" AND NOT EXISTS (SELECT 1 FROM {sql.STAGE} s WHERE s.idx = r.row_number)"
    found = sql.fetch(
        f"SELECT {_STAGED_ROW} FROM {table} r WHERE {where} ORDER BY r.position",
        [batch.pk, first, last],
    )
    if not found:
        return []
    labels = _labels(batch)
    return [_row_input(row, labels) for row in found]


def _commit_chunk(batch: Batch, start: int, count: int) -> None:
    """One transaction: the chunk's ledger entries, its BatchRows and the checkpoint move. The
    plain rows (see StagedRow) are validated set-based and staged for the ledger straight from
    the staged rows; the others are checked one by one (`validate_chunk`) and posted beside them,
    by the same call of the one writer."""
    first, last = start + 1, start + count
    today = timezone.localdate()
    # A row dated in a closed year is refused unless the office let late reports in: while any
    # year is closed somewhere, every row takes the guard's per-item path.
    closed = PeriodClose.objects.exists()
    with transaction.atomic():
        locked = Batch.objects.select_for_update().only("processed_rows").get(pk=batch.pk)
        if locked.processed_rows != start:
            raise _Lost
        if not closed:
            bulk.open_stage()
        plain = 0 if closed else _stage_plain_rows(batch, first, last, today)
        rows = _load_rows(batch, first, last, but_staged=plain > 0)
        checked, _failed = validate_chunk(batch.provider, rows, today)
        note = f"intake batch #{batch.pk}"
        if closed:
            items = [_new_entry(batch, c) for c in checked]
            listed = post_open_entries(batch.actor, items, note=note, defer_standings=True)
            result = bulk.BulkResult(
                posted={checked[i].row.number: pk for i, pk in listed.posted.items()},
                duplicates={checked[i].row.number: pk for i, pk in listed.duplicates.items()},
                errors={checked[i].row.number: e for i, e in listed.errors.items()},
            )
        else:
            result = bulk.post_entries(
                batch.actor,
                bulk.Staged([(c.row.number, _new_entry(batch, c)) for c in checked]),
                note=note,
                defer_standings=True,
            )
        outcomes: dict[int, tuple[Any, ...]] = {}
        for c in checked:
            number = c.row.number
            if number in result.posted:
                outcomes[number] = _row(batch, c, BatchRow.Status.POSTED, result.posted[number])
            elif number in result.duplicates:
                outcomes[number] = _row(
                    batch, c, BatchRow.Status.DUPLICATE, result.duplicates[number]
                )
            else:
                _add_ledger_error(c.row, result.errors.get(number))
        # A plain row the ledger refused (rare: its own checks) is reported as any other.
        listed_numbers = {r.number for r in rows}
        refused = sorted(set(result.errors) - listed_numbers)
        for row in _rows_numbered(batch, first, last, refused):
            _add_ledger_error(row, result.errors[row.number])
            rows.append(row)
        # Every row not posted or a duplicate failed validation or the ledger: an error row.
        made = [outcomes.get(r.number) or _error_row(batch, r) for r in rows]
        # Plain rows in one prepared statement (or COPY on PostgreSQL), as the ledger writes its
        # entries: a model instance per row cost more than the insert.
        if made:
            ROWS.insert(made)
        if plain:
            _insert_plain_rows(batch, first, last)
        posted, duplicates = len(result.posted), len(result.duplicates)
        Batch.objects.filter(pk=batch.pk).update(
            processed_rows=F("processed_rows") + count,
            posted_rows=F("posted_rows") + posted,
            duplicate_rows=F("duplicate_rows") + duplicates,
            error_rows=F("error_rows") + (count - posted - duplicates),
            heartbeat_at=timezone.now(),
            attempts=0,  # it got further
        )


def _add_ledger_error(row: RowInput, err: Any) -> None:
    row.errors.append(
        RowError(
            getattr(err, "code", "ledger"),
            _label_of_ledger_field(row, getattr(err, "field", "") or ""),
            str(getattr(err, "message", "")),
        )
    )


def _rows_numbered(batch: Batch, first: int, last: int, numbers: list[int]) -> list[RowInput]:
    """The staged rows numbered `numbers` among positions first..last (the key's range: a row's
    number has no index of its own)."""
    if not numbers:
        return []
    labels = _labels(batch)
    table = connection.ops.quote_name(StagedRow._meta.db_table)
    found: list[RowInput] = []
    for chunk in sql.chunks(numbers, 5_000):
        listed, params = sql.in_params("r.row_number", chunk)
        found += [
            _row_input(row, labels)
            for row in sql.fetch(
                f"SELECT {_STAGED_ROW} FROM {table} r"
                f" WHERE r.batch_id = %s AND r.position BETWEEN %s AND %s AND {listed}"
                " ORDER BY r.position",
                [batch.pk, first, last, *params],
            )
        ]
    return found


# A plain row's ID number shown as `idnumber.mask` shows it (valid numbers only: 15 or 18 long).
_MASK = (
    "substr(r.id_number, 1, 4) || substr('{stars}', 1, length(r.id_number) - 8)"
    " || substr(r.id_number, length(r.id_number) - 3)"
).format(stars="*" * 24)


def _stage_plain_rows(batch: Batch, first: int, last: int, today: dt.date) -> int:
    """Stages the chunk's plain rows that pass every check of `validate_chunk` for the ledger,
    set-based: ID numbers checked once per distinct number (in Python), people in the provider's
    scope and courses by joins, names and dates compared in SQL. The rows it leaves out (any
    doubt) are checked one by one, for their refusals in their own words. Returns how many."""
    provider = batch.provider
    table = connection.ops.quote_name(StagedRow._meta.db_table)
    course_table = connection.ops.quote_name(Course._meta.db_table)
    in_range = "r.batch_id = %s AND r.position BETWEEN %s AND %s AND r.plain"
    bad = sorted(
        number
        for (number,) in sql.fetch(
            f"SELECT DISTINCT r.id_number FROM {table} r WHERE {in_range}",
            [batch.pk, first, last],
        )
        if _id_check(number, dt.date.today()) is not None or len(number) <= 8
    )
    if len(bad) > 1_000:
        return 0  # a file of wrong numbers: every row one by one
    courses = [
        c.pk
        for c in provider.courses.filter(is_active=True)
        if Decimal(c.amount) > 0 and Decimal(c.amount) == Decimal(c.amount).quantize(CENT)
    ]
    if not courses:
        return 0
    people, people_params = (
        scope.people_served_by(provider)
        .order_by()
        .annotate(unit_path=F("unit__path"))
        .values("id", "id_number", "name", "category", "unit_path")
        .query.sql_with_params()
    )
    not_bad, bad_params = sql.in_params("r.id_number", bad)
    good_courses, course_params = sql.in_params("c.id", courses)
    joins = (
        f" FROM {table} r JOIN ({people}) p ON p.id_number = r.id_number"
        f" JOIN {course_table} c ON c.provider_id = %s AND c.code = r.course_code"
        f" WHERE {in_range} AND NOT ({not_bad}) AND {good_courses}"
        " AND (r.name = '' OR r.name = p.name)"
        " AND r.completed_on <= %s AND r.completed_on >= c.starts_on"
        " AND (c.ends_on IS NULL OR r.completed_on <= c.ends_on)"
        " AND (r.first_day IS NULL OR (r.first_day <= r.completed_on"
        " AND r.first_day >= c.starts_on))"
    )
    params = [
        *people_params,
        provider.pk,
        batch.pk,
        first,
        last,
        *bad_params,
        *course_params,
        today,
    ]
    # Courses counted in days for some of these people on some of these days: those rows give
    # their span as days, worked out one by one.
    keys = sql.fetch(
        f"SELECT DISTINCT p.unit_path, p.category, r.completed_on, c.kind{joins}", params
    )
    per_day = PerDayCourses({path for path, *_rest in keys})
    counted = [key for key in keys if per_day.counts_key(*key)]
    if len(counted) > 1_000:
        return 0
    skip = ""
    skip_params: list[Any] = []
    for path, category, day, kind in counted:
        skip += (
            " AND NOT (p.unit_path = %s AND p.category = %s"
            " AND r.completed_on = %s AND c.kind = %s)"
        )
        skip_params += [path, category, day, kind]
    # Each staged column's expression (and its parameters); `bulk.stage_select` writes them in the
    # stage's own column order, from the model, and refuses a column it does not know or misses.
    given: dict[str, tuple[str, list[Any]]] = {
        "idx": ("r.row_number", []),
        "person_id": ("p.id", []),
        "first_day": ("COALESCE(r.first_day, r.completed_on)", []),
        "last_day": ("r.completed_on", []),
        "categories": ("c.categories", []),
        "amount": (sql.money_text("c.amount"), []),
        "unit": ("c.unit", []),
        "kind": ("c.kind", []),
        "artefact_key": ("''", []),
        "artefact_exclusive": ("%s", [False]),
        "source_type": ("%s", [SOURCE_TYPE]),
        "source_id": (
            "%s || ':' || c.code || ':' || CAST(r.completed_on AS TEXT)",
            [provider.code],
        ),
        "description": ("substr(c.name || '（' || %s || '）', 1, 300)", [provider.name]),
        "evidence": ("%s || CAST(r.row_number AS TEXT)", [f"intake batch #{batch.pk} row "]),
        "later_share": ("%s", [False]),
    }
    return bulk.stage_select(given, f"{joins}{skip}", [*params, *skip_params])


def _insert_plain_rows(batch: Batch, first: int, last: int) -> None:
    """The BatchRows of the plain rows the ledger posted or found duplicate, by INSERT … SELECT
    from its stage (every column of the model, as `ROWS`) joined to the chunk's staged rows
    (positions first..last: the key's range; a row's number has no index of its own).

    A posted row's entry is looked up by a subquery on the entry's key (person, seq), not by a
    join: on a young database the entries' statistics still say "empty" (autovacuum analyzes a
    table a minute or more after a chunk commits), and PostgreSQL then joined the whole ledger
    in a nested loop for every row — 25,000 × 50,000 comparisons, 196 s for one chunk of the
    first import (bench/RESULTS.md (o)). A subquery on the key is an index lookup whatever the
    statistics say."""
    table = connection.ops.quote_name(StagedRow._meta.db_table)
    entries = connection.ops.quote_name(Entry._meta.db_table)
    given = {
        "batch_id": "%s",
        "row_number": "r.row_number",
        "status": "CASE WHEN s.state = %s THEN %s ELSE %s END",
        "person_id": "s.person_id",
        "id_number_masked": _MASK,
        "course_code": "r.course_code",
        "first_day": "COALESCE(r.first_day, r.completed_on)",
        "completed_on": "r.completed_on",
        "days": "NULL",
        # A duplicate's entry is in its `ref`; a posted row's (or that of the earlier row of the
        # chunk it duplicates) is found by person and chain number.
        "entry_id": (
            f"COALESCE(s.ref, (SELECT e.id FROM {entries} e WHERE s.state = {bulk.TO_POST}"
            " AND e.person_id = s.person_id AND e.seq = s.seq),"
            f" (SELECT fe.id FROM {sql.STAGE} f JOIN {entries} fe ON fe.person_id = f.person_id"
            f" AND fe.seq = f.seq WHERE f.idx = s.first_idx AND f.state = {bulk.TO_POST}))"
        ),
        "errors": sql.json_literal("[]"),
        "sent": sql.json_literal("{}"),
    }
    params: list[Any] = []
    for c in ROWS.columns:
        if c == "batch_id":
            params.append(batch.pk)
        elif c == "status":
            params += [bulk.TO_POST, BatchRow.Status.POSTED.value, BatchRow.Status.DUPLICATE.value]
    names = ", ".join(connection.ops.quote_name(c) for c in ROWS.columns)
    sql.execute(
        f"INSERT INTO {connection.ops.quote_name(BatchRow._meta.db_table)} ({names})"
        f" SELECT {', '.join(given[c] for c in ROWS.columns)} FROM {sql.STAGE} s"
        f" JOIN {table} r ON r.batch_id = %s AND r.position BETWEEN %s AND %s"
        " AND r.row_number = s.idx"
        f" WHERE s.selected AND s.state IN ({bulk.TO_POST}, {bulk.DUPLICATE})",
        [*params, batch.pk, first, last],
    )


# The row's key for each field the ledger names in its refusals.
LEDGER_FIELDS = {"last_day": "completed_on", "first_day": "first_day", "days": "days"}


def _label_of_ledger_field(row: RowInput, field: str) -> str:
    """The header the sender gave the column a ledger refusal is about (the JSON field's name
    for API rows; the template's header if the file had no such column)."""
    key = LEDGER_FIELDS.get(field, field)
    if key in ("amount", "categories") and "amounts" in row.labels:
        key = "amounts"
    return row.labels.get(key) or roster.LABELS.get(key, key)


def _new_entry(batch: Batch, c: Checked) -> bulk.NewEntry:
    assert c.row.completed_on is not None
    return bulk.NewEntry(
        person_id=c.person.pk,
        first_day=c.row.first_day,
        last_day=c.row.completed_on,
        days=c.row.days,
        categories=tuple(c.categories),
        amount=c.amount,
        unit=c.course.unit,
        source_type=SOURCE_TYPE,
        source_id=source_id(batch.provider.code, c.course.code, c.row.completed_on),
        kind=c.course.kind,
        description=f"{c.course.name}（{batch.provider.name}）"[:300],
        evidence=f"intake batch #{batch.pk} row {c.row.number}",
    )


def _row(batch: Batch, c: Checked, status: str, entry_id: int) -> tuple[Any, ...]:
    """A BatchRow's columns, adapted for the database: the span and days posted (a duplicate's as
    sent: the ledger did not check them)."""
    return ROWS.row(
        {
            "batch_id": batch.pk,
            "row_number": c.row.number,
            "status": str(status),  # the choice's value, not the enum member
            "person_id": c.person.pk,
            "id_number_masked": idnumber.mask(c.row.id_number),
            "course_code": c.course.code,
            "first_day": c.row.first_day or c.row.completed_on,
            "completed_on": c.row.completed_on,
            "days": _storable_days(c.row.days),
            "entry_id": entry_id,
            "errors": "[]",
            "sent": "{}",
        }
    )


def _storable_days(days: Decimal | None) -> Decimal | None:
    """Days sent that fit the BatchRow column (a wild value is only in `sent`)."""
    if days is None or not days.is_finite() or abs(days) > MAX_STORED_DAYS:
        return None
    return days if days == days.quantize(Decimal("0.01")) else None


def _error_row(batch: Batch, row: RowInput) -> tuple[Any, ...]:
    # The cells as sent, the ID number too: the error file gives the provider its own rows back to
    # correct (pages show only the masked number).
    return ROWS.row(
        {
            "batch_id": batch.pk,
            "row_number": row.number,
            "status": BatchRow.Status.ERROR.value,
            "person_id": None,
            "id_number_masked": idnumber.mask(row.id_number)[:32],
            "course_code": row.course_code[:40],
            "first_day": row.first_day,
            "completed_on": row.completed_on,
            "days": _storable_days(row.days),
            "entry_id": None,
            "errors": json.dumps([e.as_dict() for e in row.errors]),
            "sent": json.dumps(dict(row.raw), ensure_ascii=False),
        }
    )


# ------------------------------------------------------------------------------ validation


def validate_chunk(
    provider: Provider, chunk: list[RowInput], today: dt.date | None = None
) -> tuple[list[Checked], dict[int, RowInput]]:
    """Checks every row of a chunk; people and courses are fetched in one query each. Returns the
    rows to post and, by row number, the rows that failed (their errors recorded on them)."""
    today = today or timezone.localdate()
    # A sender may name categories as people read them (必修) or by their codes.
    by_name = {label: code for code, label in known_categories()}
    for row in chunk:
        _check_fields(row)
        if row.categories:
            row.categories = [by_name.get(c, c) for c in row.categories]
    ids = {r.id_number for r in chunk if not r.errors}
    # Only people inside the provider's subtree are looked up: someone outside it is reported
    # exactly like someone who does not exist.
    people = {
        row[1]: Holder(*row)
        for row in scope.people_served_by(provider)
        .filter(id_number__in=ids)
        .values_list("pk", "id_number", "name", "category", "unit__path")
    }
    codes = {r.course_code for r in chunk if r.course_code}
    courses = {c.code: c for c in provider.courses.filter(code__in=codes, is_active=True)}
    per_day = PerDayCourses(p.unit_path for p in people.values())
    checked: list[Checked] = []
    failed: dict[int, RowInput] = {}
    for row in chunk:
        result = _check_row(row, people, courses, today) if not row.errors else None
        if result is not None and row.days is None and per_day.counts_days(result):
            row.days = Decimal(row.span_days)
        if result is None:
            failed[row.number] = row
        else:
            checked.append(result)
    return checked, failed


class PerDayCourses:
    """Whether a course counts its completions in days for a person: its activity kind is a
    per-day conversion of the rule set that judges the person's period of the completion (a
    roster row that gives no days then took every day of its span). Rule sets are read once for
    the chunk's people."""

    def __init__(self, unit_paths: Iterable[str]) -> None:
        self.index = RuleSetIndex.for_paths(unit_paths)
        self._known: dict[tuple[str, str, dt.date, str], bool] = {}

    def counts_key(self, path: str, category: str, day: Any, kind: str) -> bool:
        """Whether a completion of a course of `kind` on `day` counts in days for a person of
        `category` in the unit at `path`."""
        if not isinstance(day, dt.date):
            day = dt.date.fromisoformat(str(day))
        key = (path, category, day, kind)
        if key not in self._known:
            rules = self.index.rules(path, category, self.index.period_of(path, category, day))
            rule = rules.conversions.get(kind) if rules is not None else None
            self._known[key] = rule is not None and rule.method == "per_day"
        return self._known[key]

    def counts_days(self, c: Checked) -> bool:
        assert c.row.completed_on is not None
        path, category, day = c.person.unit_path, c.person.category, c.row.completed_on
        key = (path, category, day, c.course.kind)
        if key not in self._known:
            rules = self.index.rules(path, category, self.index.period_of(path, category, day))
            rule = rules.conversions.get(c.course.kind) if rules is not None else None
            self._known[key] = rule is not None and rule.method == "per_day"
        return self._known[key]


@functools.lru_cache(maxsize=150_000)
def _id_check(value: str, today: dt.date) -> idnumber.IdNumberError | None:
    """The refusal of an ID number (None if it is valid): checked once per distinct number and
    day, however often a roster repeats it (a course-ordered roster names everyone once per
    course). The message is lazy: it is worded in the language of whoever reads it."""
    try:
        idnumber.parse(value, today=today)
    except idnumber.IdNumberError as exc:
        return exc
    return None


def _check_fields(row: RowInput) -> None:
    id_label = row.labels.get("id_number", "id_number")
    if not any(e.field == id_label for e in row.errors):
        refused = _id_check(row.id_number, dt.date.today())
        if refused is not None:
            row.error("id_number", refused.code, refused.message)
    if not row.course_code:
        row.error("course_code", "course_missing", _("The course code is empty."))
    if row.completed_on is None and not any(
        e.field == row.labels.get("completed_on") for e in row.errors
    ):
        row.error("completed_on", "date_missing", _("The completion date is empty."))


def _check_row(
    row: RowInput, people: dict[str, Holder], courses: dict[str, Course], today: dt.date
) -> Checked | None:
    person = people.get(row.id_number)
    if person is None:
        row.error(
            "id_number",
            "person_unknown",
            _("No person with this ID number is within your reporting scope."),
        )
    elif row.name and row.name != person.name:
        row.error("name", "name_mismatch", _("The name does not match the ID number's holder."))
    course = courses.get(row.course_code)
    if course is None:
        row.error(
            "course_code",
            "course_unknown",
            _("No active course with this code is registered to your organisation."),
        )
    assert row.completed_on is not None
    if row.completed_on > today:
        row.error("completed_on", "date_future", _("The completion date is in the future."))
    elif course is not None and (
        row.completed_on < course.starts_on
        or (course.ends_on is not None and row.completed_on > course.ends_on)
    ):
        row.error(
            "completed_on",
            "date_outside_course",
            _("The completion date is outside the course's dates (%(start)s to %(end)s).")
            % {"start": course.starts_on, "end": course.ends_on or "…"},
        )
    _check_span(row, course)
    if course is None or person is None or row.errors:
        return None
    amount, categories = _amount_and_categories(row, course)
    if amount is None or categories is None:
        return None
    return Checked(row, person, course, amount, categories)


def _check_span(row: RowInput, course: Course | None) -> None:
    """The first day (if given) not after the completion day nor before the course starts; the
    days (if given) as every way in checks them (`ledger.spans`); each refusal under its column."""
    assert row.completed_on is not None
    first = row.first_day or row.completed_on
    try:
        spans.check_order(first, row.completed_on)
    except spans.SpanError as error:
        row.error("first_day", error.code, error.message)
        return
    if course is not None and row.first_day is not None and row.first_day < course.starts_on:
        row.error(
            "first_day",
            "date_outside_course",
            _("The first day is before the course starts (%(start)s).")
            % {"start": course.starts_on},
        )
    try:
        spans.check_days(row.days, first, row.completed_on)
    except spans.SpanError as error:
        row.error("days", error.code, error.message)


def _names(codes: Iterable[str]) -> str:
    labels = dict(known_categories())
    return "、".join(labels.get(code, code) for code in codes)


def _amount_and_categories(
    row: RowInput, course: Course
) -> tuple[Decimal | None, list[str] | None]:
    amount = row.amount if row.amount is not None else Decimal(course.amount)
    key = "amounts" if "amounts" in row.labels else "amount"
    if amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        row.error(
            key, "amount_invalid", _("The amount must be positive, with at most two decimals.")
        )
        return None, None
    if amount > course.amount:
        row.error(
            key,
            "amount_too_large",
            _("The amount %(amount)s is more than the course is worth (%(value)s).")
            % {"amount": amount, "value": course.amount},
        )
        return None, None
    categories = row.categories if row.categories is not None else list(course.categories)
    unknown = [c for c in categories if c not in course.categories]
    if unknown:
        row.error(
            "amounts" if "amounts" in row.labels else "categories",
            "category_unknown",
            _("The course does not count in %(categories)s; it counts in %(allowed)s.")
            % {"categories": _names(unknown), "allowed": _names(course.categories)},
        )
        return None, None
    return amount, categories
