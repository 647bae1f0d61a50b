"""Refusals of the online learning app: a stable code (the enum below) carrying the HTTP status a
JSON answer has, and a translated message naming what is wrong. A refused playback event is
answered with its refusal (reasons.Refusal: recorded, with its label) rather than these."""

from typing import Any

from xuefen.core.errors import CodedError, ErrorCode


class Code(ErrorCode):
    BAD_INPUT = "bad_input"
    FILE_REFUSED = "file_refused"
    CODE_TAKEN = "code_taken", 409
    NOT_A_LEARNER = "not_a_learner", 403
    NOT_PUBLISHED = "not_published", 409
    NOT_IN_COURSE = "not_in_course", 404
    EMPTY_COURSE = "empty_course"
    NO_TEST = "no_test", 404
    NO_ATTEMPTS_LEFT = "no_attempts_left", 409
    ALREADY_PASSED = "already_passed", 409
    QUESTION_INVALID = "question_invalid"
    # a playback event that is not one: too large, or not a JSON object naming its session
    EVENT_TOO_LARGE = "too_large", 413
    EVENT_MALFORMED = "malformed", 400


class ElearningError(CodedError):
    """An online-learning request that cannot be done as asked."""

    def __init__(self, code: Code, message: Any, *, field: str | None = None) -> None:
        super().__init__(code, message, field=field)
