"""The text cells of an fpdf2 PDF, each stream read by its declared /Length (the shared reader in
tests/reports/pdftext.py finds a stream's end by searching for "endstream", which a compressed
stream ending in a carriage return defeats now and then)."""

import re
import zlib

from tests.reports import pdftext

_STREAM = re.compile(rb"/Length (\d+)\s*>>\s*stream\r?\n", re.S)


def _streams(data: bytes) -> list[bytes]:
    found = []
    for match in _STREAM.finditer(data):
        raw = data[match.end() : match.end() + int(match.group(1))]
        try:
            found.append(zlib.decompress(raw))
        except zlib.error:
            found.append(raw)
    return found


def pdf_text(data: bytes) -> str:
    """Every text cell of the PDF, one a line, decoded through the ToUnicode map that knows all
    its glyphs (as tests/reports/pdftext.py does)."""
    streams = _streams(data)
    maps = [
        {
            int(src, 16): bytes.fromhex(dst.decode()).decode("utf-16-be")
            for src, dst in re.findall(rb"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]+)>", stream)
        }
        for stream in streams
        if b"beginbfchar" in stream
    ]
    text = []
    for stream in streams:
        for literal in re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", stream, re.S):
            raw = pdftext._unescape(literal)
            codes = [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw) - 1, 2)]
            for mapping in maps:
                if codes and all(c in mapping for c in codes):
                    text.append("".join(mapping[c] for c in codes) + "\n")
    return "".join(text)
