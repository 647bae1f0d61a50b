"""A year of classes for the demo county: the party school's (县委党校, DX01) teacher registry with
the demo `teacher` account's entry, its courses on the menu, classes from January to November that
were planned, filled (调训, unit nominations, the demo learner's own sign-up), attended, rated and
completed — each completion crediting its learners and teachers through the ledger's one writer —
a class running today, and classes still open for sign-up.

Planning, the roster, completion and peer review go through the actions, as on the pages.
Attendance and questionnaire answers of people who have no account are written as rows (they
would come from their phones). Seeded: the same county on every machine."""

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from xuefen.accounts.models import User
from xuefen.intake.models import Provider
from xuefen.orgs.models import Person
from xuefen.training import actions, codes
from xuefen.training.actions.feedback import class_teachers
from xuefen.training.models import (
    Attendance,
    ClassStatus,
    Course,
    Enrolment,
    EnrolmentStatus,
    LeaveRequest,
    LeaveStatus,
    PeerReview,
    QuestionnaireKind,
    Response,
    ResponseReceipt,
    Score,
    Session,
    Source,
    Teacher,
    TrainingClass,
)
from xuefen.training.questionnaires import score_items

SEED = 20261202
YEAR = 2026
HALVES = (("morning", (8, 30), (11, 30)), ("afternoon", (14, 30), (17, 30)))
TOPICS = [
    "习近平新时代中国特色社会主义思想概论", "党的二十届三中全会精神解读", "全面从严治党形势与任务",
    "县域经济高质量发展", "乡村振兴战略与实践", "基层治理现代化", "依法行政与法治政府建设",
    "公文写作与调查研究", "应急管理与风险防范", "数字政府建设", "生态文明建设", "干部心理调适",
    "中华优秀传统文化", "群众工作方法", "廉政警示教育", "领导干部作风建设",
]  # fmt: skip

# (name, kind, title, employer, specialties, person unit code or "")
TEACHERS = [
    ("", "full_time", "党史党建教研室副教授", "", "党的建设；党史", "DX01"),
    ("", "full_time", "经济学教研室讲师", "", "县域经济；乡村振兴", "DX01"),
    ("", "full_time", "法学教研室讲师", "", "依法行政；基层治理", "DX01"),
    ("", "leader", "县委组织部副部长", "", "干部工作；作风建设", "ZZB01"),
    ("", "leader", "县财政局局长", "", "财政管理；预算绩效", "CZJ01"),
    ("王建华", "part_time", "市委党校教授", "市委党校", "马克思主义理论；政策解读", ""),
    ("陈丽娟", "part_time", "县人民医院主任医师", "县人民医院", "应急救护；健康管理", ""),
    ("赵志强", "part_time", "退休干部（原县委副书记）", "", "群众工作；调查研究", ""),
    ("孙明远", "expert", "省社科院研究员", "省社会科学院", "数字政府；公共管理", ""),
    ("周文博", "expert", "大学副教授", "省财经大学", "经济形势；风险防范", ""),
]


@dataclass(frozen=True)
class Plan:
    code: str
    name: str
    course: str
    first: dt.date
    days: int
    seats: int
    rule: str
    full_time: bool = True
    units: tuple[str, ...] = ()  # whose people the office assigns (调训)
    categories: tuple[str, ...] = ("township", "general")


_SPRING = ("ZZB01", "RSJ01", "CZJ01", "NYJ01", "CGZ01", "HKZ01")
_AUTUMN = ("RSJ01", "ZJJ01", "JTJ01", "CZJ01", "ZZB01", "SJJ01")
_TOWNS = ("CGZ01", "HKZ01", "LLZ01", "SLX01", "DHX01")
_PLENUM = "学习贯彻党的二十届三中全会精神专题班"
_YOUNG = "县委党校中青年干部培训班"
PLANS = [
    Plan("DX2026-01", f"{_YOUNG}（2026年春季）", "DX-2026-01", dt.date(YEAR, 3, 2), 13, 40,
         "full_time", units=_SPRING),
    Plan("DX2026-02", f"{_PLENUM}（第一期）", "DX-2026-02", dt.date(YEAR, 4, 13), 3, 60,
         "full_time", units=("JTJ01", "SLJ01", "SJJ01", "FGW01", "CZJ01")),
    Plan("DX2026-03", "乡村振兴专题培训班", "DX-2026-03", dt.date(YEAR, 5, 19), 2, 50,
         "part_time", full_time=False, units=("NYJ01", "NYJ02", "LLZ01", "SLX01", "DHX01")),
    Plan("DX2026-04", f"{_PLENUM}（第二期）", "DX-2026-02", dt.date(YEAR, 6, 15), 3, 60,
         "full_time", units=("ZJJ01", "ZRJ01", "MZJ01", "SFJ01", "CZJ01")),
    Plan("DX2026-05", "基层治理能力提升培训班", "DX-2026-02", dt.date(YEAR, 7, 6), 5, 45,
         "full_time_test", units=_TOWNS),
    Plan("DX2026-06", f"{_YOUNG}（2026年秋季）", "DX-2026-01", dt.date(YEAR, 9, 7), 13, 40,
         "full_time", units=_AUTUMN),
    Plan("DX2026-07", f"{_PLENUM}（第三期）", "DX-2026-02", dt.date(YEAR, 10, 19), 3, 60,
         "full_time", units=("ZZB01", "RSJ01", "JYJ01", "WJW01", "CZJ01")),
    Plan("DX2026-08", "乡村振兴专题培训班（第二期）", "DX-2026-03", dt.date(YEAR, 11, 9), 2, 50,
         "part_time", full_time=False, units=("NYJ01", "CGZ01", "HKZ01", "LLZ01")),
]  # fmt: skip


