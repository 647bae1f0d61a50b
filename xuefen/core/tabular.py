"""Spreadsheets in and out: the one place that reads uploaded XLSX/CSV files and writes downloads.

Reading (`read_table`) maps the header row onto declared `Column`s by Chinese or English name,
refuses files that are not what they claim (renamed files, zip bombs, oversized uploads) before
parsing them, and yields `Row`s whose cell problems (formulas, numbers Excel mangled, bad dates) are
collected per row, so an importer can report every bad row at once. Writing (`xlsx_response`,
`csv_response`, `write_xlsx`) escapes every text cell that a spreadsheet would run as a formula.
`error_workbook_response` turns per-row errors into a downloadable file.
"""

import codecs
import csv
import datetime as dt
import io
import itertools
import logging
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import IO, Any, BinaryIO
from xml.parsers import expat

from django.conf import settings
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from xuefen.core import xlsxread
from xuefen.core.errors import CodedError, CoreCode
from xuefen.core.xlsxread import Formula

log = logging.getLogger(__name__)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"

# A real workbook's sheet XML compresses well, but not a thousandfold; entries smaller than
# RATIO_CHECK_BYTES cannot hurt on their own (the total cap covers many of them).
MAX_COMPRESSION_RATIO = 200
RATIO_CHECK_BYTES = 8 * 1024 * 1024
MAX_ZIP_ENTRIES = 2000
# Excel keeps 15 significant digits: a longer number typed into a cell has already lost digits.
EXCEL_DIGITS = 15
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

_SCIENTIFIC = re.compile(r"^[+-]?\d+(\.\d+)?[eE][+-]?\d+$")
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


class TableError(CodedError):
    """The file as a whole is refused (wrong type, too big, bad header); no row is read."""


class Kind(StrEnum):
    """How a column's cells are read."""

    TEXT = "text"  # any value, returned as stripped text
    # digits that must stay text (ID numbers, unit codes): a number Excel mangled is an error
    CODE = "code"
    DATE = "date"  # an Excel date or text 2026-01-05, 2026/1/5, 20260105, 2026年1月5日


@dataclass(frozen=True)
class Column:
    """A column an importer accepts. `label` is the header written in templates and exports
    (Chinese); `aliases` are further accepted headers (English names), as is `key`."""

    key: str
    label: str
    aliases: tuple[str, ...] = ()
    required: bool = True
    kind: Kind = Kind.TEXT


@dataclass(frozen=True)
class CellError:
    """One problem with one row; `row` is the row number as the spreadsheet shows it."""

    row: int
    column: str  # the column's header as in the file ("" for the whole row)
    code: str
    message: Any
    value: str = ""


@dataclass
class Row:
    """One data row. `values` holds parsed values by column key (str, or date/None for DATE
    columns) for the columns present in the file; `raw` the cell text as written; `errors` what is
    wrong with it."""

    number: int
    values: dict[str, Any]
    raw: dict[str, str]
    errors: list[CellError] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # key -> header as in the file

    def error(self, key: str, code: str, message: Any) -> CellError:
        """Adds an error on the column `key` (or on the row, for key="") and returns it."""
        err = CellError(
            self.number, self.headers.get(key, key), code, message, self.raw.get(key, "")
        )
        self.errors.append(err)
        return err


# ------------------------------------------------------------------------------------ reading


