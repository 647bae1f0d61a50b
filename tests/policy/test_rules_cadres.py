"""The cadre rule sets against the 干部教育培训工作条例（2023年修订）, case by case, worked by hand.

第十四条第二款 (cadre_township): “应当每年参加干部教育培训主管部门认可的集中培训，
  累计不少于12天或者90学时”.
第十四条第一款 (cadre_county): “应当每5年参加…脱产培训，以及…认可的其他集中培训，
  累计不少于3个月或者550学时”, the five years being the plan cycle 2023–2027.
第十四条第三款: “干部应当结合岗位职责参加网络培训，完成规定的学时” — online learning is
  separate; the plan's 50 学时 a year is shown, not needed to pass.
"""

import datetime as dt
from dataclasses import replace

import pytest

from tests.policy.helpers import credit, d, subject
from xuefen.policy.engine import State, evaluate
from xuefen.policy.schema import Cap, Label
from xuefen.policy.shipped import shipped

TOWNSHIP = shipped("cadre_township")
COUNTY = shipped("cadre_county")
NANJING = shipped("cadre_nanjing")

CLASS = ("required", "offline", "centralised")  # a party-school or training class (集中培训)
ONLINE = ("elective", "online")


def by_code(evaluation):
    return {r.code: r for r in evaluation.requirements}


def a_class(entry_id, hours, days, first, period=None, kind="party_school_day"):
    """A class of `days` consecutive days from `first`, recorded with its hours and days."""
    span = int(d(days).to_integral_value(rounding="ROUND_CEILING")) if days else 1
    last = first + dt.timedelta(days=span - 1)
    return credit(
        entry_id, hours, CLASS, kind=kind, first=first, day=last, days=days,
        period=period or last.year,
    )  # fmt: skip


# --- 乡科级: 12 days or 90 学时 of 集中培训 a year (条例 第十四条第二款) -------------------------

TOWNSHIP_CASES = [
    # (case, credits, state, gaps of the yearly requirement: [(amount, unit)])
    (
        "13-day party-school class recorded in hours only meets by its days",
        [a_class(1, 78, 13, dt.date(2026, 3, 2))],
        State.MET,
        [],
    ),
    (
        "exactly 12 days, 72 学时: met by days",
        [a_class(1, 42, 7, dt.date(2026, 4, 6)), a_class(2, 30, 5, dt.date(2026, 9, 7))],
        State.MET,
        [],
    ),
    (
        "exactly 90 学时 in 11.5 days: met by hours",
        [a_class(1, 90, "11.5", dt.date(2026, 4, 6))],
        State.MET,
        [],
    ),
    (
        "11.5 days and 89.5 学时: both gaps shown",
        [a_class(1, "89.5", "11.5", dt.date(2026, 4, 6))],
        State.SHORT,
        [("0.5", "days"), ("0.5", "hours")],
    ),
    (
        "100 学时 online count nothing toward 集中培训",
        [credit(1, 100, ONLINE, kind="online_course")],
        State.SHORT,
        [("12", "days"), ("90", "hours")],
    ),
    (
        "a paper (48) and 60 学时 of classes: the paper is not 集中培训",
        [
            credit(1, 48, ("elective",), kind="paper", key="paper:x"),
            a_class(2, 60, 8, dt.date(2026, 5, 4)),
        ],
        State.SHORT,
        [("4", "days"), ("30", "hours")],
    ),
    (
        "a class of last year does not count this year",
        [a_class(1, 90, 12, dt.date(2025, 11, 3))],
        State.SHORT,
        [("12", "days"), ("90", "hours")],
    ),
]


@pytest.mark.parametrize(("case", "credits", "state", "gaps"), TOWNSHIP_CASES, ids=lambda v: v)
def test_township_yearly_centralised_training(case, credits, state, gaps):
    result = evaluate(TOWNSHIP, subject("township"), credits, 2026)
    annual = by_code(result)["annual"]
    assert result.state == state, case
    unmet = [] if annual.met else [(t.gap, t.unit) for t in annual.targets]
    assert unmet == [(d(a), u) for a, u in gaps]


def test_township_gap_reads_days_or_hours():
    result = evaluate(
        TOWNSHIP, subject("township"), [a_class(1, 85, 10, dt.date(2026, 4, 6))], 2026
    )
    assert by_code(result)["annual"].gap_text() == "还差 年度集中培训 2 天 或 5 学时"


