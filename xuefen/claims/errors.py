"""Refusals of the claims app: a stable code (the enum below, carrying the HTTP status it answers
with) and a translated message."""

from xuefen.core.errors import CodedError, ErrorCode


class Code(ErrorCode):
    AMOUNT_INVALID = "amount_invalid"
    COMMENT_EMPTY = "comment_empty"
    COMMENT_NOT_ALLOWED = "comment_not_allowed", 403
    AMOUNT_NEEDED = "amount_needed"
    AMOUNT_ZERO = "amount_zero"
    CLAIMTYPE_INVALID = "claimtype_invalid"
    CLAIMTYPE_YAML = "claimtype_yaml"
    DATE_FUTURE = "date_future"
    DATES_ORDER = "dates_order"
    DAYS_MISSING = "days_missing"
    EVIDENCE_UNKNOWN = "evidence_unknown"
    FIELD_REQUIRED = "field_required"
    FILE_EMPTY = "file_empty"
    FILE_KIND = "file_kind"
    FILE_NAME = "file_name"
    FILE_TOO_LARGE = "file_too_large"
    FILE_TYPE = "file_type"
    NOT_ALLOWED = "not_allowed", 403
    NOT_EDITABLE = "not_editable"
    OWN_CLAIM = "own_claim", 403
    REASON_MISSING = "reason_missing"
    SAME_REVIEWER = "same_reviewer", 403
    SPOT_DECIDED = "spot_decided", 409
    STEP_NOT_ALLOWED = "step_not_allowed"
    TYPE_INACTIVE = "type_inactive"


class ClaimError(CodedError):
    """A claim, file or claim type that cannot be accepted as given."""


class TransitionError(ClaimError):
    """A workflow step the transition table does not allow from the claim's status, or that this
    actor may not take (their own claim)."""
