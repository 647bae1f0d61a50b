"""Workbooks built by hand, part by part, so that a test can damage exactly one thing: the XML of
a sheet, a member's CRC, the size the archive declares, the shared strings."""

import io
import struct
import zipfile
from collections.abc import Iterable
from xml.sax.saxutils import escape

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
)
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{RELS}">'
    '<sheets><sheet name="名单" sheetId="1" r:id="rId1"/></sheets></workbook>'
).encode()
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{RELS}/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
).encode()
SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"


def cell(ref: str, value: object) -> str:
    if isinstance(value, int):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def sheet_xml(rows: Iterable[Iterable[object]]) -> bytes:
    body = []
    for number, values in enumerate(rows, start=1):
        cells = "".join(cell(f"{chr(65 + i)}{number}", v) for i, v in enumerate(values))
        body.append(f'<row r="{number}">{cells}</row>')
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>'
        + "".join(body)
        + "</sheetData></worksheet>"
    ).encode()


def strings_xml(texts: Iterable[str]) -> bytes:
    items = "".join(f"<si><t>{escape(t)}</t></si>" for t in texts)
    return f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">{items}</sst>'.encode()


def workbook(
    sheet: bytes,
    strings: bytes | None = None,
    *,
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        z.writestr(SHEET, sheet)
        if strings is not None:
            z.writestr(STRINGS, strings)
    return buf.getvalue()


def with_declared_size(data: bytes, member: str, size: int) -> bytes:
    """The archive with `member`'s uncompressed size in the central directory (the one readers
    believe) replaced by `size`."""
    name = member.encode()
    at = 0
    while True:
        at = data.index(b"PK\x01\x02", at)
        name_length = struct.unpack("<H", data[at + 28 : at + 30])[0]
        if data[at + 46 : at + 46 + name_length] == name:
            break
        at += 4
    return data[: at + 24] + struct.pack("<I", size) + data[at + 28 :]


def shared_strings_bomb(text_mb: int = 285) -> bytes:
    """A workbook whose sheet is one header row, and whose shared strings expand to `text_mb` MB
    of distinct strings: about 14 MB on disk, a ratio no single-entry check calls a bomb."""
    buf = io.BytesIO()
    header = ["身份证号", "姓名", "课程代码", "完成日期"]
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>'
        + '<row r="1">'
        + "".join(f'<c r="{chr(65 + i)}1" t="s"><v>{i}</v></c>' for i in range(len(header)))
        + '</row><row r="2"><c r="A2" t="s"><v>5</v></c><c r="B2" t="s"><v>4</v></c>'
        + '<c r="C2" t="s"><v>6</v></c><c r="D2" t="inlineStr"><is><t>2026-03-01</t></is></c>'
        + "</row></sheetData></worksheet>"
    ).encode()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        z.writestr(SHEET, sheet)
        with z.open(STRINGS, "w", force_zip64=True) as out:
            out.write(f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">'.encode())
            first = ["身份证号", "姓名", "课程代码", "完成日期", "张三", "110101198506150011"]
            out.write("".join(f"<si><t>{t}</t></si>" for t in first).encode())
            written, i = 0, 0
            filler = "继续教育学时".encode() * 8
            while written < text_mb * 1024 * 1024:
                block = b"".join(
                    b"<si><t>%08x%s</t></si>" % (n * 2654435761 % 2**32, filler)
                    for n in range(i, i + 5000)
                )
                i += 5000
                out.write(block)
                written += len(block)
            out.write(b"</sst>")
    return buf.getvalue()
