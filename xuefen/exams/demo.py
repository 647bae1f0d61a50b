"""Exams for the demo county: the credit office's question bank (two subjects, every question
type), a fixed paper and a paper drawn by rule; the 2026 annual unified exam, sat by 30 people
(the demo learner among them) who checked in with a photo the office confirmed, answered, were
graded by hand on the short answer, and whose passes are credited through the ledger's one writer;
the make-up exam for those who failed, scheduled for next week; and a practice session open today
with the demo learner on a seat, to try the check-in with a camera.

Everything goes through the actions, as on the pages; the photos are the shipped sample face
(fixtures/face.jpg, see its README). Seeded: the same county on every machine."""

import datetime as dt
import random
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils import timezone

from xuefen.accounts.models import User
from xuefen.core.actors import SYSTEM
from xuefen.exams import actions, codes
from xuefen.exams.models import Answer, AttemptStatus, Exam, ExamKind, Question, QuestionKind
from xuefen.orgs.models import Person

SEED = 20261203
FACE = Path(__file__).resolve().parent / "fixtures" / "face.jpg"
CANDIDATES = 30

# (subject, kind, text, options, answer, points)
BANK: list[tuple[str, str, str, list[str], Any, int]] = [
    ("党纪法规", QuestionKind.SINGLE, "《中国共产党纪律处分条例》规定的纪律处分种类有几种？",
     ["三种", "四种", "五种", "六种"], [2], 10),
    ("党纪法规", QuestionKind.SINGLE,
     "干部教育培训工作条例规定，脱产培训期间累计请假原则上不得超过总学时的多少？",
     ["1/5", "1/7", "1/10", "1/3"], [1], 10),
    ("党纪法规", QuestionKind.MULTIPLE, "以下哪些属于党的纪律？",
     ["政治纪律", "组织纪律", "廉洁纪律", "考勤纪律"], [0, 1, 2], 15),
    ("党纪法规", QuestionKind.TRUE_FALSE,
     "乡科级及以下干部每年参加集中培训累计不少于12天或者90学时。",
     [], True, 10),
    ("党纪法规", QuestionKind.TRUE_FALSE, "网络培训学时可以代替年度集中培训学时。", [], False, 10),
    ("公共管理", QuestionKind.SINGLE, "“放管服”改革中的“服”指的是什么？",
     ["服从", "优化服务", "服务外包", "服务收费"], [1], 10),
    ("公共管理", QuestionKind.MULTIPLE, "基层治理现代化的主要方面包括：",
     ["自治", "法治", "德治", "人治"], [0, 1, 2], 15),
    ("公共管理", QuestionKind.TRUE_FALSE, "政府信息以公开为常态、不公开为例外。", [], True, 10),
    ("公共管理", QuestionKind.SHORT, "结合本职工作，简述提高基层治理效能的三条举措。",
     [], "要点：党建引领；网格化管理；数字化平台；群众参与", 20),
    ("公共管理", QuestionKind.SINGLE, "行政复议的申请期限一般为知道具体行政行为之日起多少日内？",
     ["15日", "30日", "60日", "90日"], [2], 10),
]  # fmt: skip


def _bank(office: User, node: Any) -> list[Question]:
    return [
        actions.add_question(office, node, subject=s, kind=k, text=t, options=o, answer=a, points=p)
        for s, k, t, o, a, p in BANK
    ]


def _answers(rng: random.Random, question: Question, skill: float) -> Any:
    """A candidate's answer: right with the candidate's skill, else a plausible wrong one."""
    right = rng.random() < skill
    if question.kind == QuestionKind.TRUE_FALSE:
        return bool(question.answer) if right else not bool(question.answer)
    if question.kind == QuestionKind.SHORT:
        return "加强党建引领，完善网格化管理，推进数字化平台建设。" if right else "做好本职工作。"
    if right:
        return list(question.answer)
    wrong = [i for i in range(len(question.options)) if [i] != question.answer]
    return [rng.choice(wrong)]


