"""The API's refusals: a stable code (the enum below, carrying the HTTP status it answers with), a
translated message, and where it applies the field and the batch row at fault."""

from typing import Any

from xuefen.core.errors import CodedError, ErrorCode


class Code(ErrorCode):
    # no usable token (401)
    NOT_AUTHENTICATED = "not_authenticated", 401
    INVALID_TOKEN = "invalid_token", 401
    TOKEN_REVOKED = "token_revoked", 401
    TOKEN_EXPIRED = "token_expired", 401
    # the token (or the person managing tokens) may not do this (403)
    FORBIDDEN = "forbidden", 403
    INSUFFICIENT_SCOPE = "insufficient_scope", 403
    PROVIDER_INACTIVE = "provider_inactive", 403
    CREDITS_SCOPE_OFFICE_ONLY = "credits_scope_office_only", 403
    # the request as sent cannot be taken
    TOO_MANY_ROWS = "too_many_rows", 413
    INVALID_IDEMPOTENCY_KEY = "invalid_idempotency_key"
    INVALID_SCOPE = "invalid_scope"
    NAME_REQUIRED = "name_required"
    EXPIRY_IN_PAST = "expiry_in_past"


class ApiError(CodedError):
    def __init__(
        self, code: Code, message: Any, *, field: str | None = None, row: int | None = None
    ) -> None:
        super().__init__(code, message, field=field)
        self.row = row
