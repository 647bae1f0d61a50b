"""Refusals of the archive app: a stable code (the enum below, carrying the HTTP status it answers
with) and a translated message."""

from xuefen.core.errors import CodedError, ErrorCode


class Code(ErrorCode):
    FORBIDDEN = "forbidden", 403
    ALREADY_PULLED = "already_pulled", 409
    NOT_TRANSFERRED_IN = "not_transferred_in"
    NOT_A_UNIT = "not_a_unit"
    KIND_INVALID = "kind_invalid"
    PERIOD_INVALID = "period_invalid"
    NOBODY_TO_PRINT = "nobody_to_print"
    NOT_RESUMABLE = "not_resumable", 409
    KEEPS_STOPPING = "keeps_stopping"
    INTERRUPTED = "interrupted"


class ArchiveError(CodedError):
    """An archive pull or a bulk print that cannot be done as asked."""
