"""The exams app's actions: every state change of the bank, sessions, check-ins and attempts."""

from xuefen.exams.actions.attempts import (
    grade_answer,
    remaining_seconds,
    save_answer,
    start_attempt,
    submit_attempt,
    touch,
)
from xuefen.exams.actions.bank import (
    add_question,
    edit_paper,
    edit_question,
    make_paper,
    preview_paper,
)
from xuefen.exams.actions.identity import check_in, decide_checkin, unlock_checkin
from xuefen.exams.actions.sessions import (
    make_up_people,
    register_candidates,
    register_photo,
    schedule_exam,
)

__all__ = [
    "add_question",
    "check_in",
    "decide_checkin",
    "edit_paper",
    "edit_question",
    "grade_answer",
    "make_paper",
    "make_up_people",
    "preview_paper",
    "register_candidates",
    "register_photo",
    "remaining_seconds",
    "save_answer",
    "schedule_exam",
    "start_attempt",
    "submit_attempt",
    "touch",
    "unlock_checkin",
]
