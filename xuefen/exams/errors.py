"""Refusals of the exams app: a stable code (the enum below, carrying the HTTP status it answers
with) and a translated message."""

from xuefen.core.errors import CodedError, ErrorCode


class Code(ErrorCode):
    FORBIDDEN = "forbidden", 403
    BAD_INPUT = "bad_input"
    # the bank and papers
    QUESTION_INVALID = "question_invalid"
    NOT_ENOUGH_QUESTIONS = "not_enough_questions"
    IMPORT_ROWS = "import_rows"
    # sessions and candidates
    EXAM_TIMES = "exam_times"
    NO_SEATS = "no_seats"
    ALREADY_REGISTERED = "already_registered"
    NOT_A_MAKE_UP = "not_a_make_up"
    # identity
    PHOTO_INVALID = "photo_invalid"
    NO_FACE = "no_face"
    MANY_FACES = "many_faces"
    NO_REGISTERED_PHOTO = "no_registered_photo"
    CODE_INVALID = "code_invalid"
    CODE_USED = "code_used"
    CHECKIN_LOCKED = "checkin_locked", 423
    NOT_LOCKED = "not_locked"
    ALREADY_DECIDED = "already_decided"
    NOT_ADMITTED = "not_admitted"
    # attempts
    NOT_OPEN = "not_open"
    OTHER_ATTEMPT_OPEN = "other_attempt_open"
    ALREADY_TAKEN = "already_taken"
    TIME_UP = "time_up"
    NOT_IN_PAPER = "not_in_paper"
    ANSWER_INVALID = "answer_invalid"
    NOT_SHORT_ANSWER = "not_short_answer"
    POINTS_INVALID = "points_invalid"


class ExamError(CodedError):
    """An exam step that cannot be taken as asked."""

    def __init__(self, code: Code, message: object, *, field: str | None = None) -> None:
        super().__init__(code, message, field=field)
