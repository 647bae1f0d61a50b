"""The completion rule and a class's credit, pure: exact shares, the reasons worded, the credit
by a rule set's conversion or the class's own hours."""

import datetime as dt
from decimal import Decimal

import pytest

from xuefen.policy.schema import load_yaml
from xuefen.policy.shipped import shipped_texts
from xuefen.training import credit, rules
from xuefen.training.errors import TrainingError

D = Decimal


@pytest.mark.parametrize(("text", "value"), [("1/7", (1, 7)), ("0.8", (4, 5)), ("6／7", (6, 7))])
def test_shares_read_exactly(text, value):
    share = rules.parse_share(text)
    assert share is not None and (share.numerator, share.denominator) == value


@pytest.mark.parametrize("text", ["0", "8/7", "x", "1/0", "-1/7"])
def test_bad_shares_are_refused(text):
    with pytest.raises(TrainingError):
        rules.parse_share(text)


@pytest.mark.parametrize(
    ("leave", "codes"),
    [("12", []), ("12.5", ["leave_over"]), ("14", ["leave_over"])],
)
def test_leave_of_one_seventh_passes_more_fails(leave, codes):
    reasons = rules.judge(
        total_hours=D(84),
        present_hours=D(84) - D(leave),
        leave_hours=D(leave),
        test_score=None,
        attendance_min="6/7",
        leave_max="1/7",
    )
    assert [r.code for r in reasons if r.code == "leave_over"] == codes


def test_a_test_needs_its_score():
    missing = rules.judge(
        total_hours=D(6), present_hours=D(6), leave_hours=D(0), test_score=None,
        attendance_min="4/5", test_pass_mark=D(60),
    )  # fmt: skip
    failed = rules.judge(
        total_hours=D(6), present_hours=D(6), leave_hours=D(0), test_score=D("59.5"),
        attendance_min="4/5", test_pass_mark=D(60),
    )  # fmt: skip
    assert [r.code for r in missing] == ["test_missing"]
    assert failed[0].figures == {"score": "59.5", "mark": "60"}


def test_every_shipped_completion_rule_reads_and_cites_its_source():
    shipped = rules.shipped()
    assert {"full_time", "part_time"} <= set(shipped)
    assert shipped["full_time"].leave_max == "1/7"
    assert all(rule.source for rule in shipped.values())
    assert "第十五条" in shipped["full_time"].source


def _facts(kind="", full_time=True, days=13, hours="78"):
    return credit.ClassFacts(
        kind=kind, categories=("required", "centralised"), amount=D(30), unit="hours",
        full_time=full_time, first_day=dt.date(2026, 3, 2), last_day=dt.date(2026, 3, 14),
        days=D(days), hours=D(hours), minutes=int(D(hours) * 45),
    )  # fmt: skip


def test_a_class_earns_by_the_rule_sets_conversion_where_there_is_one():
    township = load_yaml(shipped_texts()["cadre_township"])
    earned = credit.for_learner(_facts("party_school_day"), township)
    assert (earned.amount, earned.days, earned.kind) == (D("97.5"), D(13), "party_school_day")
    assert "centralised" in earned.categories


def test_a_class_without_a_conversion_earns_its_hours_and_days():
    earned = credit.for_learner(_facts(""), load_yaml(shipped_texts()["cadre_township"]))
    assert (earned.amount, earned.days, earned.categories) == (
        D(78), D(13), ("required", "centralised")
    )  # fmt: skip


def test_a_part_time_class_records_no_days():
    assert credit.for_learner(_facts("", full_time=False), None).days is None


def test_teaching_earns_by_the_rule_sets_teaching_conversion():
    township = load_yaml(shipped_texts()["cadre_township"])
    earned = credit.for_teacher(D(6), township)
    assert earned is not None and earned.amount == D(30)
    assert credit.for_teacher(D(6), None) is None
