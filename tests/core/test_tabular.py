import csv
import datetime as dt
import gc
import io
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from openpyxl import Workbook, load_workbook

from xuefen.core.tabular import (
    Column,
    Kind,
    TableError,
    csv_response,
    error_workbook_response,
    read_table,
    write_xlsx,
    xlsx_response,
)

COLUMNS = [
    Column("id", "身份证号", ("ID number",), kind=Kind.CODE),
    Column("name", "姓名", ("Name",)),
    Column("day", "日期", ("Date",), required=False, kind=Kind.DATE),
]


def xlsx(rows, headers=("身份证号", "姓名", "日期")) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buf = io.BytesIO()
    book.save(buf)
    buf.seek(0)
    return buf


def read(buf, name="t.xlsx", columns=COLUMNS):
    return list(read_table(buf, columns=columns, filename=name))


def test_reads_xlsx_rows_with_file_row_numbers_skipping_blank_rows():
    rows = read(
        xlsx(
            [
                ["110101198506150011", "张三", dt.datetime(2026, 1, 5)],
                [None, None, None],
                ["110101198506150029", "李四", "2026/1/5"],
            ]
        )
    )
    assert [(r.number, r.values["name"], r.values["day"]) for r in rows] == [
        (2, "张三", dt.date(2026, 1, 5)),
        (4, "李四", dt.date(2026, 1, 5)),
    ]


@pytest.mark.parametrize("text", ["2026-01-05", "2026/1/5", "20260105", "2026年1月5日"])
def test_text_dates_are_understood(text):
    (row,) = read(xlsx([["1", "a", text]]))
    assert row.values["day"] == dt.date(2026, 1, 5)


def test_impossible_date_is_a_cell_error():
    (row,) = read(xlsx([["1", "a", "2026-02-30"]]))
    assert [(e.row, e.column, e.code) for e in row.errors] == [(2, "日期", "bad_date")]


def test_id_number_turned_into_number_by_excel_is_reported():
    (row,) = read(xlsx([[110101198506150011, "a", None]]))
    assert [e.code for e in row.errors] == ["number_mangled"]


def test_id_number_in_scientific_notation_text_is_reported():
    data = "身份证号,姓名\r\n1.10101E+17,张三\r\n".encode()
    (row,) = read(io.BytesIO(data), "t.csv")
    assert [e.code for e in row.errors] == ["number_mangled"]


def test_formula_cells_are_errors():
    (row,) = read(xlsx([['=A1&"1"', "张三", None]]))
    assert [(e.column, e.code) for e in row.errors] == [("身份证号", "formula")]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings(encoding):
    data = "身份证号,姓名\r\n11010119850615001X,张三丰\r\n".encode(encoding)
    (row,) = read(io.BytesIO(data), "t.csv")
    assert row.values == {"id": "11010119850615001X", "name": "张三丰"}


def test_gb18030_only_characters():
    data = "身份证号,姓名\r\n1,𠀀明\r\n".encode("gb18030")
    (row,) = read(io.BytesIO(data), "t.csv")
    assert row.values["name"] == "𠀀明"


def test_english_headers_are_mapped():
    (row,) = read(io.BytesIO(b"ID number, name\r\n1,Zhang\r\n"), "t.csv")
    assert row.values == {"id": "1", "name": "Zhang"}


def test_empty_file_is_refused():
    with pytest.raises(TableError) as exc:
        read(io.BytesIO(b""), "t.csv")
    assert exc.value.code == "empty_file"
    assert "t.csv" in str(exc.value)


def test_header_only_file_is_refused():
    with pytest.raises(TableError) as exc:
        read(io.BytesIO("身份证号,姓名\r\n".encode()), "t.csv")
    assert exc.value.code == "no_rows"


def test_unknown_and_missing_columns_are_named():
    with pytest.raises(TableError) as exc:
        read(xlsx([["1", "2"]], headers=("身份证号", "工号")))
    assert exc.value.code == "unknown_columns"
    assert "工号" in str(exc.value)
    with pytest.raises(TableError) as exc:
        read(xlsx([["1"]], headers=("身份证号",)))
    assert exc.value.code == "missing_columns"
    assert "姓名" in str(exc.value)


def test_file_over_the_upload_limit_is_refused(settings, tmp_path):
    settings.MAX_UPLOAD_MB = 20
    path = tmp_path / "big.csv"
    with open(path, "wb") as out:
        out.write("身份证号,姓名\r\n".encode())
        out.truncate(50 * 1024 * 1024)
    with pytest.raises(TableError) as exc:
        read_table(path, columns=COLUMNS)
    assert exc.value.code == "file_too_large"


