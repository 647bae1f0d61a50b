"""Scans of paper sign-in sheets: recognised by their first bytes (PDF, JPEG, PNG, as claim
evidence is), stored under MEDIA_ROOT/training/ with a random name and served only through the
scoped view."""

import hashlib
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from xuefen.claims.files import detect, safe_name
from xuefen.training.errors import Code, TrainingError


@dataclass(frozen=True)
class Stored:
    stored_name: str
    original_name: str
    content_type: str
    size: int
    sha256: str


def storage_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "training"


def store(upload: Any) -> Stored:
    """Writes one uploaded scan; TrainingError (nothing kept) if it is empty, too large, or not a
    PDF, JPEG or PNG by content."""
    limit = settings.TRAINING_SHEET_MAX_MB * 1024 * 1024
    if upload is None:
        raise TrainingError(Code.FILE_REFUSED, _("Attach the scan of the sheet."), field="file")
    directory = storage_dir()
    directory.mkdir(parents=True, exist_ok=True)
    name = secrets.token_hex(16)
    path = directory / name
    digest, size, head = hashlib.sha256(), 0, b""
    try:
        with path.open("xb") as out:
            for chunk in upload.chunks():
                head += chunk[: max(0, 16 - len(head))]
                size += len(chunk)
                if size > limit:
                    raise TrainingError(
                        Code.FILE_REFUSED,
                        _("The file is larger than %(mb)s MB.")
                        % {"mb": settings.TRAINING_SHEET_MAX_MB},
                        field="file",
                    )
                digest.update(chunk)
                out.write(chunk)
        detected = detect(head) if size else None
        if detected is None:
            raise TrainingError(
                Code.FILE_REFUSED,
                _("The scan must be a PDF, JPEG or PNG file (judged by its content)."),
                field="file",
            )
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    original = safe_name(getattr(upload, "name", "") or "", detected.extension)
    return Stored(name, original, detected.content_type, size, digest.hexdigest())


def path_of(stored_name: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{32}", stored_name):
        raise TrainingError(Code.FILE_REFUSED, _("Unknown file."))
    return storage_dir() / stored_name


def discard(stored_name: str) -> None:
    path_of(stored_name).unlink(missing_ok=True)