def _day_sessions(
    office: User,
    klass: TrainingClass,
    first: dt.date,
    days: int,
    teachers: list[Teacher],
    rng: random.Random,
) -> None:
    for offset in range(days):
        day = first + dt.timedelta(days=offset)
        for half, start, end in HALVES:
            actions.add_session(
                office,
                klass,
                date=day,
                half=half,
                starts_at=dt.time(*start),
                ends_at=dt.time(*end),
                hours=Decimal(3),
                topic=rng.choice(TOPICS),
                teacher=rng.choice(teachers),
                place=klass.place,
            )


def _teachers(office: User, party_school: Provider, rng: random.Random) -> list[Teacher]:
    made: list[Teacher] = []
    teacher_user = User.objects.filter(username="teacher").first()
    used: set[int] = set()
    for name, kind, title, employer, specialties, unit in TEACHERS:
        person = None
        if unit:
            candidates = Person.objects.filter(unit__code=unit).exclude(pk__in=used).order_by("id")
            # The demo teacher account (刘老师) is a teacher of the party school named 刘, if any.
            if not made:
                person = candidates.filter(name__startswith="刘").first() or candidates.first()
            else:
                person = candidates[rng.randrange(min(10, candidates.count()))]
            if person is not None:
                used.add(person.pk)
        made.append(
            actions.create_teacher(
                office,
                node=party_school.node,
                kind=kind,
                name=name or (person.name if person else ""),
                title=title,
                employer=employer,
                specialties=specialties,
                phone=f"0517-8{rng.randrange(1000000, 9999999)}",
                person=person,
                user=teacher_user if not made else None,
            )
        )
    return made


def _menu(office: User, teachers: list[Teacher]) -> None:
    settings = {
        "DX-2026-01": ("county", ["township", "general"], ["under45"], teachers[:5]),
        "DX-2026-02": ("county", [], [], teachers[:4] + teachers[5:6]),
        "DX-2026-03": (
            "county", ["township", "general", "professional"], [], teachers[1:2] + teachers[7:8]
        ),
        "WJW-2026-01": ("county", ["professional"], [], teachers[6:7]),
    }  # fmt: skip
    for course in Course.objects.filter(code__in=settings).select_related("provider__node"):
        level, categories, brackets, chosen = settings[course.code]
        actions.set_course_menu(
            office,
            course,
            teachers=chosen,
            on_menu=True,
            level=level,
            audience_categories=categories,
            audience_brackets=brackets,
            description="县委党校年度主体班次，按计划调训与自主选学相结合。",
        )


def _people_for(plan: Plan, rng: random.Random, limit: int) -> list[Person]:
    found = list(
        Person.objects.filter(unit__code__in=plan.units, category__in=plan.categories)
        .select_related("unit")
        .order_by("id")
    )
    rng.shuffle(found)
    return found[:limit]