def test_renamed_file_is_not_a_spreadsheet():
    with pytest.raises(TableError) as exc:
        read(io.BytesIO(b"%PDF-1.4 not a workbook"), "t.xlsx")
    assert exc.value.code == "not_spreadsheet"


def test_zip_without_workbook_is_not_a_spreadsheet():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "hi")
    buf.seek(0)
    with pytest.raises(TableError) as exc:
        read(buf, "t.xlsx")
    assert exc.value.code == "not_spreadsheet"


def test_zip_bomb_is_refused_before_opening(settings):
    settings.XLSX_MAX_UNCOMPRESSED_MB = 400
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            chunk = b"<row>" + b"0" * (1024 * 1024 - 5)
            for _ in range(450):
                sheet.write(chunk)
    assert len(buf.getvalue()) < 5 * 1024 * 1024
    buf.seek(0)
    with pytest.raises(TableError) as exc:
        read(buf, "t.xlsx")
    assert exc.value.code == "xlsx_too_large"


def test_highly_compressed_entry_is_refused_below_the_size_cap(settings):
    settings.XLSX_MAX_UNCOMPRESSED_MB = 400
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b" " * (50 * 1024 * 1024))
    buf.seek(0)
    with pytest.raises(TableError) as exc:
        read(buf, "t.xlsx")
    assert exc.value.code == "xlsx_too_large"


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_xlsx_export_escapes_formula_text(value):
    response = xlsx_response("导出.xlsx", ["v"], [[value]])
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    cell = sheet.cell(row=2, column=1)
    assert cell.data_type == "s"
    # XML turns a CR into a newline; what matters is the quote in front.
    assert cell.value == "'" + value.replace("\r", "\n")


def test_xlsx_response_is_an_attachment_with_chinese_name():
    response = xlsx_response("人员.xlsx", ["a"], [])
    assert response["Content-Disposition"].startswith("attachment;")
    assert "%E4%BA%BA" in response["Content-Disposition"]


def test_numbers_and_dates_are_kept_as_such():
    buf = io.BytesIO()
    write_xlsx(buf, ["n", "d"], [[3, dt.date(2026, 1, 5)]])
    sheet = load_workbook(buf).worksheets[0]
    assert sheet.cell(row=2, column=1).value == 3
    assert sheet.cell(row=2, column=2).value.date() == dt.date(2026, 1, 5)


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@x"])
def test_csv_export_escapes_formula_text_and_has_bom(value):
    response = csv_response("x.csv", ["v"], [[value]])
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1] == ["'" + value]


def test_error_file_names_row_column_and_reason():
    (row,) = read(xlsx([["1", "a", "nope"]]))
    response = error_workbook_response("e.xlsx", row.errors, [row], COLUMNS)
    book = load_workbook(io.BytesIO(response.content))
    first = list(book.worksheets[0].iter_rows(values_only=True))
    assert first[0] == ("身份证号", "姓名", "日期", "原行号", "错误原因")
    assert first[1][:4] == ("1", "a", "nope", 2) and "日期" in first[1][4]
    second = list(book.worksheets[1].iter_rows(values_only=True))
    assert second[1][:3] == (2, "日期", "nope")


def test_a_corrected_error_file_is_read_again_as_it_is():
    good, bad = read(xlsx([["1", "a", "2026-01-05"], ["2", "b", "nope"]]))
    response = error_workbook_response("e.xlsx", bad.errors, [good, bad], COLUMNS)
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    assert sheet.max_row == 2  # only the bad row comes back
    sheet.cell(row=2, column=3).value = "2026-01-06"
    fixed = io.BytesIO()
    book.save(fixed)
    fixed.seek(0)
    (again,) = read(fixed)
    assert again.errors == [] and again.values["day"] == dt.date(2026, 1, 6)
    assert again.values["id"] == "2"


# ------------------------------------------------------------------------------ CSV streaming


def write_csv_file(path, rows, encoding="utf-8", header="身份证号,姓名\r\n"):
    with open(path, "w", encoding=encoding, newline="") as out:
        out.write(header)
        for row in rows:
            out.write(row)
    return path


def test_large_csv_is_read_without_holding_the_file_in_memory(tmp_path):
    name = "继续教育学员" * 10
    path = write_csv_file(
        tmp_path / "big.csv", (f"1101011985{i:08d},{name}{i}\r\n" for i in range(50_000))
    )
    size = path.stat().st_size
    tracemalloc.start()
    try:
        count = sum(1 for _ in read_table(path, columns=COLUMNS))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == 50_000
    # Reading it whole held its bytes and its text (2 bytes a character here): over 3 × size.
    assert size > 6 * 1024 * 1024
    assert peak < size / 4


