"""Refusals of the ledger's actions (posting, reversing, exemptions, spans): a stable code (the
enum below, carrying the HTTP status it answers with); each refusal carries it beside a
translated message."""

from xuefen.core.errors import ErrorCode


class Code(ErrorCode):
    ALREADY_DECIDED = "already_decided", 409
    ALREADY_REVERSED = "already_reversed", 409
    BAD_KIND = "bad_kind"
    BAD_MONTHS = "bad_months"
    BAD_PERIOD = "bad_period"
    BAD_RATIO = "bad_ratio"
    DAYS_EXCEED_SPAN = "days_exceed_span"
    DAYS_INVALID = "days_invalid"
    EVIDENCE_REQUIRED = "evidence_required"
    FORBIDDEN = "forbidden", 403
    MONTHS_OR_RATIO = "months_or_ratio"
    NOTE_REQUIRED = "note_required"
    OWN_PERSON = "own_person", 403
    OWN_RECORD = "own_record", 403
    REASON_MISSING = "reason_missing"
    REASON_REQUIRED = "reason_required"
    REVERSAL_OF_REVERSAL = "reversal_of_reversal"
    SPAN_CROSSES_PERIODS = "span_crosses_periods"
    SPAN_REVERSED = "span_reversed"
