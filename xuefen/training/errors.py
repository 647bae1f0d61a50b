"""Refusals of the training app: a stable code (the enum below, carrying the HTTP status it
answers with) and a translated message."""

from xuefen.core.errors import CodedError, ErrorCode


class Code(ErrorCode):
    FORBIDDEN = "forbidden", 403
    BAD_INPUT = "bad_input"
    # classes and sessions
    STEP_NOT_ALLOWED = "step_not_allowed"
    CODE_TAKEN = "code_taken"
    SESSION_CLASH = "session_clash"
    SESSION_TIMES = "session_times"
    SPAN_CROSSES_PERIODS = "span_crosses_periods"
    DAYS_INVALID = "days_invalid"
    RULE_INVALID = "rule_invalid"
    NOT_FINISHED = "not_finished"
    NO_SESSIONS = "no_sessions"
    CLASS_STARTED = "class_started"
    # the roster
    NOT_OPEN = "not_open"
    SIGNUP_CLOSED = "signup_closed"
    NOT_FOR_YOU = "not_for_you", 403
    NOT_SERVED = "not_served"
    CLASS_FULL = "class_full"
    QUOTA_FULL = "quota_full"
    NOT_IN_QUOTA = "not_in_quota"
    NOT_FULL = "not_full"
    ALREADY_ENROLLED = "already_enrolled"
    NOT_ENROLLED = "not_enrolled"
    NO_SEATS_FOR_ALL = "no_seats_for_all"
    PERSON_OUT_OF_SCOPE = "person_out_of_scope", 403
    # leave
    LEAVE_SESSIONS = "leave_sessions"
    LEAVE_OVERLAP = "leave_overlap"
    ALREADY_DECIDED = "already_decided"
    REASON_REQUIRED = "reason_required"
    # attendance
    CODE_INVALID = "code_invalid"
    CODE_EXPIRED = "code_expired"
    OUTSIDE_WINDOW = "outside_window"
    NOT_ON_ROSTER = "not_on_roster"
    CLASS_NOT_RUNNING = "class_not_running"
    ALREADY_CHECKED_IN = "already_checked_in"
    ALREADY_CHECKED_OUT = "already_checked_out"
    NOT_CHECKED_IN = "not_checked_in"
    OTHER_DEVICE = "other_device"
    DEVICE_USED = "device_used"
    NO_DEVICE = "no_device"
    MARKED_BY_ADMIN = "marked_by_admin"
    FILE_REFUSED = "file_refused"
    # evaluation
    NOT_YET = "not_yet"
    ALREADY_ANSWERED = "already_answered"
    ANSWER_MISSING = "answer_missing"
    OWN_SESSION = "own_session"
    NOT_A_TEACHER = "not_a_teacher"
    ALREADY_REVIEWED = "already_reviewed"
    ITEMS_INVALID = "items_invalid"


class TrainingError(CodedError):
    """A class, roster, attendance or evaluation step that cannot be taken as asked."""

    def __init__(self, code: Code, message: object, *, field: str | None = None) -> None:
        super().__init__(code, message, field=field)
