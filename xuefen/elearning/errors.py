"""Refusals of the online learning app: a stable code and a translated message."""

from enum import StrEnum

from xuefen.core.errors import CodedError


class Code(StrEnum):
    BAD_INPUT = "bad_input"
    FILE_REFUSED = "file_refused"
    CODE_TAKEN = "code_taken"
    NOT_A_LEARNER = "not_a_learner"
    NOT_PUBLISHED = "not_published"
    NOT_IN_COURSE = "not_in_course"
    EMPTY_COURSE = "empty_course"
    NO_TEST = "no_test"
    NO_ATTEMPTS_LEFT = "no_attempts_left"
    ALREADY_PASSED = "already_passed"
    QUESTION_INVALID = "question_invalid"
    RETIRED = "retired"


class ElearningError(CodedError):
    """An online-learning request that cannot be done as asked."""
