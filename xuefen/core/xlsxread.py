"""A bounded, streaming reader of the first sheet of an XLSX workbook: the XLSX half of the one
reader of uploaded files (`tabular.read_table` is its only caller).

openpyxl, even read-only, loads the whole shared-strings table into Python strings before the
first row and leaves a damaged member's errors (bad CRC, lying sizes, malformed XML) to surface
as whatever exception the zip or XML layer raises, at whatever row. Here every part is parsed
with expat, block by block, from a member stream whose byte count is checked against the size
the archive declares and against our limits while it is read; nothing is kept but the rows being
handed out and, for a full read, the shared strings in compact form (a few large strings and an
offset array, not a Python object per string). Every fault is one `Refused(code, params)`, which
`tabular` turns into a translated TableError:

- `file_damaged`: malformed XML, a DTD, a bad CRC, a member shorter or longer than declared, a
  missing part, a string index out of range (params: `detail`, in English, for the log);
- `cell_too_large`: a cell over MAX_CELL_CHARS characters (Excel's own limit) (`row`, `column`);
- `too_many_columns`: a cell beyond MAX_COLUMNS (`row`, `column`);
- `shared_strings_too_large`: the shared-strings part is over its limit (`size`, `max`, in MB).

`head=True` reads only the first few non-empty rows and resolves just the strings they use, in
one pass over the shared strings that stops at the last one needed: what a web request may do.
"""

import datetime as dt
import posixpath
import re
import zipfile
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO
from xml.parsers import expat

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel

# Excel itself stores at most 32,767 characters in a cell; a longer one was not made by Excel.
MAX_CELL_CHARS = 32_767
# Our importers read a dozen columns; a cell far to the right only makes every row a long list.
MAX_COLUMNS = 256
# workbook.xml, its relationships and styles.xml are small in any real workbook.
MAX_PART_BYTES = 16 * 1024 * 1024
HEAD_ROWS = 5  # non-empty rows read by a head check (the header and the first data rows)
BLOCK = 64 * 1024
_CELL_REF = re.compile(r"^([A-Z]{1,3})(\d*)$")
_INT = re.compile(r"^[+-]?\d+$")
# Built-in number formats Excel shows as dates or times, including the East Asian ones (27-36,
# 50-58) that Chinese Excel writes without a formatCode.
_DATE_FORMAT_IDS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])


