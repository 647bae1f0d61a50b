"""Hostile and damaged files, as an attacker or an unlucky sender makes them: each is refused as a
whole with one coded, one-sentence TableError naming the file, never another exception (which a
page would turn into a 500 and a worker into an "interrupted, resume it" loop), and within a
memory ceiling."""

import io
import time
import tracemalloc
import zipfile

import pytest

from tests.core import hostile as h
from xuefen.core.tabular import Column, Kind, TableError, check_table, read_table

COLUMNS = [
    Column("id", "身份证号", kind=Kind.CODE),
    Column("name", "姓名"),
    Column("course", "课程代码", required=False),
    Column("day", "完成日期", required=False, kind=Kind.DATE),
]
HEADER = ["身份证号", "姓名"]


def refused(data: bytes, name: str = "名单.xlsx", head: bool = False) -> TableError:
    with pytest.raises(TableError) as exc:
        if head:
            check_table(io.BytesIO(data), columns=COLUMNS, filename=name)
        else:
            list(read_table(io.BytesIO(data), columns=COLUMNS, filename=name))
    assert name in str(exc.value)
    return exc.value


def test_a_hand_built_workbook_is_read():
    data = h.workbook(h.sheet_xml([HEADER, ["110101198506150011", "张三"]]))
    (row,) = read_table(io.BytesIO(data), columns=COLUMNS, filename="名单.xlsx")
    assert row.values == {"id": "110101198506150011", "name": "张三"}


# ---------------------------------------------------------------------------------- CSV cells


@pytest.mark.parametrize("size", [40_000, 200_000], ids=["over_excel_limit", "over_csv_limit"])
def test_csv_cell_longer_than_a_spreadsheet_cell_is_refused(size):
    data = f"身份证号,姓名\r\n1,张三\r\n2,{'长' * size}\r\n".encode()
    error = refused(data, "名单.csv")
    assert error.code == "cell_too_large"
    assert "3" in str(error)  # the row


def test_csv_cell_too_long_in_the_first_data_row_is_refused_by_the_head_check():
    data = f"身份证号,姓名\r\n1,{'长' * 200_000}\r\n".encode()
    assert refused(data, "名单.csv", head=True).code == "cell_too_large"


def test_csv_row_with_too_many_columns_is_refused():
    data = ("身份证号,姓名\r\n1,张三" + ",x" * 400 + "\r\n").encode()
    assert refused(data, "名单.csv").code == "too_many_columns"


# ------------------------------------------------------------------------------- XLSX content


def test_xlsx_cell_longer_than_excel_allows_is_refused():
    data = h.workbook(h.sheet_xml([HEADER, ["1", "长" * 40_000]]))
    error = refused(data)
    assert error.code == "cell_too_large"
    assert "B" in str(error) and "2" in str(error)


def test_xlsx_shared_string_longer_than_excel_allows_is_refused():
    sheet = h.sheet_xml([HEADER]).replace(
        b"</sheetData>", b'<row r="2"><c r="A2" t="s"><v>0</v></c></row></sheetData>'
    )
    data = h.workbook(sheet, h.strings_xml(["长" * 40_000]))
    assert refused(data).code == "cell_too_large"


def test_xlsx_cell_far_to_the_right_is_refused():
    sheet = h.sheet_xml([HEADER]).replace(
        b"</sheetData>", b'<row r="2"><c r="XFD2"><v>1</v></c></row></sheetData>'
    )
    error = refused(h.workbook(sheet))
    assert error.code == "too_many_columns"
    assert "XFD" in str(error)


@pytest.mark.parametrize(
    "sheet",
    [
        b"<worksheet><sheetData><row><c><v>1</c></row></sheetData></worksheet>",
        b"<worksheet><sheetData><row r='1'>",  # cut short
        b"\xff\xfe not xml at all",
        b'<worksheet><sheetData><row r="x"/></sheetData></worksheet>',
        b'<worksheet><sheetData><row><c r="1A"/></row></sheetData></worksheet>',
    ],
    ids=["mismatched_tags", "truncated", "not_xml", "bad_row_number", "bad_cell_reference"],
)
def test_malformed_sheet_xml_is_one_clear_message(sheet):
    error = refused(h.workbook(sheet))
    assert error.code == "file_damaged"
    assert "Excel" in str(error) or "damaged" in str(error)


def test_xml_with_a_document_type_declaration_is_refused():
    # A DTD is how entity-expansion bombs start; no workbook has one.
    sheet = (
        b'<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY lol "lol">]>'
        b"<worksheet><sheetData/></worksheet>"
    )
    assert refused(h.workbook(sheet)).code == "file_damaged"


def test_shared_string_index_out_of_range_is_refused():
    sheet = h.sheet_xml([HEADER]).replace(
        b"</sheetData>", b'<row r="2"><c r="A2" t="s"><v>99</v></c></row></sheetData>'
    )
    assert refused(h.workbook(sheet, h.strings_xml(["a"]))).code == "file_damaged"


