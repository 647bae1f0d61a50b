"""Refusals of the planning app: a stable code and a translated message."""

from enum import StrEnum

from xuefen.core.errors import CodedError


class Code(StrEnum):
    FORBIDDEN = "forbidden"
    PLAN_EXISTS = "plan_exists"
    CLASS_LINKED = "class_linked"
    ITEMS_INVALID = "items_invalid"
    SURVEY_NOT_OPEN = "survey_not_open"
    NOT_IN_SURVEY = "not_in_survey"
    ALREADY_ANSWERED = "already_answered"
    ANSWER_INVALID = "answer_invalid"
    POINTS_INVALID = "points_invalid"


class PlanningError(CodedError):
    def __init__(self, code: Code, message: object, *, field: str | None = None) -> None:
        super().__init__(str(code), message, field=field)