def _attend(klass: TrainingClass, rng: random.Random, away: dict[int, set[int]]) -> int:
    """Rows as the phones would have left them: check-in a few minutes early, check-out at the end;
    about one session in forty missed."""
    rows = []
    sessions = list(klass.sessions.all())
    for enrolment in klass.enrolments.filter(status=EnrolmentStatus.ENROLLED):
        pid = enrolment.person_id
        for session in sessions:
            if session.pk in away.get(pid, set()) or rng.random() < 0.025:
                continue
            start, end = session.starts(), session.ends()
            rows.append(
                Attendance(
                    session=session,
                    person_id=pid,
                    checked_in_at=start - dt.timedelta(minutes=rng.randrange(1, 25)),
                    checked_out_at=end + dt.timedelta(minutes=rng.randrange(0, 12)),
                    device=codes.device_key(f"demo-phone-{pid}"),
                    source=Source.CODE,
                )
            )
    Attendance.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def _leave(klass: TrainingClass, person_id: int, sessions: list[Session], reason: str) -> set[int]:
    enrolment = Enrolment.objects.get(klass=klass, person_id=person_id)
    leave = LeaveRequest.objects.create(
        enrolment=enrolment,
        hours=sum((s.hours for s in sessions), Decimal(0)),
        reason=reason,
        status=LeaveStatus.APPROVED,
        decided_at=timezone.now(),
    )
    leave.sessions.set(sessions)
    return {s.pk for s in sessions}


def _rate(klass: TrainingClass, rng: random.Random, kind: str, share: float) -> int:
    """Answers of about `share` of the trainees, as they would have given them (anonymous)."""
    questionnaire = klass.evaluation if kind == QuestionnaireKind.EVALUATION else klass.follow_up
    if questionnaire is None or klass.last_day is None:
        return 0
    teachers = class_teachers(klass)
    quality = {t.pk: rng.choice([3.6, 4.0, 4.3, 4.6]) for t in teachers}
    answered = 0
    day = klass.last_day + dt.timedelta(days=1 if kind == QuestionnaireKind.EVALUATION else 62)
    comments = [
        "内容实用，案例丰富",
        "希望增加现场教学",
        "课程安排紧凑",
        "建议延长研讨时间",
        "收获很大",
    ]
    for enrolment in klass.enrolments.filter(status=EnrolmentStatus.ENROLLED):
        if rng.random() > share:
            continue
        ResponseReceipt.objects.create(klass=klass, person_id=enrolment.person_id, kind=kind)
        response = Response.objects.create(
            klass=klass,
            questionnaire=questionnaire,
            kind=kind,
            submitted_on=min(day, timezone.localdate()),
            comments={
                i["code"]: rng.choice(comments)
                for i in questionnaire.items
                if i["type"] == "text" and rng.random() < 0.3
            },
        )
        scores = []
        for item in score_items(questionnaire):
            for teacher in teachers if item["about"] == "teacher" else [None]:
                mean = quality[teacher.pk] if teacher else 4.2
                value = max(1, min(5, round(rng.gauss(mean, 0.7))))
                scores.append(
                    Score(response=response, item=item["code"], teacher=teacher, score=value)
                )
        Score.objects.bulk_create(scores)
        answered += 1
    return answered


def _run(
    plan: Plan,
    staff: User,
    office: User,
    teachers: list[Teacher],
    rng: random.Random,
    learner: User | None,
) -> TrainingClass:
    course = Course.objects.get(code=plan.course)
    klass = actions.create_class(
        staff,
        course,
        code=plan.code,
        name=plan.name,
        capacity=plan.seats,
        full_time=plan.full_time,
        place="县委党校教学楼201教室",
        rule_code=plan.rule,
    )
    _day_sessions(staff, klass, plan.first, plan.days, teachers, rng)
    actions.change_status(staff, klass, "publish")
    people = _people_for(plan, rng, plan.seats - 6)
    actions.assign(office, klass, people)
    person = learner.person if learner is not None else None
    mine = "CZJ01" in plan.units and person is not None
    if learner is not None and mine and not klass.enrolments.filter(person=person).exists():
        actions.sign_up(learner, klass)
    klass.refresh_from_db()
    return klass


