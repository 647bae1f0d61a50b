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


class ElearningError(CodedError):
    """An online-learning request that cannot be done as asked."""
