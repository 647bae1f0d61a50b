from xuefen.core.errors import CodedError
from xuefen.ledger.bulk import LedgerError


class ClosingError(CodedError):
    """A step of closing a year, publishing its notice or handling an objection refused."""


class PeriodClosed(LedgerError):
    """A credit dated in a period the office has closed, without its late-report approval."""