def read_table(
    upload: Any,
    *,
    columns: Sequence[Column],
    filename: str | None = None,
    max_rows: int | None = None,
    head: bool = False,
) -> Iterator[Row]:
    """Opens an uploaded XLSX or CSV file and returns an iterator over its data rows.

    `upload` is a Django UploadedFile, a seekable binary file object or a path. The file-level
    checks (size, type, zip central directory, encoding, header row, at least one data row) run
    before this returns and raise TableError; rows are then read lazily from the file (XLSX by
    `xlsxread`, CSV block by block), so it must stay open and its position untouched while they
    are iterated. A file opened from a path is closed once the rows are exhausted or closed.
    Blank rows are skipped. Anything wrong found further in (a damaged member, malformed XML, a
    cell longer than a spreadsheet cell can be, too many columns, too much text) raises
    TableError while iterating, with the same kind of one-sentence message.

    `head=True` reads only the first rows (a web request's check, see `check_table`).
    """
    name = filename or str(getattr(upload, "name", "") or upload)
    if isinstance(upload, str | Path):
        fh = open(upload, "rb")  # noqa: SIM115 - closed by _FileRows, after the last row
        try:
            rows = read_table(fh, columns=columns, filename=name, max_rows=max_rows, head=head)
        except BaseException:
            fh.close()
            raise
        return _FileRows(rows, fh)
    return _rows(read_cells(upload, columns=columns, filename=name, head=head), name, max_rows)


@dataclass
class Cells:
    """A table opened and its header mapped (`read_cells`), its data rows still as the file holds
    them: `lines` yields (row number, cells) of each non-blank row after the header; `row` makes
    the `Row` of one, with its cell problems, as `read_table` yields it. `text`: every cell is the
    text as written (a CSV file) — an importer may take a row whose cells it can read at a glance
    straight from them and make `Row`s only of the others."""

    positions: dict[str, int]  # column key -> index of its cell
    headers: dict[str, str]  # column key -> header as in the file
    kinds: dict[str, Kind]
    lines: Iterator[tuple[int, list[Any]]]
    text: bool
    known: dict[str, dict[str, Any]] = field(default_factory=dict)

    def row(self, number: int, cells: Sequence[Any]) -> Row:
        return _make_row(number, cells, self.positions, self.headers, self.kinds, self.known)


def read_cells(
    upload: Any, *, columns: Sequence[Column], filename: str | None = None, head: bool = False
) -> Cells:
    """`read_table`'s file-level checks and header, its rows left as cells (see `Cells`).
    `upload` is a Django UploadedFile or a seekable binary file object, kept open and untouched
    while the rows are read. Raises TableError as `read_table` does."""
    name = filename or str(getattr(upload, "name", "") or upload)
    stream: BinaryIO = upload.file if hasattr(upload, "chunks") else upload
    _check_size(stream, name)
    magic = stream.read(8)
    stream.seek(0)
    suffix = Path(name).suffix.lower()
    text = False
    if magic.startswith(b"PK\x03\x04"):
        lines = _xlsx_lines(stream, name, head)
    elif suffix == ".xlsx":
        raise TableError(
            CoreCode.NOT_SPREADSHEET,
            _("%(file)s is not an Excel workbook (.xlsx); it may be another file renamed.")
            % {"file": name},
        )
    elif magic.startswith(b"\xd0\xcf\x11\xe0") or suffix == ".xls":
        raise TableError(
            CoreCode.OLD_EXCEL,
            _("%(file)s is an old Excel file (.xls); save it as .xlsx and upload again.")
            % {"file": name},
        )
    elif suffix in (".csv", ".txt"):
        lines, text = _csv_lines(stream, name, head), True
    else:
        raise TableError(
            CoreCode.UNSUPPORTED_TYPE,
            _("%(file)s is neither an Excel workbook (.xlsx) nor a CSV file.") % {"file": name},
        )
    return _cells(lines, columns, name, text)


def check_table(upload: Any, *, columns: Sequence[Column], filename: str | None = None) -> None:
    """The checks a web request may run on an upload before storing it for the background worker:
    size, type, archive directory, header, a first data row. It reads no further than the first
    rows (and, of an XLSX, only the shared strings they use), so a hostile file costs the request
    next to nothing; the worker reads the rest with `read_table`. Raises TableError. The stream is
    left at its start."""
    stream = upload.file if hasattr(upload, "chunks") else upload
    try:
        rows = read_table(stream, columns=columns, filename=filename, head=True)
        next(rows, None)
        close = getattr(rows, "close", None)
        if close is not None:
            close()
    finally:
        if hasattr(stream, "seek"):
            stream.seek(0)


