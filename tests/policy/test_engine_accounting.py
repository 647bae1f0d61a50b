"""Accounting rule set (90 学分, 专业 ≥ 60; 1 学时 = 3 学分; at most 10 学时 = 30 学分 a day)."""

import datetime as dt

from tests.policy.helpers import credit, d, subject
from xuefen.policy.engine import evaluate
from xuefen.policy.shipped import shipped

RULES = shipped("accounting")


def test_hours_count_three_credits_each():
    # 10 + 10 学时 专业 on two days = 60 学分; 10 学时 公需 on a third = 30 → 90, 专业 60: met.
    result = evaluate(
        RULES, subject(),
        [credit(1, 10, ("professional",), day=dt.date(2026, 3, 1)),
         credit(2, 10, ("professional",), day=dt.date(2026, 3, 2)),
         credit(3, 10, ("public",), day=dt.date(2026, 3, 3))],
        2026,
    )  # fmt: skip
    assert result.total_counted == d(90)
    assert result.met


def test_daily_cap_of_thirty_credits():
    # One day: 8 学时 (24 学分) then 4 学时 (12 学分) → the second counts 30 − 24 = 6.
    day = dt.date(2026, 5, 1)
    result = evaluate(
        RULES, subject(),
        [credit(1, 8, ("professional",), day=day), credit(2, 4, ("public",), day=day)],
        2026,
    )  # fmt: skip
    assert [x.counted for x in result.lines] == [d(24), d(6)]
    assert result.lines[1].status == "capped"


def test_credits_recorded_in_credits_count_as_they_are():
    result = evaluate(RULES, subject(), [credit(1, 27, ("professional",), unit="credits")], 2026)
    assert result.total_counted == d(27)
