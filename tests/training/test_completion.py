"""Completing a class: the completion rule decides each learner (leave over 1/7 of the hours
fails a full-time class, exactly 1/7 passes), the credit lands in the ledger at once with the
class's span and days, and a 13-day class meets the 乡科级 "12 days or 90 学时" rule through its
days."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from tests import factories as f
from tests.training import helpers as h
from xuefen.ledger.judging import evaluate_person
from xuefen.ledger.models import Entry
from xuefen.training import actions
from xuefen.training.errors import TrainingError
from xuefen.training.models import ClassStatus, Enrolment, Result
from xuefen.training.rules import Reason

# 14 sessions over 7 days, 84 hours: 1/7 of them is 12 hours.
HOURS = ["6"] * 11 + ["4", "8", "6"]


def _class_of_84_hours(cast):
    k = h.klass(cast, "L84")
    first = dt.date(h.YEAR, 1, 12)
    sessions = []
    for i, hours in enumerate(HOURS):
        day = first + dt.timedelta(days=i // 2)
        half = "morning" if i % 2 == 0 else "afternoon"
        start, end = ((8, 0), (12, 0)) if half == "morning" else ((14, 0), (18, 0))
        sessions.append(
            actions.add_session(
                cast.carol, k, date=day, half=half, starts_at=dt.time(*start),
                ends_at=dt.time(*end), hours=Decimal(hours), topic=f"第{i + 1}讲",
            )
        )  # fmt: skip
    actions.change_status(cast.carol, k, "publish")
    k.refresh_from_db()
    assert k.hours == Decimal(84)
    return k, sessions


def _present_except(cast, k, sessions, person, away):
    for session in sessions:
        if session not in away:
            actions.correct(cast.carol, session, person.pk, "present", "现场点名")


def _on_leave(cast, k, user, sessions):
    enrolment = Enrolment.objects.get(klass=k, person=user.person)
    leave = actions.request_leave(user, enrolment, sessions, "公务")
    actions.decide_leave(cast.carol, leave, approve=True)


@pytest.fixture
def leave_case(cast):
    h.township_rules(cast)
    h.township(cast.lena_person)
    h.township(cast.person_a)
    k, sessions = _class_of_84_hours(cast)
    actions.assign(cast.carol, k, [cast.lena_person, cast.person_a])
    ming = f.user("ming", person=cast.person_a)
    return k, sessions, ming


def test_leave_over_one_seventh_earns_nothing_and_says_why(cast, leave_case):
    k, sessions, _ming = leave_case
    away = [sessions[12], sessions[13]]  # 8 + 6 = 14 hours
    _on_leave(cast, k, cast.lena, away)
    _present_except(cast, k, sessions, cast.lena_person, away)

    done = actions.complete_class(cast.carol, k)

    lena = Enrolment.objects.get(klass=k, person=cast.lena_person)
    assert lena.result == Result.FAILED and lena.entry_id is None
    assert lena.reasons[0] == {
        "code": "leave_over",
        "figures": {"leave": "14", "share": "1/7", "limit": "12", "total": "84"},
    }
    assert not Entry.objects.filter(person=cast.lena_person).exists()
    with translation.override("zh-hans"):
        assert (
            Reason.of(lena.reasons[0]).text()
            == "请假 14 学时，超过总学时 1/7（12 学时），按退学处理"
        )
    assert done.failed >= 1


def test_leave_of_exactly_one_seventh_passes(cast, leave_case):
    k, sessions, _ming = leave_case
    away = [sessions[0], sessions[1]]  # 6 + 6 = 12 hours: exactly 1/7
    _on_leave(cast, k, cast.lena, away)
    _present_except(cast, k, sessions, cast.lena_person, away)

    actions.complete_class(cast.carol, k)

    lena = Enrolment.objects.get(klass=k, person=cast.lena_person)
    assert lena.result == Result.PASSED and lena.reasons == []
    entry = Entry.objects.get(person=cast.lena_person)
    assert lena.entry_id == entry.pk
    assert (entry.first_day, entry.last_day) == (dt.date(h.YEAR, 1, 12), dt.date(h.YEAR, 1, 18))
    assert entry.days == Decimal(7) and entry.amount == Decimal(84)
    assert entry.source_type == "class" and entry.source_id == f"{k.pk}:{cast.lena_person.pk}"


def test_absent_without_leave_fails_on_attendance(cast, leave_case):
    k, sessions, _ming = leave_case
    _present_except(cast, k, sessions, cast.person_a, [sessions[0], sessions[2], sessions[4]])
    actions.complete_class(cast.carol, k)
    ming = Enrolment.objects.get(klass=k, person=cast.person_a)
    assert ming.result == Result.FAILED
    assert [r["code"] for r in ming.reasons] == ["attendance_short"]


def test_a_13_day_class_meets_the_township_rule_through_its_days(cast):
    h.township_rules(cast)
    person = h.township(cast.lena_person)
    k = h.klass(cast, "D13")
    sessions = h.day_sessions(cast, k, dt.date(h.YEAR, 1, 5), 13)  # 13 days × 6 学时 = 78 学时
    actions.change_status(cast.carol, k, "publish")
    actions.assign(cast.carol, k, [person])
    for session in sessions:
        actions.correct(cast.carol, session, person.pk, "present", "点名")

    actions.complete_class(cast.carol, k)

    entry = Entry.objects.get(person=person, source_type="class")
    assert entry.days == Decimal(13) and entry.amount == Decimal(78)
    evaluation = evaluate_person(person, h.YEAR)
    annual = next(r for r in evaluation.requirements if r.code == "annual")
    days, hours = annual.targets
    assert annual.met
    assert (days.unit, days.earned, days.met) == ("days", Decimal(13), True)
    assert (hours.unit, hours.earned, hours.met) == ("hours", Decimal(78), False)


def test_a_party_school_class_is_credited_by_the_rule_sets_conversion(cast):
    h.township_rules(cast)
    person = h.township(cast.lena_person)
    course = h.course(cast, "PS", kind="party_school_day")
    k = h.klass(cast, "PS1", course_obj=course)
    sessions = h.day_sessions(cast, k, dt.date(h.YEAR, 2, 2), 3)
    actions.change_status(cast.carol, k, "publish")
    actions.assign(cast.carol, k, [person])
    for session in sessions:
        actions.correct(cast.carol, session, person.pk, "present", "点名")
    actions.complete_class(cast.carol, k)
    entry = Entry.objects.get(person=person, source_type="class")
    # cadre_township: 党校脱产培训 7.5 学时 a day
    assert entry.amount == Decimal("22.5") and entry.days == Decimal(3)
    assert entry.kind == "party_school_day" and "centralised" in entry.categories


def test_completing_again_changes_nothing(cast, leave_case):
    k, sessions, _ming = leave_case
    _present_except(cast, k, sessions, cast.lena_person, [])
    actions.complete_class(cast.carol, k)
    entries = Entry.objects.count()
    with pytest.raises(TrainingError) as refused:
        actions.complete_class(cast.carol, k)
    assert refused.value.code == "step_not_allowed"
    assert Entry.objects.count() == entries
    k.refresh_from_db()
    assert k.status == ClassStatus.COMPLETED


def test_a_class_still_running_is_not_completed(cast):
    k = h.klass(cast, "RUN")
    h.session_now(cast, k)
    actions.change_status(cast.carol, k, "publish")
    with pytest.raises(TrainingError) as refused:
        actions.complete_class(cast.carol, k)
    assert refused.value.code == "not_finished"
    k.refresh_from_db()
    assert k.status == ClassStatus.OPEN


def test_teachers_who_are_people_earn_teaching_credit(cast):
    h.township_rules(cast)
    person = h.township(cast.lena_person)
    teaching = h.township(cast.person_a)
    t = h.teacher(cast, person=teaching)
    k = h.klass(cast, "TC")
    sessions = h.day_sessions(cast, k, dt.date(h.YEAR, 2, 9), 1, teacher=t)
    actions.change_status(cast.carol, k, "publish")
    actions.assign(cast.carol, k, [person])
    for session in sessions:
        actions.correct(cast.carol, session, person.pk, "present", "点名")
    done = actions.complete_class(cast.carol, k)
    entry = Entry.objects.get(person=teaching, source_type="teaching")
    assert entry.amount == Decimal(30)  # 6 hours taught × 5 (cadre_township's teaching conversion)
    assert done.teachers_credited == 1