class _FileRows(Iterator[Row]):
    """Rows of a file read_table opened itself: the file is closed when the rows are exhausted,
    closed or collected."""

    def __init__(self, rows: Iterator[Row], fh: BinaryIO) -> None:
        self._rows = rows
        self._fh = fh

    def __next__(self) -> Row:
        try:
            return next(self._rows)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        close = getattr(self._rows, "close", None)
        if close is not None:
            close()
        self._fh.close()

    __del__ = close


def _check_size(stream: BinaryIO, name: str) -> None:
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    if size == 0:
        raise TableError(CoreCode.EMPTY_FILE, _("%(file)s is empty.") % {"file": name})
    if size > settings.MAX_UPLOAD_MB * 1024 * 1024:
        raise TableError(
            CoreCode.FILE_TOO_LARGE,
            _("%(file)s is %(size)d MB; the largest file accepted is %(max)d MB.")
            % {"file": name, "size": size // (1024 * 1024), "max": settings.MAX_UPLOAD_MB},
        )


def check_xlsx_archive(stream: BinaryIO, name: str) -> None:
    """Refuses a .xlsx that is not a workbook or would expand too far.

    Reads only the zip central directory, so nothing is decompressed before the sizes are known."""
    not_workbook = TableError(
        CoreCode.NOT_SPREADSHEET,
        _("%(file)s is not an Excel workbook (.xlsx); it may be another file renamed.")
        % {"file": name},
    )
    try:
        with zipfile.ZipFile(stream) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise not_workbook from None
    finally:
        stream.seek(0)
    names = {e.filename for e in entries}
    if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
        raise not_workbook
    limit = settings.XLSX_MAX_UNCOMPRESSED_MB * 1024 * 1024
    total = sum(e.file_size for e in entries)
    suspicious = any(
        e.file_size > RATIO_CHECK_BYTES
        and e.file_size > MAX_COMPRESSION_RATIO * max(e.compress_size, 1)
        for e in entries
    )
    if len(entries) > MAX_ZIP_ENTRIES or total > limit or suspicious:
        raise TableError(
            CoreCode.XLSX_TOO_LARGE,
            _(
                "%(file)s would expand to %(size)d MB when opened (or is compressed suspiciously "
                "far); the limit is %(max)d MB. Split it into smaller files."
            )
            % {
                "file": name,
                "size": total // (1024 * 1024),
                "max": settings.XLSX_MAX_UNCOMPRESSED_MB,
            },
        )


def _xlsx_lines(stream: BinaryIO, name: str, head: bool) -> Iterator[tuple[int, list[Any]]]:
    check_xlsx_archive(stream, name)
    mb = 1024 * 1024
    try:
        lines = xlsxread.read_rows(
            stream,
            sheet_limit=settings.XLSX_MAX_UNCOMPRESSED_MB * mb,
            strings_limit=settings.XLSX_MAX_SHARED_STRINGS_MB * mb,
            head=head,
        )
    except _DAMAGE as exc:
        raise _refusal(exc, name) from None
    return _guarded(lines, name)


# Everything the zip, XML and CSV layers raise for a file that is damaged or hostile. A TableError
# names the file and the fault in one sentence; no exception of the layers below escapes.
_DAMAGE = (
    xlsxread.Refused,
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    expat.ExpatError,
    csv.Error,
    UnicodeDecodeError,
    NotImplementedError,  # a zip compression method Python does not read
    struct.error,
    KeyError,
)


def _guarded(lines: Iterator[tuple[int, list[Any]]], name: str) -> Iterator[tuple[int, list[Any]]]:
    try:
        yield from lines
    except _DAMAGE as exc:
        raise _refusal(exc, name) from None


def _refusal(exc: BaseException, name: str) -> "TableError":
    if not isinstance(exc, xlsxread.Refused):
        log.info("damaged upload %s: %r", name, exc)
        exc = xlsxread.damaged(type(exc).__name__)
    params = {"file": name, **exc.params}
    if exc.code == "cell_too_large":
        if params.get("row") and not params.get("column"):
            message = _(
                "%(file)s, row %(row)d: a cell holds more than %(max)d characters, more than a "
                "spreadsheet cell can; the file is not accepted."
            )
        elif params.get("row"):
            message = _(
                "%(file)s, row %(row)d, column %(column)s: the cell holds more than %(max)d "
                "characters, more than a spreadsheet cell can; the file is not accepted."
            )
        else:
            message = _(
                "%(file)s holds a text of more than %(max)d characters, more than a "
                "spreadsheet cell can; the file is not accepted."
            )
        params["max"] = xlsxread.MAX_CELL_CHARS
    elif exc.code == "too_many_columns":
        message = _(
            "%(file)s, row %(row)d: there is a value in column %(column)s; a file may use at "
            "most %(max)d columns. Delete the columns the template does not have."
        )
        params["max"] = xlsxread.MAX_COLUMNS
    elif exc.code == "shared_strings_too_large":
        message = _(
            "%(file)s holds %(size)d MB of text; the limit is %(max)d MB. Split it into "
            "smaller files."
        )
    elif exc.code == "part_too_large":
        return TableError(
            CoreCode.XLSX_TOO_LARGE,
            _(
                "%(file)s would expand to more than %(max)d MB when opened; split it into "
                "smaller files."
            )
            % {"file": name, "max": settings.XLSX_MAX_UNCOMPRESSED_MB},
        )
    else:
        log.info("damaged upload %s: %s", name, params.get("detail"))
        return TableError(
            CoreCode.FILE_DAMAGED,
            _(
                "%(file)s is damaged or is not a valid spreadsheet; open it in Excel or WPS, "
                "save it again and upload the copy."
            )
            % {"file": name},
        )
    return TableError(exc.code, message % params)


# Chinese Excel saves CSV as GBK/GB18030; gb18030 is a superset of GBK and GB2312.
CSV_ENCODINGS = ("utf-8-sig", "gb18030")
_CSV_BLOCK = 256 * 1024
HEAD_BYTES = 4 * _CSV_BLOCK  # what a head read decodes to choose the encoding


class _Borrowed(io.BufferedIOBase):
    """Reads from the caller's stream without owning it: closing (or collecting) the text
    wrapper around it never closes the caller's file, whatever order objects are freed in."""

    def __init__(self, stream: BinaryIO) -> None:
        super().__init__()
        self._stream = stream

    @property
    def name(self) -> Any:
        return getattr(self._stream, "name", "")

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1, /) -> bytes:
        return self._stream.read(-1 if size is None else size)

    def read1(self, size: int = -1, /) -> bytes:
        return self._stream.read(size)


