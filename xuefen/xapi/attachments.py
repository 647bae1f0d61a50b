"""Attachments sent with statements (xAPI 1.0.3 Part Three 1.5.2; 2.0 the same): a PUT or POST
of multipart/mixed whose first part is the statements (application/json) and whose other parts
are the attachments' raw data, each with `X-Experience-API-Hash` (its SHA-2 hash, which the LRS
checks against the data) and `Content-Transfer-Encoding: binary` (assumed when absent). Every
attachment without a `fileUrl` must match a part by its `sha2`, and every part must be some
statement's attachment. The data is kept once per platform and hash, and a GET with
`attachments=true` answers in the same multipart form."""

import hashlib
import re
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpRequest, StreamingHttpResponse
from django.utils.translation import gettext as _

from xuefen.xapi.errors import Code, XapiError
from xuefen.xapi.models import Attachment, Client

CHUNK = 64 * 1024
SIGNATURE_USAGE = "http://adlnet.gov/expapi/attachments/signature"
_HASHES = {56: hashlib.sha224, 64: hashlib.sha256, 96: hashlib.sha384, 128: hashlib.sha512}
_TOKEN = re.compile(r"^[0-9A-Za-z'()+_,\-./:=? ]{1,70}$")


@dataclass(frozen=True)
class Part:
    content_type: str
    data: bytes


def storage_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "xapi"


def max_bytes() -> int:
    return settings.XAPI_MAX_REQUEST_MB * 1024 * 1024


def too_large() -> XapiError:
    return XapiError(
        Code.ATTACHMENT_TOO_LARGE,
        _(
            "The request is larger than %(mb)d MB (statements and attachments together); "
            "send fewer statements or smaller attachments per request."
        )
        % {"mb": settings.XAPI_MAX_REQUEST_MB},
        field="body",
    )


def _malformed(message: str, field: str = "body") -> XapiError:
    return XapiError(Code.MULTIPART, message, field=field)


def read_body(request: HttpRequest) -> bytes:
    """The raw body, refused with 413 beyond the setting (before it is read when the request
    says its length)."""
    limit = max_bytes()
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise too_large()
    # a request the alternate syntax stands for carries its body already
    data = request._body if hasattr(request, "_body") else request.read(limit + 1)
    if len(data) > limit:
        raise too_large()
    return data


def _headers(block: bytes) -> dict[str, str]:
    headers: dict[str, str] = {}
    for line in block.split(b"\r\n"):
        if not line.strip():
            continue
        name, sep, value = line.partition(b":")
        if not sep:
            raise _malformed(_("A part's header line has no colon."))
        headers[name.decode("latin-1").strip().lower()] = value.decode("latin-1").strip()
    return headers


def split(body: bytes, boundary: str) -> list[tuple[dict[str, str], bytes]]:
    """The parts of a multipart body (RFC 2046): (headers by lower-case name, raw data)."""
    if not boundary or not _TOKEN.match(boundary):
        raise _malformed(_("The multipart boundary is missing or invalid."), "Content-Type")
    delimiter = b"\r\n--" + boundary.encode("latin-1")
    segments = (b"\r\n" + body).split(delimiter)
    # segments[0] is the preamble; the close delimiter's segment starts with "--".
    if len(segments) < 3 or not segments[-1].startswith(b"--"):
        raise _malformed(_("The multipart body is not closed by its boundary."))
    parts = []
    for segment in segments[1:-1]:
        segment = segment.lstrip(b" \t")
        if not segment.startswith(b"\r\n"):
            raise _malformed(_("A multipart boundary line is malformed."))
        rest = segment[2:]
        if rest.startswith(b"\r\n"):
            head, data = b"", rest[2:]
        else:
            head, sep, data = rest.partition(b"\r\n\r\n")
            if not sep:
                raise _malformed(_("A part has no blank line after its headers."))
        parts.append((_headers(head), data))
    return parts


