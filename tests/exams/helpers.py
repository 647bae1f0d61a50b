"""A small exam for the fixed cast: the credit office (carol, on region R) keeps a bank of four
questions (one of each type) and a fixed paper, and schedules a session open now; lena (a learner
of unit A) and person A are candidates with registered photos."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import cv2
import numpy as np
from django.utils import timezone

from xuefen.exams import actions
from xuefen.exams.models import Exam, ExamKind, Question, QuestionKind

FACE = Path(__file__).resolve().parents[2] / "xuefen" / "exams" / "fixtures" / "face.jpg"


def face() -> bytes:
    return FACE.read_bytes()


def two_faces() -> bytes:
    image = cv2.imread(str(FACE))
    return cv2.imencode(".jpg", np.hstack([image, image]))[1].tobytes()


def no_face() -> bytes:
    gradient = np.tile(np.linspace(0, 255, 320, dtype=np.uint8), (240, 1))
    return cv2.imencode(".png", gradient)[1].tobytes()


def bank(cast) -> list[Question]:
    office = cast.carol
    return [
        actions.add_question(
            office, cast.region, subject="党纪法规", kind=QuestionKind.SINGLE,
            text="单选题", options=["甲", "乙", "丙"], answer=[1], points=20,
        ),
        actions.add_question(
            office, cast.region, subject="党纪法规", kind=QuestionKind.MULTIPLE,
            text="多选题", options=["甲", "乙", "丙", "丁"], answer=[0, 2], points=30,
        ),
        actions.add_question(
            office, cast.region, subject="公共管理", kind=QuestionKind.TRUE_FALSE,
            text="判断题", answer=True, points=20,
        ),
        actions.add_question(
            office, cast.region, subject="公共管理", kind=QuestionKind.SHORT,
            text="简答题", answer="要点", points=30,
        ),
    ]  # fmt: skip


def exam(cast, *, short: bool = True, kind: str = ExamKind.ANNUAL, **extra) -> Exam:
    questions = bank(cast)
    if not short:
        questions = questions[:3]
    paper = actions.make_paper(cast.carol, cast.region, "年度试卷", questions=questions)
    now = timezone.now()
    options = {
        "name": "2026年度统一考试",
        "kind": kind,
        "paper": paper,
        "starts_at": now - dt.timedelta(minutes=30),
        "ends_at": now + dt.timedelta(hours=3),
        "duration_minutes": 60,
        "seats": 10,
        "pass_mark": Decimal(60),
        "credit_amount": Decimal(6),
        "credit_categories": ["required"],
    }
    options.update(extra)
    return actions.schedule_exam(cast.carol, cast.region, **options)


def admitted(cast, exam_obj: Exam, person=None):
    """A candidate registered, photographed, checked in and confirmed by the proctor."""
    from xuefen.exams import codes

    person = person or cast.lena_person
    (candidate,) = actions.register_candidates(cast.carol, exam_obj, [person])
    actions.register_photo(cast.carol, person, face(), exam_obj.node)
    checkin = actions.check_in(candidate, codes.code_for(candidate.pk, exam_obj.pk), face())
    actions.decide_checkin(cast.carol, checkin, True)
    candidate.refresh_from_db()
    return candidate