@dataclass(frozen=True)
class _Scan:
    """What one decoding pass learnt: whether the text holds NUL, and the delimiter counts of
    its first line (up to the first newline)."""

    has_nul: bool
    tabs: int
    commas: int


def _scan(stream: BinaryIO, encoding: str, limit: int | None = None) -> _Scan | None:
    """Decodes the whole stream (or its first `limit` bytes) block by block, keeping no text;
    None if it does not decode."""
    decoder = codecs.getincrementaldecoder(encoding)()
    has_nul, tabs, commas, first_line_done = False, 0, 0, False
    stream.seek(0)
    read = 0
    try:
        while True:
            block = stream.read(_CSV_BLOCK)
            read += len(block)
            if limit is not None and read > limit:
                return _Scan(has_nul, tabs, commas)  # the head decodes; the worker reads on
            text = decoder.decode(block, final=not block)
            has_nul = has_nul or "\x00" in text
            if not first_line_done:
                end = text.find("\n")
                first_line_done = end >= 0
                stop = end if first_line_done else len(text)
                tabs += text.count("\t", 0, stop)
                commas += text.count(",", 0, stop)
            if not block:
                return _Scan(has_nul, tabs, commas)
            del text  # before the next block is decoded, so only one block's text is held
    except UnicodeDecodeError:
        return None