def _sit(
    office: User, exam: Exam, people: list[Person], rng: random.Random, face: bytes
) -> tuple[int, int]:
    """Registers, photographs, checks in, admits, answers, hands in and grades everyone."""
    candidates = actions.register_candidates(office, exam, people)
    base = exam.starts_at + dt.timedelta(minutes=5)
    questions = Question.objects.in_bulk([int(i.question_id) for i in exam.paper.items.all()])
    passed = 0
    for n, candidate in enumerate(candidates):
        person = people[n]
        actions.register_photo(office, person, face, exam.node)
        at = base + dt.timedelta(seconds=20 * n)
        checkin = actions.check_in(
            candidate,
            codes.code_for(candidate.pk, exam.pk),
            face,
            address=f"10.20.{n // 200}.{n % 200 + 20}",
            device="Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0 考场机",
            now=at,
        )
        actions.decide_checkin(office, checkin, True, now=at + dt.timedelta(seconds=30))
        candidate.refresh_from_db()
        start = at + dt.timedelta(minutes=1)
        attempt = actions.start_attempt(candidate, now=start)
        skill = rng.uniform(0.3, 0.98)
        for k, item in enumerate(attempt.questions):
            question = questions[int(item["id"])]
            actions.save_answer(
                attempt,
                question.pk,
                _answers(rng, question, skill),
                address=checkin.address,
                device=checkin.device,
                now=start + dt.timedelta(minutes=3 * (k + 1)),
            )
        actions.submit_attempt(
            SYSTEM, attempt, now=start + dt.timedelta(minutes=3 * len(attempt.questions) + 2)
        )
        for answer in Answer.objects.filter(attempt=attempt, points__isnull=True):
            worth = Decimal(
                next(i["points"] for i in attempt.questions if int(i["id"]) == answer.question_id)
            )
            actions.grade_answer(office, answer, (worth * Decimal(skill)).quantize(Decimal(1)))
        attempt.refresh_from_db()
        passed += bool(attempt.passed and attempt.status == AttemptStatus.GRADED)
    return len(candidates), passed


def load(write: Callable[[str], Any]) -> None:
    began = time.perf_counter()
    office = User.objects.filter(username="office").first()
    learner = User.objects.filter(username="learner").select_related("person").first()
    grant = office.grants.select_related("node").first() if office else None
    if office is None or grant is None or learner is None or learner.person is None:
        write("exams: demo office or learner not found; skipped.")
        return
    node = grant.node
    rng = random.Random(SEED)
    face = FACE.read_bytes()
    bank = _bank(office, node)
    fixed = actions.make_paper(office, node, "2026年度统一考试试卷", questions=bank)
    actions.make_paper(
        office,
        node,
        "补考试卷（按规则抽题）",
        rules=[
            {"subject": "党纪法规", "kind": QuestionKind.SINGLE, "count": 2, "points": 20},
            {"subject": "党纪法规", "kind": QuestionKind.TRUE_FALSE, "count": 2, "points": 15},
            {"subject": "公共管理", "kind": QuestionKind.MULTIPLE, "count": 1, "points": 30},
        ],
    )
    now = timezone.now()
    local = timezone.localtime(now)
    day = local.date() - dt.timedelta(days=12)
    opens = timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))
    annual = actions.schedule_exam(
        office,
        node,
        name=f"{day.year}年度干部教育培训统一考试",
        kind=ExamKind.ANNUAL,
        paper=fixed,
        starts_at=opens,
        ends_at=opens + dt.timedelta(hours=2, minutes=30),
        duration_minutes=90,
        seats=60,
        pass_mark=Decimal(60),
        place="县委党校第一考场",
        credit_amount=Decimal(6),
        credit_categories=["required"],
    )
    others = list(
        Person.objects.exclude(pk=learner.person.pk)
        .select_related("unit")
        .order_by("id")[: CANDIDATES * 3 : 3]
    )[: CANDIDATES - 1]
    people = [Person.objects.select_related("unit").get(pk=learner.person.pk), *others]
    sat, passed = _sit(office, annual, people, rng, face)
    make_up_day = local.date() + dt.timedelta(days=7)
    make_up_opens = timezone.make_aware(dt.datetime.combine(make_up_day, dt.time(9, 0)))
    make_up = actions.schedule_exam(
        office,
        node,
        name=f"{day.year}年度统一考试补考",
        kind=ExamKind.MAKE_UP,
        make_up_of=annual,
        paper=fixed,
        starts_at=make_up_opens,
        ends_at=make_up_opens + dt.timedelta(hours=2),
        duration_minutes=90,
        seats=40,
        pass_mark=Decimal(60),
        place="县委党校第二考场",
        credit_amount=Decimal(6),
        credit_categories=["required"],
    )
    failed_ids = actions.make_up_people(make_up)
    failed = list(Person.objects.filter(pk__in=failed_ids).select_related("unit").order_by("id"))
    if failed:
        actions.register_candidates(office, make_up, failed)
    today = timezone.make_aware(dt.datetime.combine(local.date(), dt.time(0, 0)))
    practice = actions.schedule_exam(
        office,
        node,
        name="模拟考试（体验摄像头签到）",
        kind=ExamKind.REGULAR,
        paper=fixed,
        starts_at=today,
        ends_at=today + dt.timedelta(days=1),
        duration_minutes=30,
        seats=10,
        pass_mark=Decimal(60),
        place="线上",
    )
    actions.register_candidates(office, practice, [people[0]])
    write(
        f"exams: {len(bank)} questions, annual exam sat by {sat} ({passed} passed), "
        f"{len(failed)} on the make-up exam ({time.perf_counter() - began:.1f}s)"
    )
