"""The API's refusals: a stable code, a translated message and the HTTP status it answers with."""

from typing import Any

from xuefen.core.errors import CodedError


class ApiError(CodedError):
    def __init__(
        self,
        code: str,
        message: Any,
        *,
        status: int = 422,
        field: str | None = None,
        row: int | None = None,
    ) -> None:
        super().__init__(code, message, field=field)
        self.status = status
        self.row = row
