"""Refusals of the org tree and people (and of an ID number): a stable code (the enum below,
carrying the HTTP status it answers with); each refusal carries it beside a translated message."""

from xuefen.core.errors import ErrorCode


class Code(ErrorCode):
    ALREADY_DECIDED = "already_decided", 409
    BIRTH_DATE_MISMATCH = "birth_date_mismatch"
    CHANGED_SINCE_PREVIEW = "changed_since_preview"
    FORBIDDEN = "forbidden", 403
    ID_15_DIGIT = "id_15_digit"
    ID_BIRTH_DATE = "id_birth_date"
    ID_CHARACTERS = "id_characters"
    ID_CHECK_DIGIT = "id_check_digit"
    ID_EMPTY = "id_empty"
    ID_LENGTH = "id_length"
    ID_TAKEN = "id_taken"
    NODE_CODE_TAKEN = "node_code_taken"
    NODE_CYCLE = "node_cycle"
    NOT_A_UNIT = "not_a_unit"
    NOT_READY = "not_ready"
    OWN_PERSON = "own_person", 403
    OWN_REQUEST = "own_request", 403
    SAME_UNIT = "same_unit"
    SEX_MISMATCH = "sex_mismatch"
    UPLOAD_EXPIRED = "upload_expired"
    USE_TRANSFER = "use_transfer"
