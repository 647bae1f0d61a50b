"""Refusals of the intake app: a stable code (the enum below, carrying the HTTP status the API
answers with) and a translated message."""

from xuefen.core.errors import CodedError, ErrorCode


class Code(ErrorCode):
    FORBIDDEN = "forbidden", 403
    PROVIDER_INACTIVE = "provider_inactive", 403
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused", 409
    TOO_MANY_ROWS = "too_many_rows", 413
    ALREADY_SENT = "already_sent"
    AMOUNT_INVALID = "amount_invalid"
    CATEGORIES_EMPTY = "categories_empty"
    CODE_TAKEN = "code_taken"
    DATES_REVERSED = "dates_reversed"
    NOT_RESUMABLE = "not_resumable"
    PAYLOAD_MISSING = "payload_missing"
    ROWS_EMPTY = "rows_empty"
    SOURCE_INVALID = "source_invalid"
    UNIT_INVALID = "unit_invalid"


class IntakeError(CodedError):
    """A provider, course or batch that cannot be accepted as given (stable `code`)."""
