"""Reading a batch's rows: roster files (XLSX/CSV, streamed by core.tabular) and JSON batches
(stored one row per line), both turned into `RowInput`s with their cell-level problems.

Nothing here touches the database; `processing` validates rows against people and courses.
"""

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext_lazy as _

from xuefen.core.errors import CodedError
from xuefen.core.tabular import (
    Cells,
    Column,
    Kind,
    Row,
    display,
    parse_code,
    parse_date,
    read_cells,
    recalled,
)
from xuefen.orgs import idnumber

COLUMNS = [
    Column("id_number", "身份证号", ("ID number", "id"), kind=Kind.CODE),
    Column("name", "姓名", ("Name",), required=False),
    Column("course_code", "课程代码", ("Course code", "班次代码", "course"), kind=Kind.CODE),
    Column(
        "first_day",
        "开始日期",
        ("First day", "Start date", "开班日期"),
        required=False,
        kind=Kind.DATE,
    ),
    Column("completed_on", "完成日期", ("Completion date", "结业日期", "Last day"), kind=Kind.DATE),
    Column("days", "天数", ("Days", "培训天数"), required=False),
    Column("amount", "学时", ("Amount", "学分", "credit"), required=False),
    Column("categories", "类别", ("Categories", "category"), required=False),
]
HEADERS = [c.label for c in COLUMNS]
JSON_FIELDS = {"id_number", "course_code", "first_day", "completed_on", "days", "name", "amounts"}
LABELS = {c.key: c.label for c in COLUMNS}


@dataclass(frozen=True)
class RowError:
    code: str
    field: str  # the column's header as the sender wrote it ("" for the whole row)
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "field": self.field, "message": self.message}


@dataclass
class RowInput:
    """One row as sent. `amount` None means the course's full value, `categories` None the
    course's categories (a partial credit may count in some of them only). `first_day` None means
    a one-day activity; `days` is given for training counted in days."""

    number: int
    id_number: str = ""
    name: str = ""
    course_code: str = ""
    first_day: dt.date | None = None
    completed_on: dt.date | None = None
    days: Decimal | None = None
    amount: Decimal | None = None
    categories: list[str] | None = None
    errors: list[RowError] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)

    @property
    def span_days(self) -> int:
        """Calendar days from the first day (the completion day if none) to the completion day."""
        if self.completed_on is None:
            return 0
        return (self.completed_on - (self.first_day or self.completed_on)).days + 1

    def error(self, key: str, code: str, message: Any) -> None:
        self.errors.append(RowError(code, self.labels.get(key, key), str(message)))


def _split_categories(text: str) -> list[str]:
    if not text:
        return []  # the usual roster: the course's own categories
    for sep in ("，", "、", ";", "；", " ", "|"):
        text = text.replace(sep, ",")
    return [part.strip() for part in text.split(",") if part.strip()]


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return amount if amount.is_finite() else None


def from_table_row(row: Row) -> RowInput:
    """A roster row: its cell errors (formulas, mangled numbers, bad dates) come along."""
    item = RowInput(number=row.number, labels=dict(row.headers), raw=dict(row.raw))
    for err in row.errors:
        item.errors.append(RowError(err.code, err.column, str(err.message)))
    v = row.values
    item.id_number = idnumber.normalize(v.get("id_number") or "")
    item.name = (v.get("name") or "").strip()
    item.course_code = (v.get("course_code") or "").strip()
    item.first_day = v.get("first_day")
    item.completed_on = v.get("completed_on")
    days_text = (v.get("days") or "").strip()
    if days_text:
        item.days = _decimal(days_text)
        if item.days is None:
            item.error("days", "days_invalid", _("The days are not a number."))
    amount_text = (v.get("amount") or "").strip()
    if amount_text:
        item.amount = _decimal(amount_text)
        if item.amount is None:
            item.error("amount", "amount_invalid", _("The amount is not a number."))
    categories = _split_categories(v.get("categories") or "")
    item.categories = categories or None
    return item


