"""Refusals of the ledger's actions (posting, reversing, exemptions, spans): a stable code (the
enum below, carrying the HTTP status it answers with); each refusal carries it beside a
translated message."""

from xuefen.core.errors import ErrorCode


class Code(ErrorCode):
    ALREADY_DECIDED = "already_decided", 409
    ALREADY_REVERSED = "already_reversed", 409
    AMOUNT_INVALID = "amount_invalid"
    AMOUNT_TOO_LARGE = "amount_too_large"
    AMOUNT_ZERO = "amount_zero"
    BAD_KIND = "bad_kind"
    BAD_MONTHS = "bad_months"
    BAD_PERIOD = "bad_period"
    BAD_RATIO = "bad_ratio"
    CATEGORIES_EMPTY = "categories_empty"
    CATEGORY_INVALID = "category_invalid"
    DAYS_EXCEED_SPAN = "days_exceed_span"
    DAYS_INVALID = "days_invalid"
    DAY_FUTURE = "day_future"
    DAY_INVALID = "day_invalid"
    EVIDENCE_REQUIRED = "evidence_required"
    FIELD_TOO_LONG = "field_too_long"
    FORBIDDEN = "forbidden", 403
    MONTHS_OR_RATIO = "months_or_ratio"
    NOTE_REQUIRED = "note_required"
    OWN_PERSON = "own_person", 403
    OWN_RECORD = "own_record", 403
    PERSON_UNKNOWN = "person_unknown"
    REASON_MISSING = "reason_missing"
    REASON_REQUIRED = "reason_required"
    REVERSAL_OF_REVERSAL = "reversal_of_reversal"
    SOURCE_MISSING = "source_missing"
    SPAN_CROSSES_PERIODS = "span_crosses_periods"
    SPAN_REVERSED = "span_reversed"
    UNIT_INVALID = "unit_invalid"