def _csv_lines(stream: BinaryIO, name: str, head: bool) -> Iterator[tuple[int, list[Any]]]:
    """Streams the CSV's records, numbered from 1; memory does not grow with the file.

    The encoding is the first of CSV_ENCODINGS in which the WHOLE file decodes, so a first pass
    decodes it block by block (a GBK file may look like UTF-8 until its last line) and the rows
    are then read in a second pass; the refusal comes before any row is read. A head read decodes
    only the first HEAD_BYTES to choose. A cell longer than a spreadsheet cell can be, or a row
    with more than MAX_COLUMNS cells, refuses the file when its row is reached."""
    scan = None
    for encoding in CSV_ENCODINGS:
        scan = _scan(stream, encoding, HEAD_BYTES if head else None)
        if scan is not None:
            break
    if scan is None or scan.has_nul:
        raise TableError(
            CoreCode.CSV_ENCODING,
            _("%(file)s is not a text CSV file in UTF-8 or GBK/GB18030.") % {"file": name},
        )
    delimiter = "\t" if scan.tabs > scan.commas else ","

    def lines() -> Iterator[tuple[int, list[Any]]]:
        stream.seek(0)
        with io.TextIOWrapper(_Borrowed(stream), encoding=encoding, newline="") as text:
            reader = csv.reader(text, delimiter=delimiter)
            number = 0
            widest, longest = xlsxread.MAX_COLUMNS, xlsxread.MAX_CELL_CHARS
            try:
                for cells in reader:
                    number += 1
                    if not cells:
                        continue  # an empty line: a blank row
                    if len(cells) > widest or max(map(len, cells)) > longest:
                        _check_csv_row(number, cells)
                    first = cells[0]
                    # Blank rows are skipped here (a CSV cell is always text).
                    if (not first or first.isspace()) and _blank(cells):
                        continue
                    yield number, cells
            except csv.Error as exc:
                if "field limit" not in str(exc):
                    raise
                raise xlsxread.Refused("cell_too_large", row=number + 1) from None

    return _guarded(lines(), name)


def _check_csv_row(number: int, cells: list[str]) -> None:
    if len(cells) > xlsxread.MAX_COLUMNS:
        raise xlsxread.Refused(
            "too_many_columns",
            row=number,
            column=xlsxread.column_letters(xlsxread.MAX_COLUMNS),
        )
    for index, cell in enumerate(cells):
        if len(cell) > xlsxread.MAX_CELL_CHARS:
            raise xlsxread.Refused(
                "cell_too_large", row=number, column=xlsxread.column_letters(index)
            )


# The columns an error file adds after the template's own: an importer reads past them, so a
# corrected error file is uploaded again as it is.
ROW_NUMBER_HEADER = "原行号"
REASON_HEADER = "错误原因"
NOTE_HEADERS = (ROW_NUMBER_HEADER, REASON_HEADER)


def _header_key(text: Any) -> str:
    """Header text as compared: no spaces, no required-marker asterisks, case-folded."""
    return "".join(str(text or "").split()).replace("\u3000", "").strip("*＊").casefold()


def _cells(
    lines: Iterator[tuple[int, list[Any]]], columns: Sequence[Column], name: str, text: bool
) -> Cells:
    if not text:  # a CSV's blank rows are skipped as they are read
        lines = (line for line in lines if not _blank(line[1]))
    first = next(lines, None)
    if first is None:
        raise TableError(CoreCode.EMPTY_FILE, _("%(file)s is empty.") % {"file": name})
    header_number, header = first
    positions = _map_header(header, header_number, columns, name)
    peeked = next(lines, None)
    if peeked is None:
        raise TableError(
            CoreCode.NO_ROWS, _("%(file)s has a header row but no data rows.") % {"file": name}
        )
    return Cells(
        positions=positions,
        headers={key: str(header[i]).strip() for key, i in positions.items()},
        kinds={c.key: c.kind for c in columns},
        lines=itertools.chain([peeked], lines),
        text=text,
        # A column's text cells read once per distinct text (a roster repeats its dates and codes
        # endlessly); a cell that does not read is read again, for its error, every time.
        known={key: {} for key in positions},
    )


