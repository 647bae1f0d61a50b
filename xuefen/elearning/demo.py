"""Online learning in the demo county: the shipped short videos (demo_media/, made with ffmpeg)
and articles, grouped into online courses of the county, and a term of learning by the demo
learner and some forty colleagues — honest watching that completes courses (each crediting the
ledger once through its one writer), and the auto-play techniques the server refused or did not
count, each with its reason: 2× playback, a hidden tab, seeking to the end, a second window,
forged positions and replayed requests. Seeded: the same on every machine."""

import datetime as dt
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.contrib.sessions.models import Session
from django.utils import timezone

from xuefen.accounts.models import User
from xuefen.elearning import actions, files
from xuefen.elearning.models import LearningSession, OnlineCourse, Resource
from xuefen.orgs.models import Person

SEED = 20261203
DEMO_LOGIN = "demo"  # the log-in the demo's sessions were opened in
Plan = list[tuple[str, float, float, float]]  # (kind, position, seconds after the start, rate)
MEDIA = Path(__file__).resolve().parent / "demo_media"
VIDEOS = [
    ("lesson1.webm", "党的二十届三中全会精神导学（片段）", 20),
    ("lesson2.webm", "数字政府建设概述（片段）", 30),
    ("lesson3.webm", "保密工作基本常识（片段）", 40),
]
ARTICLES = [
    (
        "全面深化改革的总目标",
        18,
        "进一步全面深化改革的总目标是继续完善和发展中国特色社会主义制度，推进国家治理体系和"
        "治理能力现代化。\n\n到二〇三五年，全面建成高水平社会主义市场经济体制，中国特色社会主义"
        "制度更加完善，基本实现国家治理体系和治理能力现代化。",
    ),
    (
        "政务数据安全管理要点",
        30,
        "政务数据分类分级管理，按照“谁管理谁负责、谁使用谁负责”的原则落实安全责任。\n\n"
        "涉及个人信息的数据应当最小化采集，依法使用，定期开展安全评估。",
    ),
]
COURSES = [
    ("WL2026-01", "学习贯彻党的二十届三中全会精神（网络专题）", [0, 3]),
    ("WL2026-02", "数字政府与数据安全", [1, 2, 4]),
]

# A course that needs a passed test (rules.yaml `watch_and_test`), its questions (text, choices,
# the numbers of the right ones), which the demo learner watched and passed at the second attempt.
TESTED = ("WL2026-03", "保密工作基本常识（网络课程，含测试）", [2])
QUESTIONS = [
    ("涉密载体应当由谁负责管理？", ["个人自行保管", "机关、单位指定的专人", "任何工作人员"], [2]),
    (
        "政务数据安全责任的原则有哪些？（多选）",
        ["谁管理谁负责", "谁使用谁负责", "谁采集谁公开"],
        [1, 2],
    ),
    ("连接互联网的计算机可以处理涉密信息。", ["对", "错"], [2]),
]


def _as(person: Person) -> User:
    """The person acting in their own browser (most demo people have no account yet)."""
    return User(person=person, username=f"demo-{person.pk}")


def _watch(session: LearningSession, user: User, at: dt.datetime, plan: Plan) -> int:
    """Sends (kind, position, seconds after `at`, rate) events of one session, answering the
    "still learning?" prompt when it comes up. Returns the last sequence number."""
    seq = 0
    for index, (kind, position, offset, rate) in enumerate(plan):
        seq += 1
        now = at + dt.timedelta(seconds=offset)
        data: dict[str, Any] = {"seq": seq, "kind": kind, "position": position, "rate": rate}
        if kind == "seek":
            data["from"] = plan[index - 1][1] if index else 0.0
        result = actions.record_event(session.token, data, login_key=DEMO_LOGIN, now=now)
        if result.prompt:
            seq += 1
            answer = {"seq": seq, "kind": "answer", "position": position, "answer": result.prompt}
            actions.record_event(session.token, answer, login_key=DEMO_LOGIN, now=now)
    return seq


def _honest(length: float, step: float = 60) -> Plan:
    plan = [("play", 0.0, 1.0, 1.0)]
    position = 0.0
    while position < length:
        position = min(position + step, length)
        plan.append(("tick", position, position + 1, 1.0))
    plan.append(("ended", length, length + 1, 1.0))
    return plan


def _learn(
    person: Person, course: OnlineCourse, resources: list[Resource], at: dt.datetime, style: str
) -> None:
    user = _as(person)
    for resource in resources:
        length = float(resource.duration_seconds)
        plan: Plan
        session = actions.start_session(
            user, course, resource, login_key=DEMO_LOGIN, now=at, address="10.12.3.7"
        )
        if style == "fast":
            plan = [("play", 0.0, 1.0, 2.0)] + [
                ("tick", min(2.0 * t, length), t + 1.0, 2.0)
                for t in range(5, int(length / 2) + 5, 5)
            ]
        elif style == "hidden":
            half = length / 2
            step = 5 if length < 120 else 30
            plan = [p for p in _honest(half, step=step) if p[0] != "ended"]
            plan.append(("hidden", half, half + 2, 1.0))  # the tab goes to the background
            plan += [
                (("visible" if k + step > length - half else "tick"), half + k, half + 2 + k, 1.0)
                for k in range(step, int(length - half) + 1, step)
            ]
        elif style == "skip":
            plan = [
                ("play", 0.0, 1.0, 1.0),
                ("seek", length - 2, 4.0, 1.0),
                ("ended", length, 6.0, 1.0),
            ]
        elif style == "forged":
            plan = [("play", 0.0, 1.0, 1.0), ("tick", length, 3.0, 1.0)]
        else:
            plan = _honest(length)
        last = _watch(session, user, at, plan)
        if style == "forged":  # and the same request sent again
            data = {"seq": last, "kind": "tick", "position": length, "rate": 1.0}
            actions.record_event(
                session.token, data, login_key=DEMO_LOGIN, now=at + dt.timedelta(seconds=9)
            )
        at += dt.timedelta(seconds=length + 30)


