"""The first pass over a roster CSV: a row whose cells make a plain row at a glance is staged
straight from them (`roster.plain_reader`); it must stage exactly what reading it as a `Row` and a
`RowInput` stages, and every other row must go that way, for its problems in its own words."""

import datetime as dt
import io

import pytest

from tests.intake import helpers as h
from xuefen.core.tabular import read_cells
from xuefen.intake import processing, roster
from xuefen.intake.actions import submit_batch
from xuefen.intake.models import Batch, BatchRow, StagedRow
from xuefen.intake.processing import process_batch
from xuefen.ledger.models import Entry
from xuefen.orgs import idnumber

WIDE = ["身份证号", "姓名", "课程代码", "开始日期", "完成日期", "天数", "学时", "类别", "错误原因"]
ID = "11010519491231002X"
DIGITS = "110105194912310021"


def _wide(*cells: str) -> list[str]:
    """A row of WIDE: the cells given, the rest blank."""
    return [*cells, *[""] * (len(WIDE) - len(cells))]


# Rows of WIDE by what the quick reader must do with them: take them (and stage them as the
# row-by-row reading does), or leave them to that reading.
TAKEN = {
    "canonical": _wide(DIGITS, "李明", "C1", "", "2026-03-01"),
    "with X": _wide(ID, "李明", "C1", "2026-02-27", "2026-03-01"),
    "with a small x": _wide(ID.lower(), "李明", "C1", "", "2026-03-01"),
    "slashed dates": _wide(DIGITS, "李明", "C1", "2026/2/1", "2026/3/1"),
    "a slashed first day": _wide(DIGITS, "李明", "C1", "2026/2/1", "2026-03-01"),
    "Chinese date": _wide(DIGITS, "李明", "C1", "", "2026年3月1日"),
    "digits date": _wide(DIGITS, "李明", "C1", "", "20260301"),
    "spaces around": _wide(f" {DIGITS} ", " 李明 ", " C1 ", " ", " 2026-03-01 ", " ", "  "),
    "no name": _wide(DIGITS, "", "C1", "", "2026-03-01"),
    "a name after a space and =": _wide(DIGITS, " =A1", "C1", "", "2026-03-01"),
    "first day after the last": _wide(DIGITS, "李明", "C1", "2026-03-02", "2026-03-01"),
    "a short ID": _wide("123", "李明", "C1", "", "2026-03-01"),
    "a note in the error column": _wide(DIGITS, "李明", "C1", "", "2026-03-01", "", "", "", "=A1"),
}
LEFT = {
    "formula in the name": _wide(DIGITS, "=A1", "C1", "", "2026-03-01"),
    "formula in the ID": _wide("=A1", "李明", "C1", "", "2026-03-01"),
    "formula in the course": _wide(DIGITS, "李明", "=A1", "", "2026-03-01"),
    "formula in the first day": _wide(DIGITS, "李明", "C1", "=TODAY()", "2026-03-01"),
    "formula in the last day": _wide(DIGITS, "李明", "C1", "", "=TODAY()"),
    "formula in the days": _wide(DIGITS, "李明", "C1", "", "2026-03-01", "=1"),
    "formula in the categories": _wide(DIGITS, "李明", "C1", "", "2026-03-01", "", "", "=A1"),
    "ID in scientific notation": _wide("1.10105E+17", "李明", "C1", "", "2026-03-01"),
    "course in scientific notation": _wide(DIGITS, "李明", "1E5", "", "2026-03-01"),
    "full-width digits": _wide("１１０１０５", "李明", "C1", "", "2026-03-01"),
    "a space inside the ID": _wide("110105 194912310021", "李明", "C1", "", "2026-03-01"),
    "no ID": _wide("", "李明", "C1", "", "2026-03-01"),
    "no course": _wide(DIGITS, "李明", "", "", "2026-03-01"),
    "no completion day": _wide(DIGITS, "李明", "C1", "2026-03-01", ""),
    "a bad date": _wide(DIGITS, "李明", "C1", "", "2026-13-01"),
    "a bad first day": _wide(DIGITS, "李明", "C1", "yesterday", "2026-03-01"),
    "days": _wide(DIGITS, "李明", "C1", "2026-02-27", "2026-03-01", "3"),
    "an amount": _wide(DIGITS, "李明", "C1", "", "2026-03-01", "", "2.5"),
    "a bad amount": _wide(DIGITS, "李明", "C1", "", "2026-03-01", "", "two"),
    "categories": _wide(DIGITS, "李明", "C1", "", "2026-03-01", "", "", "必修"),
    "a lone separator in the categories": _wide(
        DIGITS, "李明", "C1", "", "2026-03-01", "", "", "，"
    ),
    "a short row": [DIGITS, "李明", "C1", "", "2026-03-01"],
}


def _csv(header, rows, *, delimiter=",", encoding="utf-8") -> bytes:
    def cell(text: str) -> str:
        return f'"{text}"' if delimiter in text or '"' in text else text

    lines = [delimiter.join(cell(c) for c in row) for row in [header, *rows]]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def _read(data: bytes, name: str = "roster.csv"):
    """Each row both ways: (what the quick reader made of it, the RowInput read from its Row)."""
    table = read_cells(io.BytesIO(data), columns=roster.COLUMNS, filename=name)
    reader = roster.plain_reader(table)
    assert reader is not None
    both = {}
    for number, cells in table.lines:
        both[number] = (reader(number, cells), roster.from_table_row(table.row(number, cells)))
    return dict(table.headers), both