def test_township_online_plan_is_shown_but_not_needed():
    result = evaluate(
        TOWNSHIP, subject("township"), [a_class(1, 90, 12, dt.date(2026, 4, 6))], 2026
    )
    plan = by_code(result)["online_plan"]
    assert (plan.state, plan.binding, plan.gap) == (State.SHORT, False, d(50))
    assert result.state == State.MET


def test_township_hired_on_1_july_is_held_to_half_the_year():
    # Hired 2026-07-01: July–December, 6 of 12 months → 6 days or 45 学时.
    result = evaluate(
        TOWNSHIP,
        subject("township", hired_on=dt.date(2026, 7, 1)),
        [a_class(1, 30, 4, dt.date(2026, 9, 7))],
        2026,
    )
    annual = by_code(result)["annual"]
    assert [(t.required, t.earned) for t in annual.targets] == [(d(6), d(4)), (d(45), d(30))]


def test_township_multi_day_class_against_a_daily_cap():
    # The rule set has no daily cap; an office that adds one (10 学时 a day) sees a 5-day class of
    # 40 学时 counted in full (8 a day), not cut to 10 as if it were one day.
    capped = replace(TOWNSHIP, caps=(Cap("daily", Label("每日上限"), d(10), "day"),))
    result = evaluate(capped, subject("township"), [a_class(1, 40, 5, dt.date(2026, 4, 6))], 2026)
    assert (result.lines[0].counted, result.lines[0].status) == (d(40), "counted")
    one_day = evaluate(capped, subject("township"), [a_class(1, 40, 1, dt.date(2026, 4, 6))], 2026)
    assert (one_day.lines[0].counted, one_day.lines[0].status) == (d(10), "capped")


# --- 县处级: 550 学时 or 3 months of 集中培训 in 2023–2027 (条例 第十四条第一款) ----------------


def county(credits, period):
    result = evaluate(COUNTY, subject("county"), credits, period)
    return result, by_code(result)["five_year"]


def yearly(hours_by_year):
    return [
        a_class(i, hours, 5, dt.date(year, 4, 6))
        for i, (year, hours) in enumerate(hours_by_year.items(), start=1)
    ]


def test_county_first_year_of_the_window_is_in_progress():
    result, five = county(yearly({2023: 100}), 2023)
    assert (result.state, five.state, five.window, five.years_left) == (
        State.IN_PROGRESS, State.IN_PROGRESS, (2023, 2027), 4,
    )  # fmt: skip
    assert result.grade == ""
    assert five.gap_text() == (
        "五年累计集中培训 还需 450 学时 或 2.83 个月，须于 2027 年底前完成（还有 4 年）"
    )


def test_county_middle_year_shows_what_remains_not_a_failure():
    # 2025, year 3 of 2023–2027: 206 of 550 → in progress, 344 to go in 2 more years.
    result, five = county(yearly({2023: 100, 2024: 56, 2025: 50}), 2025)
    assert result.state == State.IN_PROGRESS
    assert (five.targets[0].unit, five.targets[0].gap) == ("hours", d(344))
    assert five.years_left == 2


def test_county_last_year_is_met_or_not():
    short, five = county(yearly({2023: 110, 2024: 110, 2025: 110, 2026: 110, 2027: "109.5"}), 2027)
    assert (short.state, five.state, five.targets[0].gap) == (State.SHORT, State.SHORT, d("0.5"))
    met, five = county(yearly({2023: 110, 2024: 110, 2025: 110, 2026: 110, 2027: 110}), 2027)
    assert (met.state, five.earned) == (State.MET, d(550))


def test_county_met_early_in_the_window_is_met():
    result, _five = county(yearly({2023: 300, 2024: 250}), 2024)
    assert result.state == State.MET


def test_county_three_months_of_full_time_training_meets_the_window():
    # A 90-day (3 × 30) party-school 进修班 from 2025-03-01 to 2025-05-29, 400 学时 recorded.
    long_class = credit(1, 400, CLASS, first=dt.date(2025, 3, 1), day=dt.date(2025, 5, 29),
                        days=64, period=2025)  # fmt: skip
    result, five = county([long_class], 2025)
    assert five.targets[1].earned == d(3)
    assert (result.state, five.state) == (State.MET, State.MET)


def test_county_overlapping_classes_count_their_days_once_for_months():
    # Two records of the same 30 days (the class and a session within it): one month, not two.
    first = credit(1, 200, CLASS, first=dt.date(2025, 3, 1), day=dt.date(2025, 3, 30), period=2025)
    inner = credit(2, 20, CLASS, first=dt.date(2025, 3, 10), day=dt.date(2025, 3, 12), period=2025)
    _result, five = county([first, inner], 2025)
    assert five.targets[1].earned == d(1)