def _rows(table: Cells, name: str, max_rows: int | None) -> Iterator[Row]:
    for count, (number, cells) in enumerate(table.lines, start=1):
        if max_rows is not None and count > max_rows:
            raise TableError(
                CoreCode.TOO_MANY_ROWS,
                _("%(file)s has more than %(max)d rows; split it into smaller files.")
                % {"file": name, "max": max_rows},
            )
        yield table.row(number, cells)


def _blank(cells: Sequence[Any]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _map_header(
    header: Sequence[Any], number: int, columns: Sequence[Column], name: str
) -> dict[str, int]:
    lookup: dict[str, Column] = {}
    for column in columns:
        for text in (column.label, column.key, *column.aliases):
            lookup[_header_key(text)] = column
    positions: dict[str, int] = {}
    unknown: list[str] = []
    for index, text in enumerate(header):
        if isinstance(text, Formula):
            text = text.text
        if text is None or not str(text).strip():
            continue
        found = lookup.get(_header_key(text))
        if found is None and _header_key(text) in {_header_key(h) for h in NOTE_HEADERS}:
            continue
        if found is None:
            unknown.append(str(text).strip())
        elif found.key in positions:
            raise TableError(
                CoreCode.DUPLICATE_COLUMN,
                _("%(file)s, row %(row)d: the column %(column)s appears twice.")
                % {"file": name, "row": number, "column": str(text).strip()},
            )
        else:
            positions[found.key] = index
    if unknown:
        raise TableError(
            CoreCode.UNKNOWN_COLUMNS,
            _("%(file)s, row %(row)d: unknown columns %(columns)s. Use the template's headers.")
            % {"file": name, "row": number, "columns": "、".join(unknown)},
        )
    missing = [c.label for c in columns if c.required and c.key not in positions]
    if missing:
        raise TableError(
            CoreCode.MISSING_COLUMNS,
            _("%(file)s, row %(row)d: required columns missing: %(columns)s.")
            % {"file": name, "row": number, "columns": "、".join(missing)},
        )
    return positions


_UNREAD = object()
# Distinct texts remembered per column: a roster's dates and course codes, not its ID numbers.
_KNOWN_TEXTS = 5_000


def recalled(memo: dict[str, Any], text: str, convert: Callable[[str], Any]) -> Any:
    """`convert(text)`, remembered in `memo` for the column's first _KNOWN_TEXTS distinct texts
    (a roster repeats its dates and codes endlessly; a hostile file's distinct ones stay unkept)."""
    found = memo.get(text, _UNREAD)
    if found is _UNREAD:
        found = convert(text)
        if len(memo) < _KNOWN_TEXTS:
            memo[text] = found
    return found


def _make_row(
    number: int,
    cells: Sequence[Any],
    positions: dict[str, int],
    headers: dict[str, str],
    kinds: dict[str, Kind],
    known: dict[str, dict[str, Any]] | None = None,
) -> Row:
    row = Row(number=number, values={}, raw={}, headers=headers)
    for key, index in positions.items():
        value = cells[index] if index < len(cells) else None
        row.raw[key] = display(value)
        if known is not None and type(value) is str:
            memo = known[key]
            read = memo.get(value, _UNREAD)
            if read is not _UNREAD:
                row.values[key] = read
                continue
        else:
            memo = None
        if isinstance(value, Formula) or (isinstance(value, str) and value.startswith("=")):
            row.error(
                key,
                "formula",
                _("The cell holds a formula; paste the values only (Paste Special → Values)."),
            )
            row.values[key] = None if kinds[key] == Kind.DATE else ""
            continue
        try:
            row.values[key] = read = _convert(value, kinds[key])
            if memo is not None and len(memo) < _KNOWN_TEXTS:
                memo[value] = read  # type: ignore[index]
        except CodedError as exc:
            row.error(key, exc.code, exc.message)
            row.values[key] = None if kinds[key] == Kind.DATE else ""
    return row


def display(value: Any) -> str:
    """A cell value as a person reads it (integral floats without '.0', dates as YYYY-MM-DD)."""
    if type(value) is str:  # every cell of a CSV file
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, Formula):
        return value.text
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _convert(value: Any, kind: Kind) -> Any:
    if kind == Kind.DATE:
        return parse_date(value)
    if kind == Kind.CODE:
        return parse_code(value)
    return display(value)


