"""URL cases for the project-wide scoping test: a class of a provider acting at unit A (serving
department D, which holds unit A but not unit B), with person A on its roster, a session, a leave
request and a signed sheet; a teacher of unit A's registry; the course; a questionnaire."""

import datetime as dt
from decimal import Decimal

from tests.training import helpers as h
from xuefen.training import codes
from xuefen.training.models import (
    Enrolment,
    EnrolmentStatus,
    LeaveRequest,
    Route,
    Session,
    SignInSheet,
    Teacher,
    TrainingClass,
)
from xuefen.training.questionnaires import default_questionnaire


def _class(cast):
    found = TrainingClass.objects.filter(code="SCOPEA").first()
    if found is not None:
        return found
    k = h.klass(cast, "SCOPEA")
    k.status = "open"
    k.save(update_fields=["status"])
    Session.objects.create(
        klass=k, date=dt.date(h.YEAR, 1, 20), half="morning", starts_at=dt.time(9),
        ends_at=dt.time(12), hours=Decimal(3), topic="专题",
    )  # fmt: skip
    Enrolment.objects.create(
        klass=k, person=cast.person_a, status=EnrolmentStatus.ENROLLED, route=Route.ASSIGNED
    )
    return k


def _session(cast):
    return _class(cast).sessions.first()


def _leave(cast):
    enrolment = Enrolment.objects.get(klass=_class(cast), person=cast.person_a)
    return LeaveRequest.objects.filter(enrolment=enrolment).first() or LeaveRequest.objects.create(
        enrolment=enrolment, hours=Decimal(3), reason="事假"
    )


def _sheet(cast):
    session = _session(cast)
    return SignInSheet.objects.filter(session=session).first() or SignInSheet.objects.create(
        session=session, stored_name="0" * 32, original_name="签到表.pdf",
        content_type="application/pdf", size=1, sha256="0" * 64,
    )  # fmt: skip


def _teacher(cast):
    return Teacher.objects.filter(name="甲单位教师").first() or Teacher.objects.create(
        node=cast.unit_a, kind=Teacher.Kind.PART_TIME, name="甲单位教师"
    )


def _class_id(cast):
    return {"class_id": _class(cast).pk}


CASES = {
    "training:menu": lambda cast: None,
    "training:mine": lambda cast: None,
    "training:sign_up": _class_id,
    "training:wait_list": _class_id,
    "training:withdraw": _class_id,
    "training:leave": _class_id,
    "training:evaluate": _class_id,
    "training:follow_up": _class_id,
    "training:checkin": lambda cast: {"token": codes.make(_session(cast).pk, codes.IN)},
    "training:classes": lambda cast: None,
    "training:class_new": lambda cast: None,
    "training:class_detail": _class_id,
    "training:class_edit": _class_id,
    "training:class_step": _class_id,
    "training:session_new": _class_id,
    "training:quotas": _class_id,
    "training:roster": _class_id,
    "training:assign": _class_id,
    "training:nominate": _class_id,
    "training:take_off": lambda cast: {"class_id": _class(cast).pk, "person_id": cast.person_a.pk},
    "training:scores": _class_id,
    "training:report": _class_id,
    "training:leave_decide": lambda cast: {"leave_id": _leave(cast).pk},
    "training:session_detail": lambda cast: {"session_id": _session(cast).pk},
    "training:session_edit": lambda cast: {"session_id": _session(cast).pk},
    "training:screen": lambda cast: {"session_id": _session(cast).pk},
    "training:screen_code": lambda cast: {"session_id": _session(cast).pk},
    "training:correct": lambda cast: {"session_id": _session(cast).pk},
    "training:sheet_pdf": lambda cast: {"session_id": _session(cast).pk},
    "training:sheet_upload": lambda cast: {"session_id": _session(cast).pk},
    "training:sheet_file": lambda cast: {"sheet_id": _sheet(cast).pk},
    "training:peer_review": lambda cast: {"session_id": _session(cast).pk},
    "training:teachers": lambda cast: None,
    "training:archive": lambda cast: None,
    "training:teacher_new": lambda cast: None,
    "training:teacher_detail": lambda cast: {"teacher_id": _teacher(cast).pk},
    "training:teacher_edit": lambda cast: {"teacher_id": _teacher(cast).pk},
    "training:teaching": lambda cast: None,
    "training:courses": lambda cast: None,
    "training:course_menu": lambda cast: {"course_id": _class(cast).course_id},
    "training:questionnaires": lambda cast: None,
    "training:questionnaire_edit": lambda cast: {
        "questionnaire_id": default_questionnaire("evaluation").pk
    },
}

# lena, a learner served by the class, signs herself up.
WRITERS = {"training:sign_up": {"lena"}}
