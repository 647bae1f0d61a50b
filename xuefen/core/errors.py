"""Errors are values with codes.

Each app lists its refusals as an `ErrorCode` enum in its `errors.py`; a member carries the HTTP
status the API answers with, so no code string is compared anywhere to pick one. The same stable
code reaches the web page, the API and the error file, always beside its translated message.
"""

from enum import StrEnum
from typing import Any, Self


class ErrorCode(StrEnum):
    """A stable machine code and the HTTP status it answers with (422 unless given):
    `FORBIDDEN = "forbidden", 403`."""

    status: int

    def __new__(cls, value: str, status: int = 422) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.status = status
        return member


class CoreCode(ErrorCode):
    FORBIDDEN = "forbidden", 403
    NOT_FOUND = "not_found", 404


class CodedError(Exception):
    """A refusal with a stable machine code and a translated message naming what is wrong."""

    def __init__(self, code: ErrorCode | str, message: Any, *, field: str | None = None) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.field = field

    @property
    def status(self) -> int:
        """The HTTP status the API answers with."""
        return self.code.status if isinstance(self.code, ErrorCode) else 422

    def __str__(self) -> str:
        return str(self.message)


class PermissionDenied(CodedError):
    """The actor may not do this (distinct from Http404, which hides existence): always 403."""

    @property
    def status(self) -> int:
        return 403