def test_county_next_window_starts_afresh():
    result, five = county(yearly({2023: 300, 2024: 300}), 2028)
    assert (five.window, five.earned, result.state) == ((2028, 2032), d(0), State.IN_PROGRESS)


def test_county_online_learning_counts_nothing_toward_the_window():
    _result, five = county([credit(1, 550, ONLINE, period=2027, day=dt.date(2027, 6, 1))], 2027)
    assert five.earned == d(0)


# --- 南京学分表 (处级及以上, 宁人字〔2009〕108号) -------------------------------------------------

REQ_ONLINE = ("required", "online")


def nanjing(*credits, born=dt.date(1985, 6, 15), period=2026):
    return evaluate(NANJING, subject("county", born), list(credits), period)


def nanjing_year(days=14):
    """必修 56 (a party-school class of `days` days, 46 学分, and 10 online 必修), online 40 in all,
    total 86."""
    return [
        credit(1, 46, ("required", "offline", "centralised"), kind="party_school_day",
               first=dt.date(2026, 3, 2), day=dt.date(2026, 3, 1 + days), days=days,
               unit="credits"),
        credit(2, 10, REQ_ONLINE, unit="credits"),
        credit(3, 30, ("elective", "online"), unit="credits"),
    ]  # fmt: skip


def test_nanjing_year_met_exactly_grades_pass():
    # 必修 46 + 10 = 56; online 10 + 30 = 40; total 86 ≥ 84; 14 days → met, 86/84 < 1.2 → 合格.
    result = nanjing(*nanjing_year())
    assert (result.state, result.grade) == (State.MET, "pass")


def test_nanjing_thirteen_days_misses_the_days_requirement():
    result = nanjing(*nanjing_year(days=13))
    assert by_code(result)["days"].gap == d(1)
    assert result.state == State.SHORT


def test_nanjing_grade_thresholds_change_on_the_55th_birthday():
    # Total 110 = 1.31 of 84. Age on 31 December 2026: born 1971-12-31 → 55 (55 and over: 优秀 at
    # 1.3); born 1972-01-01 → 54 (45–54: 优秀 needs 1.5 → 良好 at 1.2).
    credits = [*nanjing_year(), credit(9, 24, ("elective",), unit="credits")]
    turned_55 = nanjing(*credits, born=dt.date(1971, 12, 31))
    still_54 = nanjing(*credits, born=dt.date(1972, 1, 1))
    assert (turned_55.age_bracket, turned_55.grade) == ("55plus", "excellent")
    assert (still_54.age_bracket, still_54.grade) == ("45to54", "good")


def test_nanjing_paper_counts_once_even_a_year_later():
    # “同一篇论文不累计计算”: the same paper claimed in 2025 and again in 2026 counts in 2025 only.
    paper_2025 = credit(1, 48, ("required",), kind="paper", key="paper:doi-1", period=2025,
                        unit="credits")  # fmt: skip
    paper_2026 = credit(2, 48, ("required",), kind="paper", key="paper:doi-1", unit="credits")
    result = nanjing(paper_2025, paper_2026)
    line = next(x for x in result.lines if x.entry_id == 2)
    assert (line.status, line.counted) == ("duplicate", d(0))


def test_nanjing_degree_study_capped_at_24_a_year_across_entries():
    result = nanjing(
        credit(1, 20, ("elective",), kind="degree", unit="credits"),
        credit(2, 20, ("elective",), kind="degree", unit="credits"),
    )
    assert [x.counted for x in result.lines] == [d(20), d(4)]


def test_nanjing_training_away_counts_at_most_48():
    # A 10-day training away reported as 60: counted 48 (“最高不超过48学分”).
    result = nanjing(credit(1, 60, ("required",), kind="out_of_town_training", unit="credits"))
    assert (result.lines[0].counted, result.lines[0].status) == (d(48), "capped")


def test_nanjing_excess_required_carries_to_next_years_elective():
    # 2025: 必修 70 → 14 over 56 carries to 2026 选修.
    credits = [
        credit(1, 60, ("required", "offline"), period=2025, unit="credits"),
        credit(2, 10, REQ_ONLINE, period=2025, unit="credits"),
        credit(3, 46, ("required", "offline"), unit="credits"),
        credit(4, 10, REQ_ONLINE, unit="credits"),
    ]
    result = nanjing(*credits)
    assert result.carry_in == {"elective": d(14)}
    assert by_code(result)["total"].earned == d(70)
