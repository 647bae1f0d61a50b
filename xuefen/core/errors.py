"""Errors are values with codes.

The same stable code reaches the web page, the API and the error file.
"""

from typing import Any


class CodedError(Exception):
    """A refusal with a stable machine code and a translated message naming what is wrong."""

    def __init__(self, code: str, message: Any, *, field: str | None = None) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return str(self.message)


class PermissionDenied(CodedError):
    """The actor may not do this (distinct from Http404, which hides existence)."""
