"""Evidence files: the kind is decided by the file's first bytes, never by its name; files are
stored under MEDIA_ROOT/claims/ with a random name and read back only through the scoped view."""

import hashlib
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from xuefen.claims.errors import ClaimError, Code

DEFAULT_MAX_MB = 10
SIGNATURES: tuple[tuple[bytes, str, str, str], ...] = (
    (b"%PDF-", "pdf", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image", "image/png", ".png"),
)


@dataclass(frozen=True)
class Detected:
    kind: str  # pdf | image
    content_type: str
    extension: str


def max_bytes() -> int:
    return int(getattr(settings, "CLAIM_MAX_FILE_MB", DEFAULT_MAX_MB)) * 1024 * 1024


def storage_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "claims"


def detect(head: bytes) -> Detected | None:
    for magic, kind, content_type, extension in SIGNATURES:
        if head.startswith(magic):
            return Detected(kind, content_type, extension)
    return None


def safe_name(name: str, extension: str) -> str:
    """The uploader's name without path or odd characters, ending in the detected extension."""
    stem = Path(name.replace("\\", "/")).name
    stem = re.sub(r"\.[^.]*$", "", stem)
    stem = re.sub(r"[^\w\-. ()（）]+", "_", stem).strip(" ._")[:100] or "evidence"
    return stem + extension


@dataclass(frozen=True)
class Stored:
    detected: Detected
    stored_name: str
    original_name: str
    size: int
    sha256: str


def store(upload: Any, allowed_kinds: list[str]) -> Stored:
    """Checks and writes one uploaded file; ClaimError (nothing kept) if it is not a PDF, JPEG or
    PNG by content, not of a kind the requirement allows, empty, or larger than the limit."""
    limit = max_bytes()
    if getattr(upload, "size", 0) and upload.size > limit:
        raise _too_large(limit)
    chunks = upload.chunks() if hasattr(upload, "chunks") else [upload.read()]
    directory = storage_dir()
    directory.mkdir(parents=True, exist_ok=True)
    stored_name = secrets.token_hex(16)
    path = directory / stored_name
    digest = hashlib.sha256()
    size = 0
    head = b""
    try:
        with path.open("xb") as out:
            for chunk in chunks:
                if len(head) < 16:
                    head += chunk[: 16 - len(head)]
                size += len(chunk)
                if size > limit:
                    raise _too_large(limit)
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise ClaimError(Code.FILE_EMPTY, _("The file is empty."), field="file")
        detected = detect(head)
        if detected is None:
            raise ClaimError(
                Code.FILE_TYPE,
                _("The file is not a PDF, JPEG or PNG (judged by its content, not its name)."),
                field="file",
            )
        if allowed_kinds and detected.kind not in allowed_kinds:
            raise ClaimError(
                Code.FILE_KIND,
                _("This evidence must be %(kinds)s.")
                % {"kinds": " / ".join(_kind_label(k) for k in allowed_kinds)},
                field="file",
            )
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return Stored(
        detected,
        stored_name,
        safe_name(getattr(upload, "name", "") or "", detected.extension),
        size,
        digest.hexdigest(),
    )


def _kind_label(kind: str) -> str:
    return "PDF" if kind == "pdf" else str(_("an image (JPEG or PNG)"))


def _too_large(limit: int) -> ClaimError:
    return ClaimError(
        Code.FILE_TOO_LARGE,
        _("The file is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)},
        field="file",
    )


def path_of(stored_name: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{32}", stored_name):
        raise ClaimError(Code.FILE_NAME, _("Unknown file."))
    return storage_dir() / stored_name


def discard(stored_name: str) -> None:
    path_of(stored_name).unlink(missing_ok=True)


def sweep_orphans(older_than: float, *, dry_run: bool = False) -> list[str]:
    """Removes stored files that no evidence row names and that are older than `older_than`
    seconds: left behind when a caller's transaction rolled back after the file was written (the
    age guard spares uploads whose transaction is still running). Returns the names removed."""
    from xuefen.claims.models import Evidence

    directory = storage_dir()
    if not directory.is_dir():
        return []
    cutoff = time.time() - older_than
    candidates = {
        p.name: p
        for p in directory.iterdir()
        if p.is_file() and re.fullmatch(r"[0-9a-f]{32}", p.name) and p.stat().st_mtime < cutoff
    }
    names = sorted(candidates)
    known: set[str] = set()
    for start in range(0, len(names), 500):
        known.update(
            Evidence.objects.filter(stored_name__in=names[start : start + 500]).values_list(
                "stored_name", flat=True
            )
        )
    removed = sorted(name for name in candidates if name not in known)
    if not dry_run:
        for name in removed:
            candidates[name].unlink(missing_ok=True)
    return removed