def from_json(number: int, data: Any) -> RowInput:
    """A JSON batch row: {"id_number", "course_code", "completed_on", "name"?, "amounts"?}."""
    item = RowInput(number=number, labels={k: k for k in JSON_FIELDS})
    if not isinstance(data, dict):
        item.error("", "row_invalid", _("A row must be an object with the documented fields."))
        return item
    item.raw = {k: display(v) for k, v in data.items() if k in JSON_FIELDS and k != "amounts"}
    unknown = sorted(set(data) - JSON_FIELDS)
    if unknown:
        item.error(
            "",
            "unknown_fields",
            _("Unknown fields: %(fields)s.") % {"fields": ", ".join(map(str, unknown))},
        )
    for key in ("id_number", "course_code", "name"):
        value = data.get(key, "")
        if not isinstance(value, str):
            item.error(key, "not_text", _("This field must be text."))
            value = ""
        setattr(item, key, value.strip())
    item.id_number = idnumber.normalize(item.id_number)
    for key in ("first_day", "completed_on"):
        raw_date = data.get(key)
        if raw_date is not None and not isinstance(raw_date, str):
            item.error(key, "bad_date", _("The date must be text such as 2026-01-05."))
            continue
        try:
            setattr(item, key, parse_date(raw_date))
        except Exception as exc:  # CodedError from parse_date
            item.error(key, getattr(exc, "code", "bad_date"), exc)
    raw_days = data.get("days")
    if raw_days is not None:
        days = (
            _decimal(raw_days)
            if isinstance(raw_days, int | float | str) and not isinstance(raw_days, bool)
            else None
        )
        if days is None:
            item.error("days", "days_invalid", _("The days are not a number."))
        item.days = days
    amounts = data.get("amounts")
    if amounts is not None:
        if not isinstance(amounts, dict) or not amounts:
            item.error("amounts", "amounts_invalid", _("amounts must map categories to numbers."))
        else:
            values = {
                _decimal(v)
                if isinstance(v, int | float | str) and not isinstance(v, bool)
                else None
                for v in amounts.values()
            }
            if None in values:
                item.error("amounts", "amount_invalid", _("The amount is not a number."))
            elif len(values) > 1:
                # one completion is one ledger entry, counted alike in each of its categories
                item.error(
                    "amounts",
                    "amounts_differ",
                    _("Give the same amount for every category of one completion."),
                )
            else:
                item.amount = values.pop()
                item.categories = [str(c) for c in amounts]
    return item


# ------------------------------------------------------------------------------- stored files


def is_json_lines(path: Path) -> bool:
    return path.suffix == ".jsonl"


# A plain row's staged columns, as `read_file` gives them: row number, ID number, name, course
# code, first day and completion day (ISO text), plain (True), line ("" or the row's JSON line).
PlainRow = tuple[int, str, str, str, str | None, str, bool, str]


def read_file(
    fh: IO[bytes], path: Path, filename: str
) -> tuple[dict[str, str], Iterator[PlainRow | RowInput]]:
    """A stored batch file's column labels (the headers as the sender wrote them, by key) and its
    rows, streamed (fh must stay open while iterating). A row of a CSV file whose cells make a
    plain row at a glance (see `plain_reader`) comes as its staged columns (`PlainRow`), read
    straight from the cells; any other row, and every row of an XLSX file or a JSON batch, as a
    RowInput with its problems. The file-level checks run before this returns."""
    if is_json_lines(path):
        return {k: k for k in JSON_FIELDS}, _json_rows(fh)
    table = read_cells(fh, columns=COLUMNS, filename=filename)
    return dict(table.headers), _table_rows(table, plain_reader(table))


def _json_rows(fh: IO[bytes]) -> Iterator[RowInput]:
    for number, line in enumerate(fh, start=1):
        try:
            data = json.loads(line)
        except ValueError:
            data = None
        yield from_json(number, data)


def _table_rows(
    table: Cells, reader: Callable[[int, list[Any]], PlainRow | None] | None
) -> Iterator[PlainRow | RowInput]:
    make = table.row
    for number, cells in table.lines:
        staged = reader(number, cells) if reader is not None else None
        yield staged if staged is not None else from_table_row(make(number, cells))


# An ID number a plain row may hold as it stands: ASCII digits, perhaps a trailing X.
_PLAIN_ID = re.compile(r"[0-9]+[Xx]?")


