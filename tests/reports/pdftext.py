"""The text layer of a PDF, to check what a certificate says: poppler's pdftotext when installed,
else a small reader of fpdf2's output (Flate streams, hex glyph strings and the ToUnicode maps)."""

import re
import shutil
import subprocess
import zlib


def pdf_text(data: bytes) -> str:
    if shutil.which("pdftotext"):
        done = subprocess.run(
            ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
        )
        return done.stdout.decode("utf-8")
    return decode_streams(data)


_STREAM = re.compile(rb"/Length (\d+)\s*>>\s*stream\r?\n", re.S)


def _streams(data: bytes) -> list[bytes]:
    """Each stream read by its declared /Length: searching for "endstream" instead is defeated
    now and then by a compressed stream that ends in a carriage return."""
    out = []
    for match in _STREAM.finditer(data):
        raw = data[match.end() : match.end() + int(match.group(1))]
        try:
            out.append(zlib.decompress(raw))
        except zlib.error:
            out.append(raw)
    return out


_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _unescape(raw: bytes) -> bytes:
    def one(match: re.Match[bytes]) -> bytes:
        body = match.group(1)
        if body[:1].isdigit():
            return bytes([int(body, 8) & 0xFF])
        return _ESCAPES.get(body, body)

    return re.sub(rb"\\([0-7]{1,3}|.)", one, raw, flags=re.S)


def decode_streams(data: bytes) -> str:
    """Every glyph string of the content streams, decoded through each ToUnicode map in turn
    (fpdf2 numbers each subset font's glyphs from 1, so without following the font resources a
    string is decoded by every map that knows all its codes; the right reading is among them)."""
    streams = _streams(data)
    maps: list[dict[int, str]] = []
    for stream in streams:
        if b"beginbfchar" not in stream:
            continue
        mapping: dict[int, str] = {}
        for src, dst in re.findall(rb"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]+)>", stream):
            mapping[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
        maps.append(mapping)
    text = []
    for stream in streams:
        for literal in re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", stream, re.S):
            raw = _unescape(literal)
            codes = [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw) - 1, 2)]
            for mapping in maps:
                if codes and all(c in mapping for c in codes):
                    text.append("".join(mapping[c] for c in codes) + "\n")
    return "".join(text)
