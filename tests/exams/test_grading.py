"""Checking answers and drawing papers, without a database."""

import random
from decimal import Decimal

import pytest

from xuefen.exams.errors import ExamError
from xuefen.exams.grading import Rule, auto_points, draw, normalise, parse_rules

TEN = Decimal(10)


def test_a_single_choice_scores_only_the_right_option():
    assert auto_points("single", [1], normalise("single", ["a", "b"], [1]), TEN) == TEN
    assert auto_points("single", [1], normalise("single", ["a", "b"], 0), TEN) == 0


def test_a_multiple_choice_scores_only_exactly_the_right_options():
    options = ["a", "b", "c", "d"]
    assert auto_points("multiple", [0, 2], normalise("multiple", options, [2, 0]), TEN) == TEN
    assert auto_points("multiple", [0, 2], normalise("multiple", options, [0]), TEN) == 0
    assert auto_points("multiple", [0, 2], normalise("multiple", options, [0, 1, 2]), TEN) == 0


def test_true_or_false_and_no_answer():
    assert auto_points("true_false", True, normalise("true_false", [], "true"), TEN) == TEN
    assert auto_points("true_false", True, normalise("true_false", [], False), TEN) == 0
    assert auto_points("single", [0], normalise("single", ["a", "b"], None), TEN) == 0


def test_a_short_answer_waits_for_a_grader():
    assert auto_points("short", "要点", normalise("short", [], " 我的回答 "), TEN) is None
    assert normalise("short", [], " 我的回答 ") == "我的回答"


@pytest.mark.parametrize(
    ("kind", "response"),
    [("single", [5]), ("single", [0, 1]), ("multiple", ["x"]), ("true_false", "maybe")],
)
def test_an_answer_the_question_cannot_have_is_refused(kind, response):
    with pytest.raises(ExamError) as caught:
        normalise(kind, ["a", "b"], response)
    assert caught.value.code == "answer_invalid"


def test_drawing_takes_the_count_of_each_rule_and_names_a_rule_the_bank_cannot_fill():
    rules = parse_rules(
        [
            {"subject": "法规", "kind": "single", "count": 2, "points": 5},
            {"subject": "管理", "kind": "true_false", "count": 1, "points": "2.5"},
        ]
    )
    pool = {("法规", "single"): [1, 2, 3, 4], ("管理", "true_false"): [9]}
    drawn = draw(rules, pool, random.Random(7))
    assert len(drawn) == 3 and {q for q, _ in drawn[:2]} <= {1, 2, 3, 4}
    assert drawn[2] == (9, Decimal("2.5"))
    assert draw(rules, pool, random.Random(7)) == drawn  # the same seed, the same paper
    with pytest.raises(ExamError) as caught:
        draw([Rule("法规", "single", 5, TEN)], pool, random.Random(1))
    assert caught.value.code == "not_enough_questions"


def test_a_rule_without_a_count_is_refused():
    with pytest.raises(ExamError):
        parse_rules([{"subject": "法规", "kind": "single", "count": 0, "points": 5}])