def plain_reader(table: Cells) -> Callable[[int, list[Any]], PlainRow | None] | None:
    """For a CSV file (every cell text as written; None for an XLSX): a function that reads a
    row's cells at a glance and, when they make a plain row — no formula, a code Excel did not
    mangle, readable dates with a completion day, a course code, nothing in the days, amount or
    categories columns (the course's are posted) — returns its staged columns without making a
    `Row` or a RowInput; None for any other row, which `from_table_row` reads for its problems in
    their own words. Every row it takes is one `from_table_row(table.row(…))` stages alike (see
    tests/intake/test_first_pass.py).

    Its `line` is "" when the columns say all the row said (the ID number, course code and dates
    written as they are stored; `from_staged` makes the RowInput back), else the row's JSON line."""
    if not table.text:
        return None
    at = table.positions
    id_at, course_at, done_at = at["id_number"], at["course_code"], at["completed_on"]
    name_at, first_at = at.get("name"), at.get("first_day")
    empty = tuple(at[key] for key in ("days", "amount", "categories") if key in at)
    width = max(at.values()) + 1
    keys = tuple(at.items())
    codes: dict[str, str | None] = {}
    days: dict[str, tuple[str | None, bool] | None] = {}
    plain_id = _PLAIN_ID.fullmatch

    def code_of(text: str) -> str | None:
        if text.startswith("="):
            return None
        try:
            code = parse_code(text)
        except CodedError:
            return None
        return code or None

    def day_of(text: str) -> tuple[str | None, bool] | None:
        """(ISO text or None if blank, whether the cell says just that) or None if unreadable."""
        if text.startswith("="):
            return None
        try:
            day = parse_date(text)
        except CodedError:
            return None
        iso = day.isoformat() if day is not None else None
        return iso, display(text) == (iso or "")

    def read(number: int, cells: list[Any]) -> PlainRow | None:
        if len(cells) < width:
            return None
        id_text = cells[id_at].strip()
        if plain_id(id_text) is None:
            return None
        course = recalled(codes, cells[course_at], code_of)
        if course is None:
            return None
        done = recalled(days, cells[done_at], day_of)
        if done is None or done[0] is None:
            return None
        done_iso, done_same = done
        first_iso: str | None = None
        first_same = True
        if first_at is not None:
            first = recalled(days, cells[first_at], day_of)
            if first is None:
                return None
            first_iso, first_same = first
        name = ""
        if name_at is not None:
            text = cells[name_at]
            if text.startswith("="):
                return None
            name = text.strip()
        for index in empty:
            text = cells[index]
            if text and not text.isspace():
                return None
        if id_text[-1] == "x":
            id_number, same = id_text.upper(), False
        else:
            id_number, same = id_text, True
        if same and done_same and first_same:
            line = ""
        else:
            raw = {key: cells[index].strip() for key, index in keys}
            line = _ROW_JSON.encode(
                [number, id_number, name, course, done_iso, None, None, [], first_iso, None, raw]
            )
        return (number, id_number, name, course, first_iso, done_iso, True, line)

    return read


# --------------------------------------------------------------------- normalised rows (worker)
# A roster file is parsed once, by the worker's first pass, into staged rows (one JSON line per
# row beside the columns validation joins on: `intake.models.StagedRow`); the chunks (and a
# resumed run) read those instead of parsing the spreadsheet again.


# One encoder for every staged row (json.dumps with options builds one per call).
_ROW_JSON = json.JSONEncoder(ensure_ascii=False)


def dump_row(item: RowInput) -> str:
    return _ROW_JSON.encode(
        [
            item.number,
            item.id_number,
            item.name,
            item.course_code,
            item.completed_on.isoformat() if item.completed_on else None,
            None if item.amount is None else format(item.amount, "f"),
            item.categories,
            [[e.code, e.field, e.message] for e in item.errors],
            item.first_day.isoformat() if item.first_day else None,
            None if item.days is None else format(item.days, "f"),
            item.raw,
        ]
    )


def dump_labels(labels: dict[str, str]) -> str:
    return json.dumps({"labels": labels}, ensure_ascii=False)


def load_labels(line: str) -> dict[str, str]:
    return dict(json.loads(line)["labels"])


def from_staged(
    number: int,
    id_number: str,
    name: str,
    course_code: str,
    first_day: dt.date | None,
    completed_on: dt.date,
    labels: dict[str, str],
) -> RowInput:
    """A plain row staged without a line (see `plain_reader`): its cells as sent were its columns'
    values as stored, nothing in the others."""
    stored = {
        "id_number": id_number,
        "name": name,
        "course_code": course_code,
        "first_day": first_day.isoformat() if first_day else "",
        "completed_on": completed_on.isoformat(),
    }
    return RowInput(
        number=number,
        id_number=id_number,
        name=name,
        course_code=course_code,
        first_day=first_day,
        completed_on=completed_on,
        labels=labels,
        raw={key: stored.get(key, "") for key in labels},
    )


def load_row(line: str, labels: dict[str, str]) -> RowInput:
    """A row written by dump_row."""
    number, id_number, name, course, day, amount, categories, errors, first, days, raw = json.loads(
        line
    )
    return RowInput(
        number=number,
        id_number=id_number,
        name=name,
        course_code=course,
        first_day=dt.date.fromisoformat(first) if first else None,
        completed_on=dt.date.fromisoformat(day) if day else None,
        days=None if days is None else Decimal(days),
        amount=None if amount is None else Decimal(amount),
        categories=categories,
        errors=[RowError(*e) for e in errors],
        labels=labels,
        raw=raw,
    )
