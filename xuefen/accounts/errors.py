"""Refusals of the accounts app: a stable code (the enum below, carrying the HTTP status it
answers with); each refusal carries it beside a translated message."""

from xuefen.core.errors import ErrorCode


class Code(ErrorCode):
    ALREADY_DECIDED = "already_decided", 409
    FORBIDDEN = "forbidden", 403
    FOUR_EYES = "four_eyes", 403
    OWN_ACCOUNT = "own_account", 403
    OWN_PERSON = "own_person", 403
    PERSON_LEFT = "person_left"
    SEPARATION_OF_DUTIES = "separation_of_duties"
    TOO_MANY_LETTERS = "too_many_letters"
    UNKNOWN_ROLE = "unknown_role"
    USERNAME_IS_ID_NUMBER = "username_is_id_number"
    USERNAME_TAKEN = "username_taken"
