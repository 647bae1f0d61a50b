"""Video files: recognised by their first bytes (WebM, MP4), stored under MEDIA_ROOT/elearning/
with a random name, and served only after the application's check — by the application itself
with HTTP range requests, or, when a front web server is configured
(`XUEFEN_ELEARNING_SENDFILE`), by that server through X-Accel-Redirect (nginx) or X-Sendfile
(Apache, lighttpd)."""

import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext_lazy as _

from xuefen.elearning.errors import Code, ElearningError

CHUNK = 64 * 1024
RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


@dataclass(frozen=True)
class Stored:
    stored_name: str
    original_name: str
    content_type: str
    size: int


def storage_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "elearning"


def detect(head: bytes) -> str | None:
    """The video type by content: WebM (EBML header) or MP4 (an `ftyp` box)."""
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm"
    if head[4:8] == b"ftyp":
        return "video/mp4"
    return None


def store(upload: Any) -> Stored:
    """Writes one uploaded video; ElearningError (nothing kept) if it is missing, too large or not
    WebM or MP4 by content."""
    if upload is None:
        raise ElearningError(Code.FILE_REFUSED, _("Attach the video file."), field="file")
    limit = settings.ELEARNING_MAX_VIDEO_MB * 1024 * 1024
    directory = storage_dir()
    directory.mkdir(parents=True, exist_ok=True)
    name = secrets.token_hex(16)
    path = directory / name
    size, head = 0, b""
    try:
        with path.open("xb") as out:
            for chunk in upload.chunks():
                head += chunk[: max(0, 16 - len(head))]
                size += len(chunk)
                if size > limit:
                    raise ElearningError(
                        Code.FILE_REFUSED,
                        _("The file is larger than %(mb)s MB.")
                        % {"mb": settings.ELEARNING_MAX_VIDEO_MB},
                        field="file",
                    )
                out.write(chunk)
        content_type = detect(head)
        if content_type is None:
            raise ElearningError(
                Code.FILE_REFUSED, _("The file is not a WebM or MP4 video."), field="file"
            )
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    original = Path(str(getattr(upload, "name", "") or "video")).name[:200]
    return Stored(name, original, content_type, size)


def store_bytes(data: bytes, original_name: str) -> Stored:
    """Stores a shipped file (the demo's videos) as an upload is stored."""
    content_type = detect(data[:16])
    if content_type is None:
        raise ElearningError(Code.FILE_REFUSED, _("The file is not a WebM or MP4 video."))
    directory = storage_dir()
    directory.mkdir(parents=True, exist_ok=True)
    name = secrets.token_hex(16)
    (directory / name).write_bytes(data)
    return Stored(name, original_name, content_type, len(data))


def _chunks(path: Path, start: int, length: int) -> Iterator[bytes]:
    with path.open("rb") as handle:
        handle.seek(start)
        while length > 0:
            data = handle.read(min(CHUNK, length))
            if not data:
                return
            length -= len(data)
            yield data


def serve(
    request: HttpRequest, stored_name: str, content_type: str
) -> HttpResponse | StreamingHttpResponse:
    """The file, after the caller's permission check: whole (200), a byte range (206), or 416
    for a range outside it; or an empty answer the front web server fills in."""
    path = storage_dir() / stored_name
    mode = settings.ELEARNING_SENDFILE
    if mode == "x-accel-redirect":
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = (
            settings.ELEARNING_ACCEL_PREFIX.rstrip("/") + "/" + stored_name
        )
        return response
    if mode == "x-sendfile":
        response = HttpResponse(content_type=content_type)
        response["X-Sendfile"] = str(path)
        return response
    size = path.stat().st_size
    start, end = 0, size - 1
    status = 200
    match = RANGE.match(request.headers.get("Range", "").strip())
    if match and (match.group(1) or match.group(2)):
        first, last = match.group(1), match.group(2)
        if first:
            start = int(first)
            end = min(int(last), size - 1) if last else size - 1
        else:  # the last N bytes
            start = max(size - int(last), 0)
        if start >= size or start > end:
            refused = HttpResponse(status=416)
            refused["Content-Range"] = f"bytes */{size}"
            return refused
        status = 206
    streamed = StreamingHttpResponse(
        _chunks(path, start, end - start + 1), status=status, content_type=content_type
    )
    streamed["Content-Length"] = str(end - start + 1)
    streamed["Accept-Ranges"] = "bytes"
    if status == 206:
        streamed["Content-Range"] = f"bytes {start}-{end}/{size}"
    return streamed
