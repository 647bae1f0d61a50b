"""Activities to credits, by the shipped conversion tables, worked by hand."""

import pytest

from tests.policy.helpers import d
from xuefen.policy.conversions import ConversionError, convert
from xuefen.policy.schema import load_yaml
from xuefen.policy.shipped import shipped

NANJING = shipped("cadre_nanjing")
SUQIAN = shipped("professional_suqian")
ACCOUNTING = shipped("accounting")
TOWNSHIP = shipped("cadre_township")


def test_nanjing_party_school_is_six_a_day():
    # 5 days × 6 = 30 必修.
    result = convert(NANJING, "party_school_day", 5)
    assert (result.amount, result.unit, result.categories) == (
        d(30),
        "credits",
        ("required", "offline", "centralised"),
    )


def test_nanjing_out_of_town_training_stops_at_48():
    # 10 days × 6 = 60 → capped at 48.
    result = convert(NANJING, "out_of_town_training", 10)
    assert (result.amount, result.capped) == (d(48), True)
    assert "48" in result.reason


def test_nanjing_teaching_is_five_per_hour_taught():
    assert convert(NANJING, "teaching", 3).amount == d(15)


@pytest.mark.parametrize(("level", "amount"), [("city", 12), ("province", 24), ("national", 48)])
def test_nanjing_paper_by_journal_level(level, amount):
    assert convert(NANJING, "paper", 1, level=level).amount == d(amount)


def test_unknown_paper_level_is_refused_naming_it():
    with pytest.raises(ConversionError) as exc:
        convert(NANJING, "paper", 1, level="county")
    assert "county" in str(exc.value)


def test_suqian_full_and_part_time_days():
    # 4 full-time days × 6 = 24; 4 part-time days × 3 = 12.
    assert convert(SUQIAN, "full_time_training", 4).amount == d(24)
    assert convert(SUQIAN, "part_time_training", 4).amount == d(12)


def test_suqian_degree_study_splits_100_over_two_years():
    result = convert(SUQIAN, "degree", 1)
    assert result.amount == d(100)
    assert result.splits == (d(50), d(50))


def test_suqian_lump_sums_for_course_and_exam():
    assert convert(SUQIAN, "passed_course", 1).amount == d(10)
    assert convert(SUQIAN, "qualification_exam", 1).amount == d(40)


def test_accounting_45_minutes_are_three_credits_whole_blocks_only():
    # 100 minutes = 2 whole blocks of 45 → 6 学分.
    assert convert(ACCOUNTING, "professional_training", 100).amount == d(6)


def test_accounting_day_capped_at_ten_hours():
    # 8 hours = 480 minutes = 10 blocks (450) → 30 学分; 9 hours = 540 → 12 blocks = 36 → 30.
    assert convert(ACCOUNTING, "professional_training", 480).capped is False
    result = convert(ACCOUNTING, "professional_training", 540)
    assert (result.amount, result.capped) == (d(30), True)


@pytest.mark.parametrize(("minutes", "hours"), [(45, "1"), (30, "1"), (20, "0.5"), (10, "0.25")])
def test_online_course_bands(minutes, hours):
    assert convert(TOWNSHIP, "online_course", minutes).amount == d(hours)


def test_unknown_kind_is_refused():
    with pytest.raises(ConversionError) as exc:
        convert(NANJING, "karaoke", 1)
    assert exc.value.code == "unknown_kind"


def test_per_item_by_level_and_author_rank_and_per_1000_chars_rounded_to_half():
    rules = load_yaml(
        """
code: t
version: 1
valid_from: 2026-01-01
unit: credits
categories: [{code: elective}]
requirements: [{code: total, min: 10}]
conversions:
  paper:
    method: per_item
    categories: [elective]
    table:
      - {level: national, author_rank: "1", amount: 48}
      - {level: national, amount: 24}
  notes:
    method: per_1000_chars
    rate: 0.75
    round_to: 0.5
    categories: [elective]
"""
    )
    # First author 48, any other rank 24; 3,500 字 → 3 thousands × 0.75 = 2.25 → 2.5 (to 0.5).
    assert convert(rules, "paper", 1, level="national", author_rank="1").amount == d(48)
    assert convert(rules, "paper", 1, level="national", author_rank="3").amount == d(24)
    assert convert(rules, "notes", 3500).amount == d("2.5")
