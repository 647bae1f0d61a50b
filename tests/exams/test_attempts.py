"""Sitting the paper: one open attempt per person, the server's clock and the resume, autosave
with its log, grading, and the credit of a pass — once."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.exams import helpers as h
from xuefen.core.actors import SYSTEM
from xuefen.exams import actions
from xuefen.exams.errors import ExamError
from xuefen.exams.models import AnswerLog, Attempt, AttemptStatus, ExamKind
from xuefen.ledger.models import Entry


def _ids(attempt):
    return [int(item["id"]) for item in attempt.questions]


def _answer_all(attempt, now, right=True):
    single, multiple, true_false, *short = _ids(attempt)
    actions.save_answer(attempt, single, [1] if right else [0], now=now)
    actions.save_answer(attempt, multiple, [0, 2] if right else [0], now=now)
    actions.save_answer(attempt, true_false, right, now=now)
    if short:
        actions.save_answer(attempt, short[0], "我的要点", now=now)


def test_a_second_open_attempt_of_the_same_person_is_refused(cast):
    first = h.exam(cast, name="第一场")
    second = h.exam(cast, name="第二场")
    one = h.admitted(cast, first)
    two = h.admitted(cast, second)
    attempt = actions.start_attempt(one)
    with pytest.raises(ExamError) as caught:
        actions.start_attempt(two)
    assert caught.value.code == "other_attempt_open"
    assert Attempt.objects.filter(person=cast.lena_person).count() == 1
    assert actions.start_attempt(one) == attempt  # the own open attempt resumes
    actions.submit_attempt(cast.lena, attempt)
    assert actions.start_attempt(two).status == AttemptStatus.OPEN


def test_a_paper_handed_in_is_not_sat_again(cast):
    candidate = h.admitted(cast, h.exam(cast))
    attempt = actions.start_attempt(candidate)
    actions.submit_attempt(cast.lena, attempt)
    with pytest.raises(ExamError) as caught:
        actions.start_attempt(candidate)
    assert caught.value.code == "already_taken"


def test_a_lost_connection_resumes_with_the_time_it_had_left(cast, settings):
    settings.EXAMS_RESUME_GRACE_SECONDS = 60
    candidate = h.admitted(cast, h.exam(cast))
    start = timezone.now()
    attempt = actions.start_attempt(candidate, now=start)
    assert attempt.limit_seconds == 3600
    # Ten minutes of answering, the page speaking every 15 seconds.
    for tick in range(1, 41):
        actions.touch(attempt, now=start + dt.timedelta(seconds=15 * tick))
    attempt.refresh_from_db()
    assert attempt.used_seconds == 600
    # The connection is lost for 20 minutes; the candidate comes back.
    back = start + dt.timedelta(minutes=30)
    attempt, left = actions.touch(attempt, now=back)
    assert left == 3600 - 600 - 60  # the lost time counts only up to the grace
    assert attempt.status == AttemptStatus.OPEN
    left = actions.save_answer(attempt, _ids(attempt)[0], [1], now=back + dt.timedelta(seconds=5))
    assert left == 3600 - 600 - 60 - 5


def test_time_up_hands_the_paper_in_and_refuses_answers(cast, settings):
    settings.EXAMS_RESUME_GRACE_SECONDS = 60
    candidate = h.admitted(cast, h.exam(cast, duration_minutes=1))
    start = timezone.now()
    attempt = actions.start_attempt(candidate, now=start)
    actions.save_answer(attempt, _ids(attempt)[0], [1], now=start + dt.timedelta(seconds=30))
    with pytest.raises(ExamError) as caught:
        actions.save_answer(attempt, _ids(attempt)[1], [0], now=start + dt.timedelta(seconds=61))
    assert caught.value.code == "time_up"
    attempt.refresh_from_db()
    assert attempt.status != AttemptStatus.OPEN
    assert attempt.answers.get(question_id=_ids(attempt)[0]).points == Decimal(20)


def test_the_exams_close_ends_the_time_whatever_is_left(cast):
    now = timezone.now()
    exam = h.exam(cast, ends_at=now + dt.timedelta(minutes=10))
    attempt = actions.start_attempt(h.admitted(cast, exam), now=now)
    assert actions.remaining_seconds(attempt, now) == 600


def test_every_answer_submission_is_logged_with_address_and_device(cast):
    attempt = actions.start_attempt(h.admitted(cast, h.exam(cast)))
    question = _ids(attempt)[0]
    actions.save_answer(attempt, question, [0], address="10.1.2.3", device="Firefox")
    actions.save_answer(attempt, question, [1], address="10.9.9.9", device="Chrome")
    log = list(
        AnswerLog.objects.filter(attempt=attempt).values_list("address", "device", "response")
    )
    assert log == [("10.1.2.3", "Firefox", [0]), ("10.9.9.9", "Chrome", [1])]
    assert attempt.answers.get(question_id=question).response == [1]  # the latest counts


def test_a_question_not_on_the_paper_is_refused(cast):
    attempt = actions.start_attempt(h.admitted(cast, h.exam(cast, short=False)))
    other = h.bank(cast)[0]
    with pytest.raises(ExamError) as caught:
        actions.save_answer(attempt, other.pk, [1])
    assert caught.value.code == "not_in_paper"


def test_auto_grading_and_a_pass_credited_once_even_when_handed_in_twice(cast):
    candidate = h.admitted(cast, h.exam(cast, short=False))
    attempt = actions.start_attempt(candidate)
    _answer_all(attempt, timezone.now())
    actions.submit_attempt(cast.lena, attempt)
    actions.submit_attempt(cast.lena, attempt)
    attempt.refresh_from_db()
    assert (attempt.status, attempt.score, attempt.passed) == (
        AttemptStatus.GRADED, Decimal(70), True,
    )  # fmt: skip
    entries = Entry.objects.filter(person=cast.lena_person, source_type="exam")
    assert entries.count() == 1
    entry = entries.get()
    assert (entry.amount, entry.categories, attempt.entry_id) == (
        Decimal(6),
        ["required"],
        entry.pk,
    )


def test_a_failed_paper_earns_nothing(cast):
    attempt = actions.start_attempt(h.admitted(cast, h.exam(cast, short=False)))
    _answer_all(attempt, timezone.now(), right=False)
    actions.submit_attempt(cast.lena, attempt)
    attempt.refresh_from_db()
    assert attempt.passed is False and attempt.score == Decimal(0)
    assert not Entry.objects.filter(source_type="exam").exists()


def test_short_answers_are_graded_by_hand_then_the_pass_is_credited(cast):
    attempt = actions.start_attempt(h.admitted(cast, h.exam(cast)))
    _answer_all(attempt, timezone.now())
    actions.submit_attempt(cast.lena, attempt)
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED and attempt.score is None
    short = attempt.answers.get(points__isnull=True)
    with pytest.raises(ExamError) as caught:
        actions.grade_answer(cast.carol, short, "31")
    assert caught.value.code == "points_invalid"
    with pytest.raises(ExamError):
        actions.grade_answer(cast.alice, short, "20")
    actions.grade_answer(cast.carol, short, "20")
    attempt.refresh_from_db()
    assert (attempt.status, attempt.score, attempt.passed) == (
        AttemptStatus.GRADED, Decimal(90), True,
    )  # fmt: skip
    assert Entry.objects.filter(person=cast.lena_person, source_type="exam").count() == 1
    with pytest.raises(ExamError) as caught:
        actions.grade_answer(cast.carol, short, "25")
    assert caught.value.code == "already_decided"


def test_the_make_up_exam_takes_those_who_failed_and_credits_the_series_once(cast):
    annual = h.exam(cast, short=False)
    failed = h.admitted(cast, annual, cast.lena_person)
    passed = h.admitted(cast, annual, cast.person_a)
    for candidate, right in ((failed, False), (passed, True)):
        attempt = actions.start_attempt(candidate)
        _answer_all(attempt, timezone.now(), right=right)
        actions.submit_attempt(SYSTEM, attempt)
    make_up = h.exam(cast, short=False, kind=ExamKind.MAKE_UP, make_up_of=annual, name="补考")
    assert actions.make_up_people(make_up) == [cast.lena_person.pk]
    with pytest.raises(ExamError) as caught:
        actions.register_candidates(cast.carol, make_up, [cast.person_a])
    assert caught.value.code == "not_a_make_up"
    attempt = actions.start_attempt(h.admitted(cast, make_up, cast.lena_person))
    _answer_all(attempt, timezone.now())
    actions.submit_attempt(cast.lena, attempt)
    entry = Entry.objects.get(person=cast.lena_person, source_type="exam")
    assert entry.source_id == f"{annual.pk}:{cast.lena_person.pk}"


def test_seats_are_limited(cast):
    exam = h.exam(cast, seats=1)
    with pytest.raises(ExamError) as caught:
        actions.register_candidates(cast.carol, exam, [cast.lena_person, cast.person_a])
    assert caught.value.code == "no_seats"
    assert not exam.candidates.exists()