def parse_code(value: Any) -> str:
    """Digits that must stay text; refuses numbers Excel rounded or put in scientific notation."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        if isinstance(value, float) and not value.is_integer():
            raise CodedError(
                CoreCode.NUMBER_MANGLED,
                _(
                    "Excel has turned this code into a number (%(value)s); format the column as "
                    "text and type it again."
                )
                % {"value": value},
            )
        digits = str(int(value))
        if len(digits) > EXCEL_DIGITS:
            raise CodedError(
                CoreCode.NUMBER_MANGLED,
                _(
                    "Excel has turned this code into a number and lost its last digits "
                    "(%(value)s); format the column as text and type it again."
                )
                % {"value": digits},
            )
        return digits
    text = display(value)
    if _SCIENTIFIC.match(text):
        raise CodedError(
            CoreCode.NUMBER_MANGLED,
            _(
                "Excel has shown this code in scientific notation (%(value)s) and lost digits; "
                "format the column as text and type it again."
            )
            % {"value": text},
        )
    return text


def parse_date(value: Any) -> dt.date | None:
    """An Excel date cell or text 2026-01-05, 2026/1/5, 20260105, 2026年1月5日; None if blank."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = display(value)
    if not text:
        return None
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            try:
                return dt.date(year, month, day)
            except ValueError:
                break
    raise CodedError(
        CoreCode.BAD_DATE,
        _("%(value)s is not a date; write it as 2026-01-05.") % {"value": text},
    )


# ------------------------------------------------------------------------------------ writing


def safe_text(value: str) -> str:
    """Text no spreadsheet will run as a formula: a leading = + - @ tab or CR gets a quote first."""
    if value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _plain(value: Any) -> Any:
    """A value ready for a cell: text escaped (lazy translations made str), dates/numbers kept."""
    if value is None or isinstance(value, bool | int | float | dt.date | dt.datetime):
        return value
    return safe_text(str(value))


@dataclass(frozen=True)
class Sheet:
    title: Any
    headers: Sequence[Any]
    rows: Iterable[Sequence[Any]]
    widths: Sequence[int] = ()


def _write_sheet(book: Workbook, sheet: Sheet) -> None:
    ws: WriteOnlyWorksheet = book.create_sheet(title=str(sheet.title)[:31])
    widths = list(sheet.widths) or [max(10, min(40, len(str(h)) * 2 + 4)) for h in sheet.headers]
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    header_cells = []
    for header in sheet.headers:
        cell = WriteOnlyCell(ws, value=_plain(header))
        cell.font = bold
        header_cells.append(cell)
    ws.append(header_cells)
    for values in sheet.rows:
        out = []
        for value in values:
            plain = _plain(value)
            if isinstance(plain, dt.datetime):
                cell = WriteOnlyCell(ws, value=plain)
                cell.number_format = "yyyy-mm-dd hh:mm"
                out.append(cell)
            elif isinstance(plain, dt.date):
                cell = WriteOnlyCell(ws, value=plain)
                cell.number_format = "yyyy-mm-dd"
                out.append(cell)
            elif isinstance(plain, str):
                cell = WriteOnlyCell(ws, value=plain)
                cell.data_type = "s"  # never a formula, whatever the text
                out.append(cell)
            else:
                out.append(plain)
        ws.append(out)


