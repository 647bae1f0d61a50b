"""Cadre rule sets worked by hand: Nanjing credit table, 乡科级 12 days or 90, 县处级 550 in 5."""

import datetime as dt

from tests.policy.helpers import credit, d, subject
from xuefen.policy.engine import evaluate, window_periods
from xuefen.policy.shipped import shipped

NANJING = shipped("cadre_nanjing")
TOWNSHIP = shipped("cadre_township")
COUNTY = shipped("cadre_county")

REQ_ONLINE = ("required", "online")
REQ_OFFLINE = ("required", "offline")


def by_code(evaluation):
    return {r.code: r for r in evaluation.requirements}


def nanjing(*credits, born=dt.date(1985, 6, 15), period=2026, carried_in=None):
    return evaluate(NANJING, subject("township", born), list(credits), period, carried_in)


def line(evaluation, entry_id):
    return next(x for x in evaluation.lines if x.entry_id == entry_id)


def test_nanjing_year_met_exactly_grades_pass():
    # 必修: 46 party school + 10 online = 56 (online 必修 10 ≥ 10); 选修 28; total 84 → ratio 1.
    result = nanjing(
        credit(1, 46, REQ_OFFLINE, unit="credits"),
        credit(2, 10, REQ_ONLINE, unit="credits"),
        credit(3, 28, ("elective",), unit="credits"),
    )
    assert result.met
    assert result.grade == "pass"


def test_nanjing_online_required_short_fails_even_with_enough_total():
    # 必修 60 all offline, 选修 40: total 100 ≥ 84, 必修 60 ≥ 56, but 网络必修 0 < 10 → gap 10.
    result = nanjing(
        credit(1, 60, REQ_OFFLINE, unit="credits"), credit(2, 40, ("elective",), unit="credits")
    )
    reqs = by_code(result)
    assert not result.met
    assert reqs["online_required"].gap == d(10)
    assert result.grade == "fail"


def test_nanjing_out_of_town_training_counts_at_most_48():
    # One 10-day out-of-town training reported as 60 credits: counted 48, "capped", the cap named.
    result = nanjing(credit(1, 60, ("elective",), kind="out_of_town_training", unit="credits"))
    first = line(result, 1)
    assert (first.counted, first.status) == (d(48), "capped")
    assert "48" in first.reason


def test_nanjing_degree_study_capped_at_24_a_year_across_entries():
    # Degree study 20 + 20 in one year: the first counts 20, the second only 24 − 20 = 4.
    result = nanjing(
        credit(1, 20, ("elective",), kind="degree", unit="credits"),
        credit(2, 20, ("elective",), kind="degree", unit="credits"),
    )
    assert [x.counted for x in result.lines] == [d(20), d(4)]
    assert line(result, 2).status == "capped"


def test_nanjing_in_unit_training_capped_per_class_not_per_year():
    # Two in-unit classes of 20: each capped at 18 → 36 counted.
    result = nanjing(
        credit(1, 20, ("elective",), kind="in_unit_training", key="class:1", unit="credits"),
        credit(2, 20, ("elective",), kind="in_unit_training", key="class:2", unit="credits"),
    )
    assert result.total_counted == d(36)


def test_nanjing_paper_counted_once():
    # A national paper (48) claimed twice: 48 counted once; the second is a duplicate.
    result = nanjing(
        credit(1, 48, ("elective",), kind="paper", key="paper:doi-1", unit="credits"),
        credit(2, 48, ("elective",), kind="paper", key="paper:doi-1", unit="credits"),
    )
    assert result.total_counted == d(48)
    assert line(result, 2).status == "duplicate"


def test_nanjing_excess_required_carries_to_next_years_elective():
    # 2025: 必修 70 (10 online) → 70 − 56 = 14 carries out to 2026 选修.
    # 2026: 必修 56 (10 online) + 选修 14 own = 70, + 14 carried in = 84 total → met.
    credits = [
        credit(1, 60, REQ_OFFLINE, period=2025, unit="credits"),
        credit(2, 10, REQ_ONLINE, period=2025, unit="credits"),
        credit(3, 46, REQ_OFFLINE, unit="credits"),
        credit(4, 10, REQ_ONLINE, unit="credits"),
        credit(5, 14, ("elective",), unit="credits"),
    ]
    assert window_periods(NANJING, 2026) == [2025, 2026]
    last_year = nanjing(*credits, period=2025)
    assert last_year.carry_out == {"elective": d(14)}
    result = nanjing(*credits)
    assert result.carry_in == {"elective": d(14)}
    assert by_code(result)["total"].earned == d(84)
    assert result.met
    # Only 2026's own credits are "counted" in the year's total; the carried 14 is shown apart.
    assert result.total_counted == d(70)