def test_workbook_naming_no_sheet_is_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", h.CONTENT_TYPES)
        z.writestr("xl/workbook.xml", b"<workbook><sheets/></workbook>")
    assert refused(buf.getvalue()).code == "file_damaged"


# ------------------------------------------------------------------------------ XLSX members


def test_member_with_a_bad_crc_is_refused():
    rows = [HEADER] + [[f"11010119850615{i:04d}", "AAAA"] for i in range(50)]
    data = bytearray(h.workbook(h.sheet_xml(rows), compression=zipfile.ZIP_STORED))
    at = data.index(b"AAAA", data.index(b"sheetData"))
    data[at] = ord("B")  # still well-formed XML: only the CRC knows
    assert refused(bytes(data)).code == "file_damaged"


def test_member_longer_than_declared_is_refused():
    rows = [HEADER] + [["110101198506150011", "张三"]] * 200
    data = h.workbook(h.sheet_xml(rows))
    declared = len(h.sheet_xml(rows)) // 2
    assert refused(h.with_declared_size(data, h.SHEET, declared)).code == "file_damaged"


def test_member_shorter_than_declared_is_refused():
    rows = [HEADER] + [["110101198506150011", "张三"]] * 200
    data = h.workbook(h.sheet_xml(rows))
    declared = len(h.sheet_xml(rows)) + 5000
    assert refused(h.with_declared_size(data, h.SHEET, declared)).code == "file_damaged"


def test_damage_found_after_the_header_is_still_a_table_error():
    rows = [HEADER] + [[f"11010119850615{i:04d}", "张三"] for i in range(3000)]
    sheet = h.sheet_xml(rows).replace(b"</sheetData>", b"<row><c></sheetData>")
    data = h.workbook(sheet)
    rows_iter = read_table(io.BytesIO(data), columns=COLUMNS, filename="名单.xlsx")
    with pytest.raises(TableError) as exc:
        for _row in rows_iter:
            pass
    assert exc.value.code == "file_damaged"


# ------------------------------------------------------------------------ the shared strings


@pytest.fixture(scope="module")
def bomb():
    return h.shared_strings_bomb()


@pytest.mark.parametrize("head", [True, False], ids=["web_check", "worker_read"])
def test_285_mb_of_shared_strings_is_refused_fast_and_small(settings, bomb, head):
    settings.XLSX_MAX_SHARED_STRINGS_MB = 100
    assert len(bomb) < settings.MAX_UPLOAD_MB * 1024 * 1024  # it passes the upload limit
    tracemalloc.start()
    started = time.monotonic()
    try:
        error = refused(bomb, head=head)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert error.code == "shared_strings_too_large"
    assert "285" in str(error) and "100" in str(error)
    assert peak < 8 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"
    assert time.monotonic() - started < 5


def test_shared_strings_that_lie_about_their_size_stop_at_the_declared_size(settings, bomb):
    settings.XLSX_MAX_SHARED_STRINGS_MB = 100
    lying = h.with_declared_size(bomb, h.STRINGS, 10 * 1024 * 1024)
    tracemalloc.start()
    try:
        error = refused(lying)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert error.code == "file_damaged"
    assert peak < 64 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"


def test_the_head_check_reads_only_the_strings_its_rows_use(settings, bomb):
    # Under a higher limit the web check still stops after the header's strings: it resolves the
    # first rows in one pass over the table that ends at the last index they use.
    settings.XLSX_MAX_SHARED_STRINGS_MB = 400
    tracemalloc.start()
    started = time.monotonic()
    try:
        check_table(io.BytesIO(bomb), columns=COLUMNS, filename="名单.xlsx")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"
    assert time.monotonic() - started < 2


def test_many_distinct_strings_are_held_compactly():
    # 100,000 distinct ID numbers as shared strings: read back whole, in far less memory than a
    # Python string object apiece (about 70 bytes each) would take.
    numbers = [f"1101011985{i:08d}" for i in range(100_000)]
    texts = ["身份证号", "姓名", *numbers, "张三"]
    body = "".join(
        f'<row r="{n + 2}"><c r="A{n + 2}" t="s"><v>{n + 2}</v></c>'
        f'<c r="B{n + 2}" t="s"><v>{len(texts) - 1}</v></c></row>'
        for n in range(len(numbers))
    )
    sheet = (
        f'<worksheet xmlns="{h.MAIN}"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c>'
        f'<c r="B1" t="s"><v>1</v></c></row>{body}</sheetData></worksheet>'
    ).encode()
    data = h.workbook(sheet, h.strings_xml(texts))
    tracemalloc.start()
    try:
        count = 0
        for row in read_table(io.BytesIO(data), columns=COLUMNS, filename="名单.xlsx"):
            count += 1
            last = row
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == 100_000 and last.values["id"] == numbers[-1]
    assert peak < 100_000 * 50, f"peak {peak / 1e6:.1f} MB"
