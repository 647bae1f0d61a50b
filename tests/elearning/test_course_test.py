"""A course's short test: the office writes its questions, a learner takes it on one page, the
server grades it, the rule's attempts are counted, and a passed test completes the course (with
the rule set's credit for it) through the one ledger writer."""

import pytest
from django.urls import reverse

from tests.elearning import helpers as h
from xuefen.elearning import actions
from xuefen.elearning.errors import Code, ElearningError
from xuefen.elearning.models import QuizAttempt
from xuefen.ledger.models import Entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def tested(cast, lesson):
    course = h.course(cast, "T1", lesson["other"], rule="watch_and_test")
    one = actions.add_question(
        cast.carol, course, "会计人员每年应参加继续教育吗？", ["对", "错"], [1]
    )
    two = actions.add_question(
        cast.carol, course, "下列哪些属于会计要素？", ["资产", "天气", "负债", "收入"], [1, 3, 4]
    )
    return {"course": course, "one": one, "two": two}


def _post(client, course, answers):
    data = {f"q{pk}": [str(v) for v in values] for pk, values in answers.items()}
    return client.post(reverse("elearning:test", args=[course.pk]), data)


def test_the_rule_gives_the_course_its_attempts(tested):
    assert tested["course"].needs_test and tested["course"].test_attempts == 3
    assert tested["two"].correct == [0, 2, 3]  # typed 1-based, kept as indexes


def test_the_office_refuses_a_question_without_right_choices(cast, tested):
    with pytest.raises(ElearningError) as caught:
        actions.add_question(cast.carol, tested["course"], "问题", ["甲", "乙"], [3])
    assert caught.value.code == Code.QUESTION_INVALID


def test_the_page_does_not_show_the_answers_and_grades_on_the_server(client, cast, tested):
    client.force_login(cast.lena)
    page = client.get(reverse("elearning:test", args=[tested["course"].pk])).content.decode()
    assert "下列哪些属于会计要素" in page and "✓" not in page and 'type="checkbox"' in page
    one, two = tested["one"].pk, tested["two"].pk
    graded = _post(client, tested["course"], {one: [0], two: [0, 2]}).content.decode()
    assert 'data-testid="test-result"' in graded and "50" in graded  # the second not all right
    attempt = QuizAttempt.objects.get(person=cast.lena_person)
    assert str(attempt.score) == "50.0" and not attempt.passed


def test_attempts_are_limited_by_the_rule(client, cast, tested):
    client.force_login(cast.lena)
    for _ in range(3):
        _post(client, tested["course"], {tested["one"].pk: [1]})
    page = _post(client, tested["course"], {tested["one"].pk: [0]}).content.decode()
    assert 'data-testid="test-error"' in page
    assert QuizAttempt.objects.filter(person=cast.lena_person).count() == 3
    with pytest.raises(ElearningError) as caught:
        actions.take_test(cast.lena, tested["course"], {tested["one"].pk: [0]})
    assert caught.value.code == Code.NO_ATTEMPTS_LEFT


def test_a_passed_test_completes_a_watched_course_once_with_its_credit(
    client, cast, lesson, tested
):
    player = h.Player(cast.lena, tested["course"], lesson["other"])
    player.watch(0, 600, every=30)
    assert not player.send("ended", 600, 600).completed  # the test is still missing
    client.force_login(cast.lena)
    right = {tested["one"].pk: [0], tested["two"].pk: [0, 2, 3]}
    page = _post(client, tested["course"], right).content.decode()
    assert "100" in page and 'data-testid="test-result"' in page
    entry = Entry.objects.get(person=cast.lena_person, source_type="online_course")
    assert str(entry.amount) == "0.75"  # 0.25 for a 10-minute course + 0.5 for the passed test
    again = _post(client, tested["course"], right).content.decode()
    assert 'data-testid="test-passed"' in again
    assert QuizAttempt.objects.filter(person=cast.lena_person).count() == 1
    assert Entry.objects.filter(person=cast.lena_person, source_type="online_course").count() == 1


def test_a_passed_test_alone_does_not_complete_an_unwatched_course(cast, tested):
    right = {tested["one"].pk: [0], tested["two"].pk: [0, 2, 3]}
    graded = actions.take_test(cast.lena, tested["course"], right)
    assert graded.passed and not graded.completed
    assert not Entry.objects.filter(person=cast.lena_person).exists()


def test_a_course_without_a_test_has_no_test_page(client, cast, lesson):
    client.force_login(cast.lena)
    assert client.get(reverse("elearning:test", args=[lesson["course"].pk])).status_code == 404


def test_the_office_adds_a_question_on_its_page(client, cast, tested):
    client.force_login(cast.carol)
    url = reverse("elearning:course_test", args=[tested["course"].pk])
    bad = client.post(url, {"text": "问题", "choices": "甲\n乙", "correct": "5"})
    assert bad.status_code == 200 and "1 到 2" in bad.content.decode()
    client.post(url, {"text": "新问题", "choices": "对\n错", "correct": "2"})
    assert tested["course"].test_questions.count() == 3
