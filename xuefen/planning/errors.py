"""Refusals of the planning app: a stable code and a translated message."""

from xuefen.core.errors import CodedError, ErrorCode


class Code(ErrorCode):
    FORBIDDEN = "forbidden", 403
    PLAN_EXISTS = "plan_exists", 409
    CLASS_LINKED = "class_linked"
    ITEMS_INVALID = "items_invalid"
    SURVEY_NOT_OPEN = "survey_not_open"
    NOT_IN_SURVEY = "not_in_survey"
    ALREADY_ANSWERED = "already_answered", 409
    ANSWER_INVALID = "answer_invalid"
    POINTS_INVALID = "points_invalid"


class PlanningError(CodedError):
    def __init__(self, code: Code, message: object, *, field: str | None = None) -> None:
        super().__init__(code, message, field=field)