def parse(body: bytes, boundary: str) -> tuple[bytes, dict[str, Part]]:
    """The statements' JSON (the first part) and the attachment parts by their hash, each
    checked against its `X-Experience-API-Hash`."""
    parts = split(body, boundary)
    if not parts:
        raise _malformed(_("The multipart body holds no statements."))
    first_headers, statements = parts[0]
    first_type = first_headers.get("content-type", "").split(";")[0].strip().lower()
    if first_type != "application/json":
        raise _malformed(
            _("The first part holds the statements, as application/json."), "Content-Type"
        )
    found: dict[str, Part] = {}
    for number, (headers, data) in enumerate(parts[1:], start=1):
        where = f"part[{number}]"
        digest = headers.get("x-experience-api-hash", "").strip().lower()
        if not digest:
            raise XapiError(
                Code.ATTACHMENT_HEADER,
                _("Every attachment part carries the header X-Experience-API-Hash."),
                field=f"{where}.X-Experience-API-Hash",
            )
        encoding = headers.get("content-transfer-encoding", "binary").strip().lower()
        if encoding != "binary":
            raise XapiError(
                Code.ATTACHMENT_HEADER,
                _("An attachment part's Content-Transfer-Encoding must be binary."),
                field=f"{where}.Content-Transfer-Encoding",
            )
        algorithm = _HASHES.get(len(digest))
        if algorithm is None or algorithm(data).hexdigest() != digest:
            raise XapiError(
                Code.ATTACHMENT_HEADER,
                _("The part's data does not match its X-Experience-API-Hash."),
                field=f"{where}.X-Experience-API-Hash",
            )
        content_type = headers.get("content-type", "application/octet-stream")
        found[digest] = Part(content_type[:255], data)
    return statements, found


def declared(statements: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """The attachment objects of statements and of their sub-statements."""
    for data in statements:
        yield from data.get("attachments") or []
        obj = data.get("object")
        if isinstance(obj, dict) and obj.get("objectType") == "SubStatement":
            yield from obj.get("attachments") or []


def match(statements: list[dict[str, Any]], parts: dict[str, Part]) -> None:
    """Refuses (400) a statement whose attachment has neither a fileUrl nor a part with its
    hash, and a part that is no statement's attachment."""
    used: set[str] = set()
    for n, data in enumerate(statements):
        for m, attachment in enumerate(declared([data])):
            sha2 = str(attachment.get("sha2", "")).lower()
            if sha2 in parts:
                used.add(sha2)
            elif "fileUrl" not in attachment:
                raise XapiError(
                    Code.ATTACHMENT_MISSING,
                    _(
                        "The attachment has no fileUrl and no part of the request carries data "
                        "with its sha2."
                    ),
                    field=f"statements[{n}].attachments[{m}].sha2",
                )
    unused = sorted(set(parts) - used)
    if unused:
        raise XapiError(
            Code.ATTACHMENT_UNUSED,
            _("A part of the request is no statement's attachment (hash %(sha2)s).")
            % {"sha2": unused[0]},
            field="X-Experience-API-Hash",
        )


def save(client: Client, parts: dict[str, Part]) -> None:
    """Keeps each part's data once per platform and hash (in the caller's transaction)."""
    if not parts:
        return
    have = set(
        Attachment.objects.filter(client=client, sha2__in=list(parts)).values_list(
            "sha2", flat=True
        )
    )
    directory = storage_dir()
    directory.mkdir(parents=True, exist_ok=True)
    for sha2, part in parts.items():
        if sha2 in have:
            continue
        name = secrets.token_hex(16)
        (directory / name).write_bytes(part.data)
        Attachment.objects.create(
            client=client,
            sha2=sha2,
            content_type=part.content_type,
            length=len(part.data),
            stored_name=name,
        )


def for_statements(client: Client, statements: list[dict[str, Any]]) -> list[Attachment]:
    """The stored data of the statements' attachments, one per hash, in the order met."""
    order: list[str] = []
    for attachment in declared(statements):
        sha2 = str(attachment.get("sha2", "")).lower()
        if sha2 and sha2 not in order:
            order.append(sha2)
    if not order:
        return []
    found = {a.sha2: a for a in Attachment.objects.filter(client=client, sha2__in=order)}
    return [found[s] for s in order if s in found]


def _file_chunks(attachment: Attachment) -> Iterator[bytes]:
    with (storage_dir() / attachment.stored_name).open("rb") as handle:
        while data := handle.read(CHUNK):
            yield data


def _stream(boundary: bytes, body: bytes, attached: list[Attachment]) -> Iterator[bytes]:
    yield b"--" + boundary + b"\r\nContent-Type: application/json; charset=utf-8\r\n\r\n"
    yield body
    for attachment in attached:
        yield (
            b"\r\n--"
            + boundary
            + b"\r\nContent-Type: "
            + attachment.content_type.encode("latin-1", "replace")
            + b"\r\nContent-Transfer-Encoding: binary\r\nX-Experience-API-Hash: "
            + attachment.sha2.encode("ascii")
            + b"\r\n\r\n"
        )
        yield from _file_chunks(attachment)
    yield b"\r\n--" + boundary + b"--\r\n"


def response(body: str, attached: list[Attachment]) -> StreamingHttpResponse:
    """The statements' JSON and their attachments as multipart/mixed, the files streamed."""
    boundary = secrets.token_hex(16)
    return StreamingHttpResponse(
        _stream(boundary.encode("ascii"), body.encode("utf-8"), attached),
        content_type=f"multipart/mixed; boundary={boundary}",
    )