class Refused(Exception):
    """The workbook is refused as a whole; `code` and `params` make the message."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code, params)
        self.code = code
        self.params = params


def damaged(detail: str) -> Refused:
    return Refused("file_damaged", detail=detail)


@dataclass(frozen=True)
class Formula:
    text: str


@dataclass(frozen=True)
class _Ref:
    """A shared-string index not yet resolved (head reads)."""

    index: int


# --------------------------------------------------------------------------------- members


class _Member:
    """One member of the archive, read in blocks, its size checked as it is read: never more than
    the archive declares, never more than `limit`, and exactly the declared size at its end (the
    zip layer checks the CRC at the end)."""

    def __init__(self, archive: zipfile.ZipFile, name: str, limit: int) -> None:
        try:
            self.info = archive.getinfo(name)
        except KeyError:
            raise damaged(f"missing part {name}") from None
        self.name = name
        self.limit = limit
        self.read_bytes = 0
        self._stream = archive.open(self.info)

    def read(self, size: int = BLOCK) -> bytes:
        data = self._stream.read(size)
        self.read_bytes += len(data)
        if self.read_bytes > self.info.file_size:
            raise damaged(f"{self.name} is longer than its declared size")
        if self.read_bytes > self.limit:
            raise Refused("part_too_large", name=self.name)
        if not data and self.read_bytes != self.info.file_size:
            raise damaged(f"{self.name} is shorter than its declared size")
        return data

    def close(self) -> None:
        self._stream.close()


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _parser(
    start: Callable[[str, dict[str, str]], None],
    end: Callable[[str], None],
    text: Callable[[str], None] | None = None,
) -> Any:
    parser = expat.ParserCreate(namespace_separator="}")

    def no_dtd(*args: Any) -> None:
        raise damaged("a document type declaration (DTD) is not allowed")

    parser.StartDoctypeDeclHandler = no_dtd
    parser.EntityDeclHandler = no_dtd
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartElementHandler = lambda name, attrs: start(_local(name), attrs)
    parser.EndElementHandler = lambda name: end(_local(name))
    if text is not None:
        parser.CharacterDataHandler = text
    parser.buffer_text = True
    return parser


def _feed(parser: Any, member: _Member) -> Iterator[None]:
    """Feeds the member to the parser block by block, yielding after each block."""
    try:
        while True:
            block = member.read()
            parser.Parse(block, not block)
            yield
            if not block:
                return
    finally:
        member.close()


def _parse_small(archive: zipfile.ZipFile, name: str, start: Callable[..., None]) -> None:
    member = _Member(archive, name, MAX_PART_BYTES)
    for _ in _feed(_parser(start, lambda name: None), member):
        pass


# --------------------------------------------------------------------------- the workbook


@dataclass
class _Layout:
    sheet: str
    strings: str | None
    styles: str | None
    epoch: dt.datetime


def _resolve(base: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(base, target))


def _layout(archive: zipfile.ZipFile) -> _Layout:
    sheets: list[str] = []
    epoch = [WINDOWS_EPOCH]

    def workbook(name: str, attrs: dict[str, str]) -> None:
        if name == "sheet":
            rel = next((v for k, v in attrs.items() if _local(k) == "id"), None)
            if rel:
                sheets.append(rel)
        elif name == "workbookPr" and attrs.get("date1904") in ("1", "true"):
            epoch[0] = MAC_EPOCH

    _parse_small(archive, "xl/workbook.xml", workbook)
    targets: dict[str, str] = {}
    kinds: dict[str, str] = {}

    def rels(name: str, attrs: dict[str, str]) -> None:
        if name == "Relationship" and attrs.get("Id") and attrs.get("Target"):
            path = _resolve("xl", attrs["Target"])
            targets[attrs["Id"]] = path
            kinds[attrs.get("Type", "").rsplit("/", 1)[-1]] = path

    names = set(archive.namelist())
    if "xl/_rels/workbook.xml.rels" in names:
        _parse_small(archive, "xl/_rels/workbook.xml.rels", rels)
    if not sheets or sheets[0] not in targets:
        raise damaged("the workbook names no worksheet")

    def present(path: str | None) -> str | None:
        return path if path in names else None

    return _Layout(
        sheet=targets[sheets[0]],
        strings=present(kinds.get("sharedStrings", "xl/sharedStrings.xml")),
        styles=present(kinds.get("styles", "xl/styles.xml")),
        epoch=epoch[0],
    )


def _date_styles(archive: zipfile.ZipFile, path: str | None) -> frozenset[int]:
    """Indexes of the cell formats (cellXfs) that show numbers as dates or times."""
    if path is None:
        return frozenset()
    custom: dict[int, str] = {}
    formats: list[int] = []
    inside = [False]

    def start(name: str, attrs: dict[str, str]) -> None:
        try:
            if name == "numFmt":
                custom[int(attrs.get("numFmtId", "0"))] = attrs.get("formatCode", "")
            elif name == "cellXfs":
                inside[0] = True
            elif name == "xf" and inside[0]:
                formats.append(int(attrs.get("numFmtId", "0")))
        except ValueError:
            raise damaged("a number format id is not a number") from None

    member = _Member(archive, path, MAX_PART_BYTES)

    def end(name: str) -> None:
        if name == "cellXfs":
            inside[0] = False

    for _ in _feed(_parser(start, end), member):
        pass

    def is_date(number_format: int) -> bool:
        if number_format in custom:
            return bool(is_date_format(custom[number_format]))
        if number_format in _DATE_FORMAT_IDS:
            return True
        return bool(is_date_format(BUILTIN_FORMATS.get(number_format, "General")))

    return frozenset(i for i, number_format in enumerate(formats) if is_date(number_format))


# ------------------------------------------------------------------------- shared strings


class SharedStrings:
    """The shared-string table in compact form: every CHUNK strings are joined into one string,
    with an array of their offsets, so a million short strings cost their characters plus four
    bytes each instead of a Python object each."""

    CHUNK = 4096

    def __init__(self) -> None:
        self._chunks: list[str] = []
        self._offsets: list[array[int]] = []
        self._pending: list[str] = []
        self.count = 0

    def add(self, text: str) -> None:
        self._pending.append(text)
        self.count += 1
        if len(self._pending) == self.CHUNK:
            self._seal()

    def _seal(self) -> None:
        offsets = array("I", [0])
        for text in self._pending:
            offsets.append(offsets[-1] + len(text))
        self._chunks.append("".join(self._pending))
        self._offsets.append(offsets)
        self._pending = []

    def __getitem__(self, index: int) -> str:
        if not 0 <= index < self.count:
            raise damaged(f"shared string {index} does not exist")
        chunk, position = divmod(index, self.CHUNK)
        if chunk == len(self._chunks):
            return self._pending[position]
        offsets = self._offsets[chunk]
        return self._chunks[chunk][offsets[position] : offsets[position + 1]]


class _StringReader:
    """Collects the text of each <si> (plain or rich text runs, not phonetic guides)."""

    def __init__(self, keep: Callable[[int, str], bool]) -> None:
        self.keep = keep  # called with (index, text); False stops the reading
        self.index = 0
        self.parts: list[str] = []
        self.size = 0
        self.in_text = False
        self.phonetic = 0
        self.done = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name == "si":
            self.parts, self.size = [], 0
        elif name == "rPh":
            self.phonetic += 1
        elif name == "t" and not self.phonetic:
            self.in_text = True

    def end(self, name: str) -> None:
        if name == "t":
            self.in_text = False
        elif name == "rPh":
            self.phonetic -= 1
        elif name == "si":
            if not self.keep(self.index, "".join(self.parts)):
                self.done = True
            self.index += 1

    def text(self, data: str) -> None:
        if self.in_text:
            self.size += len(data)
            if self.size > MAX_CELL_CHARS:
                raise Refused("cell_too_large", row=0, column="", shared=self.index)
            self.parts.append(data)


def _read_strings(
    archive: zipfile.ZipFile, path: str | None, limit: int, keep: Callable[[int, str], bool]
) -> None:
    if path is None:
        return
    info = archive.getinfo(path)
    if info.file_size > limit:
        raise Refused(
            "shared_strings_too_large",
            size=info.file_size // (1024 * 1024),
            max=limit // (1024 * 1024),
        )
    reader = _StringReader(keep)
    member = _Member(archive, path, limit)
    for _ in _feed(_parser(reader.start, reader.end, reader.text), member):
        if reader.done:
            return


def load_strings(archive: zipfile.ZipFile, path: str | None, limit: int) -> SharedStrings:
    table = SharedStrings()

    def keep(index: int, text: str) -> bool:
        table.add(text)
        return True

    _read_strings(archive, path, limit, keep)
    return table


def pick_strings(
    archive: zipfile.ZipFile, path: str | None, limit: int, wanted: set[int]
) -> dict[int, str]:
    """Only the strings at `wanted` indexes; stops reading after the last of them."""
    found: dict[int, str] = {}
    last = max(wanted, default=-1)

    def keep(index: int, text: str) -> bool:
        if index in wanted:
            found[index] = text
        return index < last

    if wanted:
        _read_strings(archive, path, limit, keep)
    return found


# --------------------------------------------------------------------------------- the sheet


def column_index(letters: str) -> int:
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number - 1


def column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass
class _Cell:
    column: int
    kind: str
    style: int
    value: list[str] = field(default_factory=list)
    inline: list[str] = field(default_factory=list)
    formula: list[str] | None = None
    size: int = 0


class _SheetReader:
    """Turns sheet XML into (row number, [cell values]) as rows end."""

    def __init__(self, strings: Callable[[int], Any], dates: frozenset[int], epoch: Any) -> None:
        self.strings = strings
        self.dates = dates
        self.epoch = epoch
        self.rows: list[tuple[int, list[Any]]] = []
        self.row_number = 0
        self.cells: dict[int, Any] = {}
        self.cell: _Cell | None = None
        self.capture: list[str] | None = None
        self.phonetic = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name == "row":
            self._start_row(attrs)
        elif name == "c":
            self._start_cell(attrs)
        elif self.cell is not None:
            if name == "v":
                self.capture = self.cell.value
            elif name == "f":
                self.cell.formula = []
                self.capture = self.cell.formula
            elif name == "rPh":
                self.phonetic += 1
            elif name == "t" and not self.phonetic:
                self.capture = self.cell.inline

    def end(self, name: str) -> None:
        if name in ("v", "f", "t"):
            self.capture = None
        elif name == "rPh":
            self.phonetic -= 1
        elif name == "c" and self.cell is not None:
            self.cells[self.cell.column] = self._value(self.cell)
            self.cell = None
        elif name == "row":
            if self.cells:
                width = max(self.cells) + 1
                self.rows.append((self.row_number, [self.cells.get(i) for i in range(width)]))
            self.cells = {}

    def text(self, data: str) -> None:
        if self.capture is not None and self.cell is not None:
            self.cell.size += len(data)
            if self.cell.size > MAX_CELL_CHARS:
                raise Refused(
                    "cell_too_large",
                    row=self.row_number,
                    column=column_letters(self.cell.column),
                )
            self.capture.append(data)

    def _start_row(self, attrs: dict[str, str]) -> None:
        number = attrs.get("r")
        if number is None:
            self.row_number += 1
        else:
            try:
                self.row_number = int(number)
            except ValueError:
                raise damaged(f"row number {number[:20]!r}") from None
        self.cells = {}

    def _start_cell(self, attrs: dict[str, str]) -> None:
        ref = attrs.get("r")
        if ref:
            match = _CELL_REF.match(ref)
            if match is None:
                raise damaged(f"cell reference {ref[:20]!r}")
            column = column_index(match.group(1))
        else:
            column = max(self.cells) + 1 if self.cells else 0
        if column >= MAX_COLUMNS:
            raise Refused("too_many_columns", row=self.row_number, column=column_letters(column))
        try:
            style = int(attrs.get("s", "0"))
        except ValueError:
            raise damaged("a cell style is not a number") from None
        self.cell = _Cell(column, attrs.get("t", "n"), style)

    def _value(self, cell: _Cell) -> Any:
        if cell.formula is not None:
            return Formula("=" + "".join(cell.formula))
        text = "".join(cell.value)
        kind = cell.kind
        if kind == "inlineStr":
            return "".join(cell.inline)
        if kind in ("str", "e"):
            return text
        if text == "":
            return None
        if kind == "s":
            try:
                index = int(text)
            except ValueError:
                raise damaged("a shared string index is not a number") from None
            return self.strings(index)
        if kind == "b":
            return text in ("1", "true")
        if kind == "d":
            try:
                return dt.datetime.fromisoformat(text)
            except ValueError:
                raise damaged(f"date {text[:30]!r}") from None
        try:
            number: int | float = int(text) if _INT.match(text) else float(text)
        except ValueError:
            raise damaged(f"number {text[:30]!r}") from None
        if cell.style in self.dates and isinstance(number, int | float):
            try:
                return from_excel(number, self.epoch)
            except (ValueError, OverflowError):
                return number
        return number


def _sheet_rows(
    archive: zipfile.ZipFile,
    layout: _Layout,
    strings: Callable[[int], Any],
    dates: frozenset[int],
    limit: int,
) -> Iterator[tuple[int, list[Any]]]:
    reader = _SheetReader(strings, dates, layout.epoch)
    member = _Member(archive, layout.sheet, limit)
    # Read to the member's end even after </sheetData>: its declared size and CRC are checked there.
    for _ in _feed(_parser(reader.start, reader.end, reader.text), member):
        rows, reader.rows = reader.rows, []
        yield from rows


def _has_value(cells: list[Any]) -> bool:
    return any(c is not None and not (isinstance(c, str) and not c.strip()) for c in cells)


def read_rows(
    stream: BinaryIO, *, sheet_limit: int, strings_limit: int, head: bool = False
) -> Iterator[tuple[int, list[Any]]]:
    """(row number, cell values) of the first sheet. Values: str, int, float, bool, datetime,
    None, or `Formula`. Raises Refused (before the first row for the workbook's structure and
    a too-large string table, while iterating for anything found in the sheet)."""
    archive = zipfile.ZipFile(stream)
    layout = _layout(archive)
    dates = _date_styles(archive, layout.styles)
    if head:
        return _head_rows(archive, layout, dates, sheet_limit, strings_limit)
    table = load_strings(archive, layout.strings, strings_limit)
    return _sheet_rows(archive, layout, table.__getitem__, dates, sheet_limit)


def _head_rows(
    archive: zipfile.ZipFile,
    layout: _Layout,
    dates: frozenset[int],
    sheet_limit: int,
    strings_limit: int,
) -> Iterator[tuple[int, list[Any]]]:
    rows: list[tuple[int, list[Any]]] = []
    for number, cells in _sheet_rows(archive, layout, _Ref, dates, sheet_limit):
        if _has_value(cells):
            rows.append((number, cells))
            if len(rows) == HEAD_ROWS:
                break
    wanted = {c.index for _n, cells in rows for c in cells if isinstance(c, _Ref)}
    found = pick_strings(archive, layout.strings, strings_limit, wanted)

    def resolve(value: Any) -> Any:
        if isinstance(value, _Ref):
            if value.index not in found:
                raise damaged(f"shared string {value.index} does not exist")
            return found[value.index]
        return value

    return iter([(number, [resolve(c) for c in cells]) for number, cells in rows])