def test_nanjing_carried_in_does_not_carry_again():
    # carried in 30 to 选修; 必修 exactly 56 → nothing carries out.
    result = nanjing(
        credit(1, 46, REQ_OFFLINE, unit="credits"),
        credit(2, 10, REQ_ONLINE, unit="credits"),
        carried_in={"elective": d(30)},
    )
    assert result.carry_out == {}
    assert by_code(result)["total"].earned == d(86)


def test_nanjing_grade_excellent_threshold_is_lower_for_55_and_over():
    # Total 120 = 120/84 ≈ 1.43: under 45 needs 1.5 for 优秀 → 良好 (≥ 1.2);
    # 55 and over needs 1.3 → 优秀.
    credits = [
        credit(1, 46, REQ_OFFLINE, unit="credits"),
        credit(2, 10, REQ_ONLINE, unit="credits"),
        credit(3, 64, ("elective",), unit="credits"),
    ]
    young = nanjing(*credits, born=dt.date(1990, 1, 1))
    older = nanjing(*credits, born=dt.date(1968, 1, 1))  # 58 at the end of 2026
    assert (young.age_bracket, young.grade) == ("under45", "good")
    assert (older.age_bracket, older.grade) == ("55plus", "excellent")


def test_township_twelve_days_meets_even_below_ninety_hours():
    # 12 training days at 7.5 学时 = 90 学时 → days alternative 12 ≥ 12 (and hours 90 ≥ 90).
    # 11 days (82.5) + 5 online hours = 87.5: days 11 < 12, hours 87.5 < 90 → not met; closest
    # is hours, gap 2.5.
    met = evaluate(
        TOWNSHIP, subject("township"),
        [credit(i, "7.5", REQ_OFFLINE, kind="training_day") for i in range(1, 13)], 2026,
    )  # fmt: skip
    assert by_code(met)["annual"].met
    short = evaluate(
        TOWNSHIP, subject("township"),
        [credit(i, "7.5", REQ_OFFLINE, kind="training_day") for i in range(1, 12)]
        + [credit(20, 5, ("elective", "online"))],
        2026,
    )  # fmt: skip
    annual = by_code(short)["annual"]
    assert not annual.met
    assert [alt.earned for alt in annual.alternatives] == [d(11), d("87.5")]
    assert (annual.unit, annual.gap) == ("hours", d("2.5"))


def test_township_ninety_hours_of_anything_meets():
    result = evaluate(TOWNSHIP, subject("township"), [credit(1, 90, ("elective", "online"))], 2026)
    assert result.met


def test_township_online_plan_target_is_shown_but_not_required():
    # 90 学时 offline: the yearly requirement is met; online 0 of 50 is a gap, yet the year is met.
    result = evaluate(TOWNSHIP, subject("township"), [credit(1, 90, REQ_OFFLINE)], 2026)
    plan = by_code(result)["online_plan"]
    assert (plan.met, plan.binding, plan.gap) == (False, False, d(50))
    assert result.met


def test_county_window_sums_five_years():
    # Window 2023–2027: 110 a year for 2023..2027 = 550 → met in 2027.
    credits = [credit(y, 110, REQ_OFFLINE, period=y) for y in range(2023, 2028)]
    assert window_periods(COUNTY, 2027) == [2023, 2024, 2025, 2026, 2027]
    result = evaluate(COUNTY, subject("county"), credits, 2027)
    five = by_code(result)["five_year"]
    assert (five.earned, five.required, five.window) == (d(550), d(550), (2023, 2027))
    assert result.met


def test_county_mid_window_expects_pace():
    # 2025 is year 3 of 2023–2027: 550 × 3/5 = 330 expected; earned 100 + 100 + 100 = 300 → gap 30.
    credits = [credit(y, 100, REQ_OFFLINE, period=y) for y in (2023, 2024, 2025)]
    result = evaluate(COUNTY, subject("county"), credits, 2025)
    five = by_code(result)["five_year"]
    assert (five.required, five.gap) == (d(330), d(30))


def test_county_next_window_starts_afresh():
    # 2028 opens the window 2028–2032: the 2023–2027 hours do not count.
    credits = [credit(y, 110, REQ_OFFLINE, period=y) for y in range(2023, 2028)]
    result = evaluate(COUNTY, subject("county"), credits, 2028)
    assert by_code(result)["five_year"].earned == d(0)