def load(write: Callable[[str], Any]) -> None:
    began = time.perf_counter()
    rng = random.Random(SEED)
    office = User.objects.filter(username="office").first()
    staff = User.objects.filter(username="provider").first()
    party_school = Provider.objects.filter(code="DX01").select_related("node").first()
    if office is None or staff is None or party_school is None:
        write("training: demo providers not found; skipped.")
        return
    learner = User.objects.filter(username="learner").select_related("person__unit").first()
    teachers = _teachers(office, party_school, rng)
    _menu(office, teachers)
    today = timezone.localdate()
    completed = attended = rated = 0
    for plan in PLANS:
        last = plan.first + dt.timedelta(days=plan.days - 1)
        if last >= today:
            continue
        klass = _run(
            plan, staff, office, teachers, rng, learner if plan.code != "DX2026-08" else None
        )
        sessions = list(klass.sessions.all())
        away: dict[int, set[int]] = {}
        enrolled = list(klass.enrolments.filter(status=EnrolmentStatus.ENROLLED).order_by("id"))
        if plan.days >= 13 and len(enrolled) > 3:
            # One trainee away on leave for 3 of 13 days (more than 1/7): withdrawn, not credited.
            away[enrolled[1].person_id] = _leave(
                klass, enrolled[1].person_id, sessions[10:16], "家中有事"
            )
            # Another on leave for one day (within 1/7): completes.
            away[enrolled[2].person_id] = _leave(
                klass, enrolled[2].person_id, sessions[4:6], "公务"
            )
        attended += _attend(klass, rng, away)
        if klass.has_test:
            marks = {e.pk: Decimal(rng.randrange(55, 99)) for e in enrolled}
            actions.set_test_scores(staff, klass, marks)
        actions.change_status(staff, klass, "close")
        actions.complete_class(staff, klass)
        completed += 1
        # The demo learner has not rated the latest class yet: the page offers it.
        rated += _rate(klass, rng, QuestionnaireKind.EVALUATION, 0.8)
        if klass.last_day and klass.last_day + dt.timedelta(days=klass.follow_up_days) <= today:
            rated += _rate(klass, rng, QuestionnaireKind.FOLLOW_UP, 0.55)
    _reviews(teachers, rng)
    upcoming = _upcoming(staff, office, teachers, rng, today)
    write(
        f"training: {len(teachers)} teachers, {completed} classes completed ({attended} "
        f"check-ins, {rated} questionnaires answered), {upcoming} running or open for sign-up "
        f"({time.perf_counter() - began:.1f} s)"
    )


def _reviews(teachers: list[Teacher], rng: random.Random) -> None:
    """Peer reviews (听课评课): colleagues sat in on a few sessions of the year."""
    sessions = list(
        Session.objects.filter(klass__status=ClassStatus.COMPLETED, teacher__in=teachers)
        .select_related("teacher")
        .order_by("id")
    )
    # The demo teacher's own sessions are among those sat in on: their page shows the reviews.
    own = [s for s in sessions if s.teacher_id == teachers[0].pk][:2]
    others = [s for s in sessions if s not in own]
    for session in own + rng.sample(others, min(10, len(others))):
        observed = session.teacher
        assert observed is not None
        reviewer = rng.choice([t for t in teachers[:5] if t.pk != observed.pk])
        PeerReview.objects.get_or_create(
            session=session,
            reviewer=reviewer,
            defaults={
                "teacher": observed,
                "content": rng.randint(3, 5),
                "method": rng.randint(3, 5),
                "effect": rng.randint(3, 5),
                "comment": rng.choice(["联系实际好", "互动可再加强", "条理清晰", "案例选取恰当"]),
            },
        )


def _upcoming(
    staff: User, office: User, teachers: list[Teacher], rng: random.Random, today: dt.date
) -> int:
    """A class running today (the classroom screen and check-in can be tried) with the demo
    learner on it, and two classes open for sign-up on the menu."""
    learner = User.objects.filter(username="learner").select_related("person__unit").first()
    course = Course.objects.get(code="DX-2026-02")
    first = (
        today if (today + dt.timedelta(days=1)).year == today.year else today - dt.timedelta(days=1)
    )
    running = actions.create_class(
        staff,
        course,
        code=f"DX{today.year}-R",
        name=f"{_PLENUM}（本周）",
        capacity=40,
        place="县委党校教学楼201教室",
        rule_code="full_time",
    )
    _day_sessions(staff, running, first, 2, teachers[:3], rng)
    actions.change_status(staff, running, "publish")
    people = _people_for(PLANS[1], rng, 20)
    if learner is not None and learner.person is not None and learner.person not in people:
        people.append(learner.person)
    actions.assign(office, running, people)
    actions.change_status(staff, running, "close")
    made = 1
    start = today + dt.timedelta(days=10)
    if start.year != (start + dt.timedelta(days=13)).year:
        start = dt.date(start.year + 1, 1, 10)
    for code, name, course_code, days in (
        ("A", "新任科级干部任职培训班", "DX-2026-01", 13),
        ("B", "乡村振兴专题培训班（冬季）", "DX-2026-03", 2),
    ):
        klass = actions.create_class(
            staff, Course.objects.get(code=course_code), code=f"DX{start.year}-{code}", name=name,
            capacity=30, place="县委党校教学楼302教室",
            rule_code="full_time" if days > 3 else "part_time", full_time=days > 3,
            signup_closes_on=start - dt.timedelta(days=2),
        )  # fmt: skip
        _day_sessions(staff, klass, start, days, teachers, rng)
        actions.change_status(staff, klass, "publish")
        made += 1
    return made