def write_workbook(target: str | Path | IO[bytes], sheets: Sequence[Sheet]) -> None:
    """Writes sheets (streamed, openpyxl write_only) to a path or binary file object."""
    book = Workbook(write_only=True)
    for sheet in sheets:
        _write_sheet(book, sheet)
    book.save(target)


def write_xlsx(
    target: str | Path | IO[bytes],
    headers: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    *,
    sheet_title: str = "Sheet1",
) -> None:
    """Writes one sheet with a bold header row; every text cell is safe from formula injection."""
    write_workbook(target, [Sheet(sheet_title, headers, rows)])


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def workbook_response(filename: str, sheets: Sequence[Sheet]) -> HttpResponse:
    """An XLSX download of several sheets."""
    buffer = io.BytesIO()
    write_workbook(buffer, sheets)
    return _attachment(HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE), filename)


def xlsx_response(
    filename: str,
    headers: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    sheet_title: str = "Sheet1",
) -> HttpResponse:
    """An XLSX download (attachment named `filename`, Chinese allowed) of one sheet."""
    return workbook_response(filename, [Sheet(sheet_title, headers, rows)])


def write_csv(target: IO[str], headers: Sequence[Any], rows: Iterable[Sequence[Any]]) -> None:
    """CSV in UTF-8 with a BOM (so Excel opens Chinese text correctly), formula-safe, row by row."""
    target.write("\ufeff")
    writer = csv.writer(target, lineterminator="\r\n")
    writer.writerow([display(_plain(h)) for h in headers])
    for values in rows:
        writer.writerow([display(_plain(v)) for v in values])


def csv_response(
    filename: str, headers: Sequence[Any], rows: Iterable[Sequence[Any]]
) -> HttpResponse:
    """A CSV download (see write_csv)."""
    buffer = io.StringIO()
    write_csv(buffer, headers, rows)
    response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type=CSV_CONTENT_TYPE)
    return _attachment(response, filename)


# -------------------------------------------------------------------------------- error files


def correctable_sheet(
    columns: Sequence[Column], rows: Iterable[tuple[int, Mapping[str, Any], Sequence[str]]]
) -> Sheet:
    """The rows as they were sent — (row number, cells by column key, reasons) — in the template's
    column order, then the row number and the reasons: corrected in place, the file is uploaded
    again as it is (an importer reads past the last two columns)."""
    return Sheet(
        _("Rows to correct"),
        [*(c.label for c in columns), ROW_NUMBER_HEADER, REASON_HEADER],
        (
            [*(cells.get(c.key, "") for c in columns), number, "；".join(reasons)]
            for number, cells, reasons in rows
        ),
        widths=(*(22 if c.kind == Kind.CODE else 14 for c in columns), 8, 60),
    )


def _reasons(errors: Sequence[CellError]) -> list[str]:
    return [f"{e.column}: {e.message}" if e.column else str(e.message) for e in errors]


def error_sheets(
    errors: Sequence[CellError], rows: Sequence[Row] = (), columns: Sequence[Column] = ()
) -> list[Sheet]:
    """Sheets describing what is wrong: first, when the rows and the template's columns are given,
    the bad rows as they were sent, ready to correct and upload again (`correctable_sheet`); then
    one line per error (row, column, value, reason, code)."""
    sheets = []
    bad = [r for r in rows if r.errors]
    if bad and columns:
        sheets.append(
            correctable_sheet(
                columns,
                ((r.number, r.raw, _reasons(r.errors)) for r in bad),
            )
        )
    sheets.append(
        Sheet(
            _("Errors"),
            [_("Row"), _("Column"), _("Value"), _("Reason"), _("Code")],
            ([e.row, e.column, e.value, str(e.message), e.code] for e in errors),
            widths=(8, 16, 24, 60, 18),
        )
    )
    return sheets


def error_workbook_response(
    filename: str,
    errors: Sequence[CellError],
    rows: Sequence[Row] = (),
    columns: Sequence[Column] = (),
) -> HttpResponse:
    """The downloadable error file for an import that was refused."""
    return workbook_response(filename, error_sheets(errors, rows, columns))
