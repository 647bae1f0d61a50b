"""State changes of the training app. Each is a function taking its actor first, running in one
transaction, checking the actor's capability itself and writing its audit record."""

from xuefen.training.actions.attendance import check, correct, record_sheet, window
from xuefen.training.actions.classes import (
    add_session,
    change_status,
    create_class,
    remove_session,
    set_quotas,
    update_class,
    update_session,
)
from xuefen.training.actions.completion import complete_class
from xuefen.training.actions.feedback import respond, review_peer
from xuefen.training.actions.registry import (
    create_teacher,
    set_course_menu,
    update_questionnaire,
    update_teacher,
)
from xuefen.training.actions.roster import (
    assign,
    decide_leave,
    join_wait_list,
    nominate,
    request_leave,
    set_test_scores,
    sign_up,
    withdraw,
)

__all__ = [
    "add_session",
    "assign",
    "change_status",
    "check",
    "complete_class",
    "correct",
    "create_class",
    "create_teacher",
    "decide_leave",
    "join_wait_list",
    "nominate",
    "record_sheet",
    "remove_session",
    "request_leave",
    "respond",
    "review_peer",
    "set_course_menu",
    "set_quotas",
    "set_test_scores",
    "sign_up",
    "update_class",
    "update_questionnaire",
    "update_session",
    "update_teacher",
    "window",
    "withdraw",
]
