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
    # a cell a spreadsheet program mangled (core.tabular)
    BAD_DATE = "bad_date"
    NUMBER_MANGLED = "number_mangled"
    # a file refused as a whole (core.tabular)
    CSV_ENCODING = "csv_encoding"
    DUPLICATE_COLUMN = "duplicate_column"
    EMPTY_FILE = "empty_file"
    FILE_DAMAGED = "file_damaged"
    FILE_TOO_LARGE = "file_too_large", 413
    MISSING_COLUMNS = "missing_columns"
    NO_ROWS = "no_rows"
    NOT_SPREADSHEET = "not_spreadsheet"
    OLD_EXCEL = "old_excel"
    TOO_MANY_ROWS = "too_many_rows", 413
    UNKNOWN_COLUMNS = "unknown_columns"
    UNSUPPORTED_TYPE = "unsupported_type"
    XLSX_TOO_LARGE = "xlsx_too_large", 413


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