def _day(text):
    return dt.date.fromisoformat(text) if text else None


def _staged_alike(labels, quick, item):
    """The quick reader's staged columns are those the row-by-row reading stages, and the RowInput
    a chunk makes back of them is the row-by-row one, cells as sent included."""
    number, id_number, name, course, first, done, plain, line = quick
    assert (plain, *processing._staged(0, 0, item)[2:9]) == (
        True,
        number,
        id_number,
        name,
        course,
        first,
        done,
        True,
    )
    back = (
        roster.load_row(line, labels)
        if line
        else roster.from_staged(number, id_number, name, course, _day(first), _day(done), labels)
    )
    assert roster.dump_row(back) == roster.dump_row(item)
    assert back.labels == item.labels == labels


@pytest.mark.parametrize(
    ("delimiter", "encoding"), [(",", "utf-8"), (",", "utf-8-sig"), ("\t", "gbk"), (",", "gb18030")]
)
def test_the_quick_reader_stages_what_the_row_by_row_reading_stages(delimiter, encoding):
    rows = [*TAKEN.values(), *LEFT.values()]
    labels, both = _read(_csv(WIDE, rows, delimiter=delimiter, encoding=encoding))
    numbers = dict(zip(range(2, len(rows) + 2), [*TAKEN, *LEFT], strict=True))
    taken = {numbers[n] for n, (quick, _item) in both.items() if quick is not None}
    assert taken == set(TAKEN)
    for quick, item in both.values():
        if quick is not None:
            _staged_alike(labels, quick, item)
    # The canonical row needs no line: its columns say everything it said.
    assert both[2][0][-1] == ""
    # A row written otherwise keeps its cells as sent (for the error file).
    assert both[4][0][-1] != "" and roster.load_row(both[4][0][-1], labels).raw["id_number"] == (
        ID.lower()
    )


def test_a_narrow_roster_is_read_quickly_too():
    header = ["身份证号", "课程代码", "完成日期"]
    labels, both = _read(_csv(header, [[DIGITS, "C1", "2026-03-01"], [DIGITS, "C1", "2026/3/1"]]))
    assert all(quick is not None for quick, _item in both.values())
    for quick, item in both.values():
        _staged_alike(labels, quick, item)
    assert [quick[-1] == "" for quick, _item in both.values()] == [True, False]


def test_a_workbook_is_read_row_by_row():
    table = read_cells(
        h.xlsx_upload([[DIGITS, "李明", "C1", "2026-03-01", ""]]), columns=roster.COLUMNS
    )
    assert roster.plain_reader(table) is None


def _sent(intake, data: bytes):
    batch = submit_batch(
        intake.pat,
        intake.pa,
        upload=h.SimpleUploadedFile("roster.csv", data),
        source="upload",
    )
    return process_batch(batch.pk, chunk_rows=3)


@pytest.mark.parametrize("cell", [1, 2, 3])
def test_a_formula_after_quick_rows_refuses_the_whole_csv(cast, intake, cell):
    good = h.row(cast.person_a)
    bad = h.row(cast.lena_person)
    bad[cell] = "=A1"
    batch = _sent(intake, _csv(h.HEADER, [good] * 12 + [bad] + [good] * 3))
    assert (batch.status, batch.failure_code) == ("failed", "formula")
    assert f"第 14 行“{h.HEADER[cell]}”列含有公式" in batch.failure  # row and column named
    assert not Entry.objects.exists() and not BatchRow.objects.exists()
    assert not StagedRow.objects.exists()


def test_a_csv_longer_than_the_limit_is_refused_whole(cast, intake, monkeypatch):
    monkeypatch.setattr(processing, "MAX_ROWS", 3)
    batch = _sent(intake, _csv(h.HEADER, [h.row(cast.person_a)] * 4))
    assert (batch.status, batch.failure_code) == ("failed", "too_many_rows")
    assert not Entry.objects.exists() and not StagedRow.objects.exists()


def test_quick_rows_that_fail_validation_keep_their_cells_and_reasons(cast, intake):
    unknown = idnumber.make("110101", dt.date(1980, 5, 6), 7, "F")  # valid, nobody's
    rows = [
        [cast.person_a.id_number, cast.person_a.name, "C1", "2026-03-01", ""],  # posted
        [unknown, "某人", "C1", "2026-03-01", ""],  # nobody of that number in scope
        [cast.lena_person.id_number, "别人", "C1", "2026/3/2", ""],  # wrong name, slashed date
        [cast.lena_person.id_number, cast.lena_person.name, "NOPE", "2026-03-03", ""],
    ]
    batch = _sent(intake, _csv(h.HEADER, rows))
    assert (batch.status, batch.posted_rows, batch.error_rows) == ("done", 1, 3)
    found = {r.row_number: r for r in Batch.objects.get(pk=batch.pk).rows.all()}
    assert found[2].status == "posted"
    assert [e["code"] for e in found[3].errors] == ["person_unknown"]
    assert found[3].sent == dict(
        zip(["id_number", "name", "course_code", "completed_on", "amount"], rows[1], strict=True)
    )
    assert [e["code"] for e in found[4].errors] == ["name_mismatch"]
    assert found[4].sent["completed_on"] == "2026/3/2"
    assert [(e["code"], e["field"]) for e in found[5].errors] == [("course_unknown", "课程代码")]
