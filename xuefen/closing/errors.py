"""Refusals of closing a year, its notice and objections: a stable code (the enum below, carrying
the HTTP status it answers with) beside a translated message."""

from xuefen.core.errors import CodedError, ErrorCode
from xuefen.ledger.bulk import LedgerError


class Code(ErrorCode):
    ALREADY_CLOSED = "already_closed", 409
    ALREADY_DECIDED = "already_decided", 409
    BAD_PERIOD = "bad_period"
    DECISION_REQUIRED = "decision_required"
    ENTRY_NOT_ON_NOTICE = "entry_not_on_notice"
    ENTRY_REQUIRED = "entry_required"
    FORBIDDEN = "forbidden", 403
    LEDGER_MOVING = "ledger_moving", 409
    NOT_A_REGION = "not_a_region"
    NOT_ON_NOTICE = "not_on_notice"
    OBJECTIONS_OPEN = "objections_open", 409
    OUTSIDE_REGION = "outside_region"
    NOT_RESUMABLE = "not_resumable", 409
    OWN_OBJECTION = "own_objection", 403
    PERIOD_AHEAD = "period_ahead"
    PERIOD_CLOSED = "period_closed", 409
    PERSON_OR_UNIT = "person_or_unit"
    REASON_REQUIRED = "reason_required"
    STILL_OPEN = "still_open", 409
    VALID_UNTIL_PAST = "valid_until_past"
    WINDOW_CLOSED = "window_closed", 409


class ClosingError(CodedError):
    """A step of closing a year, publishing its notice or handling an objection refused."""


class PeriodClosed(LedgerError):
    """A credit dated in a period the office has closed, without its late-report approval."""