def load(write: Callable[[str], Any]) -> None:
    began = time.perf_counter()
    rng = random.Random(SEED)
    office = User.objects.filter(username="office").prefetch_related("grants__node").first()
    if office is None or not office.grants.exists():
        write("elearning: the demo credit office not found; skipped.")
        return
    county = office.grants.first().node  # type: ignore[union-attr]
    resources: list[Resource] = []
    for name, title, seconds in VIDEOS:
        stored = files.store_bytes((MEDIA / name).read_bytes(), name)
        resources.append(
            Resource.objects.create(
                owner=county, kind=Resource.Kind.VIDEO, title=title, duration_seconds=seconds,
                stored_name=stored.stored_name, original_name=stored.original_name,
                content_type=stored.content_type, size=stored.size, created_by=office,
            )
        )  # fmt: skip
    for title, minutes, body in ARTICLES:
        resources.append(actions.add_article(office, county, title, body, minutes))
    courses = []
    for code, title, picks in COURSES:
        courses.append(
            actions.create_course(
                office,
                county,
                actions.CourseInput(
                    code=code,
                    title=title,
                    resource_ids=[resources[i].pk for i in picks],
                    categories=["elective", "online"],
                ),
            )
        )
    learner = User.objects.filter(username="learner").select_related("person").first()
    people = list(Person.objects.order_by("id")[:400])
    today = timezone.localdate()
    # The demo replays its learners' past log-ins as one: alive while the replay runs, gone after.
    login = Session.objects.create(
        session_key=DEMO_LOGIN, session_data="", expire_date=timezone.now() + dt.timedelta(days=1)
    )
    try:
        learners = _replay(learner, people, courses, resources, rng, today)
        tested = _tested_course(office, county, resources)
        if learner is not None and learner.person is not None:
            _pass_the_test(learner.person, tested, today - dt.timedelta(days=3))
    finally:
        login.delete()
    courses.append(tested)
    write(
        f"elearning: {len(resources)} resources, {len(courses)} online courses, "
        f"{learners} learners ({time.perf_counter() - began:.1f} s)"
    )


def _replay(
    learner: User | None,
    people: list[Person],
    courses: list[OnlineCourse],
    resources: list[Resource],
    rng: random.Random,
    today: dt.date,
) -> int:
    """The demo's learners' past learning, one technique of auto-play among every ten; returns
    how many learned."""
    chosen = rng.sample(people, min(30, len(people)))
    if learner is not None and learner.person is not None:
        chosen = [learner.person] + [p for p in chosen if p.pk != learner.person_id]
    # Every fifth learner the demo learner's colleagues tried something: one of each technique.
    styles = ["honest"] * 4 + ["fast"] + ["honest"] * 4 + ["hidden"]
    styles += ["honest"] * 4 + ["skip"] + ["honest"] * 4 + ["forged"]
    for index, person in enumerate(chosen):
        day = today - dt.timedelta(days=rng.randrange(1, 90))
        at = timezone.make_aware(
            dt.datetime.combine(day, dt.time(rng.randrange(8, 21), rng.randrange(60)))
        )
        course = courses[index % len(courses)]
        items = [item.resource for item in course.items.select_related("resource")]
        style = styles[index % len(styles)]
        if person.pk == getattr(learner, "person_id", None):
            style = "honest"
        _learn(person, course, items, at, style)
    # The demo learner also left a first window open after opening a second (refused there).
    if learner is not None and learner.person is not None:
        at = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=1), dt.time(20)))
        user = _as(learner.person)
        first = actions.start_session(user, courses[1], resources[1], login_key=DEMO_LOGIN, now=at)
        second = actions.start_session(
            user, courses[1], resources[2], login_key=DEMO_LOGIN, now=at + dt.timedelta(seconds=2)
        )
        _watch(second, user, at + dt.timedelta(seconds=2), _honest(10))
        _watch(first, user, at, [("play", 0.0, 1.0, 1.0), ("tick", 15.0, 16.0, 1.0)])
    return len(chosen)


def _tested_course(office: User, county: Any, resources: list[Resource]) -> OnlineCourse:
    code, title, picks = TESTED
    course = actions.create_course(
        office,
        county,
        actions.CourseInput(
            code=code,
            title=title,
            rule_code="watch_and_test",
            resource_ids=[resources[i].pk for i in picks],
            categories=["elective", "online"],
        ),
    )
    for text, choices, right in QUESTIONS:
        actions.add_question(office, course, text, choices, right)
    return course


def _pass_the_test(person: Person, course: OnlineCourse, day: dt.date) -> None:
    """The person watches the whole course, answers the test wrongly once, then rightly: the pass
    completes the course and writes its ledger entry."""
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(19, 30)))
    items = [item.resource for item in course.items.select_related("resource")]
    _learn(person, course, items, at, "honest")
    user = _as(person)
    questions = list(course.test_questions.all())
    wrong = {q.pk: [0] for q in questions}
    right = {q.pk: list(q.correct) for q in questions}
    later = at + dt.timedelta(minutes=10)
    actions.take_test(user, course, wrong, now=later)
    actions.take_test(user, course, right, now=later + dt.timedelta(minutes=5))