@pytest.mark.parametrize(("encoding", "last_name"), [("gbk", "张三丰"), ("gb18030", "𠀀明")])
def test_csv_whose_only_chinese_is_on_the_last_line_is_read_as_gbk(tmp_path, encoding, last_name):
    # Several read blocks of plain ASCII (valid UTF-8) before the first GBK byte.
    ascii_rows = [f"1101011985{i:08d},Zhang San {i}\r\n" for i in range(40_000)]
    path = write_csv_file(
        tmp_path / "gbk.csv", [*ascii_rows, f"2,{last_name}\r\n"], encoding=encoding
    )
    assert path.stat().st_size > 1024 * 1024
    rows = list(read_table(path, columns=COLUMNS))
    assert len(rows) == 40_001
    assert (rows[-1].number, rows[-1].values["name"]) == (40_002, last_name)


def test_csv_undecodable_at_its_end_is_refused_before_any_row_is_read(tmp_path):
    path = tmp_path / "bad.csv"
    rows = "".join(f"1101011985{i:08d},Zhang\r\n" for i in range(40_000))
    path.write_bytes(("身份证号,姓名\r\n" + rows).encode() + b"3,\xff\r\n")
    with pytest.raises(TableError) as exc:
        read_table(path, columns=COLUMNS)
    assert exc.value.code == "csv_encoding"
    assert "bad.csv" in str(exc.value)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])
def test_utf16_csv_is_refused(encoding):
    data = "身份证号,姓名\r\n1,张三\r\n".encode(encoding)
    with pytest.raises(TableError) as exc:
        read(io.BytesIO(data), "t.csv")
    assert exc.value.code == "csv_encoding"


def test_tab_separated_csv_is_recognised_from_its_first_line():
    data = "身份证号\t姓名\r\n1\t张三,李四\r\n".encode()
    (row,) = read(io.BytesIO(data), "t.txt")
    assert row.values == {"id": "1", "name": "张三,李四"}


def test_csv_rows_are_numbered_by_record_skipping_blank_lines():
    data = '身份证号,姓名\r\n1,"张\r\n三"\r\n\r\n2,李四\n3,王五\r4,赵六'.encode("gbk")
    rows = read(io.BytesIO(data), "t.csv")
    assert [(r.number, r.values["name"]) for r in rows] == [
        (2, "张\r\n三"),
        (4, "李四"),
        (5, "王五"),
        (6, "赵六"),
    ]


def test_reading_csv_leaves_the_callers_file_open(tmp_path):
    path = write_csv_file(tmp_path / "t.csv", ["1,张三\r\n", "2,李四\r\n"])
    with open(path, "rb") as fh:
        assert len(list(read_table(fh, columns=COLUMNS, filename="t.csv"))) == 2
        rows = read_table(fh, columns=COLUMNS, filename="t.csv")
        next(rows)
        rows.close()
        del rows
        gc.collect()
        assert not fh.closed
        fh.seek(0)
        assert fh.read(3) == "身".encode()


@pytest.mark.parametrize(
    "upload",
    [
        lambda data: SimpleUploadedFile("名单.csv", data),
        lambda data: TemporaryUploadedFile("名单.csv", "text/csv", len(data), None),
    ],
    ids=["in_memory", "temporary_file"],
)
def test_csv_uploads_are_streamed_from_django_upload_objects(upload):
    data = "身份证号,姓名\r\n1,张三\r\n2,李四\r\n".encode("gbk")
    uploaded = upload(data)
    if isinstance(uploaded, TemporaryUploadedFile):
        uploaded.write(data)
        uploaded.seek(0)
    rows = list(read_table(uploaded, columns=COLUMNS))
    assert [r.values["name"] for r in rows] == ["张三", "李四"]
    assert not uploaded.file.closed
    uploaded.close()


def test_xlsx_and_csv_are_read_from_a_path(tmp_path):
    path = tmp_path / "名单.xlsx"
    path.write_bytes(xlsx([[str(i), "张三", None] for i in range(500)]).getvalue())
    assert len(list(read_table(path, columns=COLUMNS))) == 500
    path = write_csv_file(tmp_path / "名单.csv", [f"{i},张三\r\n" for i in range(500)])
    assert len(list(read_table(path, columns=COLUMNS))) == 500
