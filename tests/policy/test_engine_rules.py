"""Engine features that the shipped rule sets do not all use, on small rule sets written here:
per-category caps, age-bracket requirements, configured brackets, leave exemption, rounding."""

import datetime as dt

import pytest

from tests.policy.helpers import credit, d, subject
from xuefen.policy.engine import Exemption, State, evaluate
from xuefen.policy.schema import RuleSetError, Window, load_yaml

RULES = load_yaml(
    """
code: small
version: 1
valid_from: 2026-01-01
unit: hours
rounding: 0.5
categories:
  - {code: required, label: 必修}
  - {code: elective, label: 选修}
age_brackets:
  - {code: young, label: 50岁以下, max_age: 49}
  - {code: senior, label: 50岁及以上, min_age: 50}
requirements:
  - {code: total, label: 总学时, min: 80, by_age: {senior: 60}}
  - {code: required, label: 必修, category: required, min: 40}
caps:
  - {code: elective_year, label: 选修年度上限, category: elective, per: period, max: 30}
proration:
  new_hire: true
  leave_exempt_months: 6
"""
)


def by_code(evaluation):
    return {r.code: r for r in evaluation.requirements}


def test_category_cap_per_year_counts_only_up_to_the_cap():
    # 选修 20 + 20 = 40, capped at 30: the second counts 10. 必修 40 → total 70 < 80.
    result = evaluate(
        RULES, subject(),
        [credit(1, 40, ("required",)), credit(2, 20, ("elective",)), credit(3, 20, ("elective",))],
        2026,
    )  # fmt: skip
    assert [x.counted for x in result.lines] == [d(40), d(20), d(10)]
    assert "选修年度上限" in result.lines[2].reason
    assert by_code(result)["total"].gap == d(10)


def test_requirement_differs_by_configured_age_bracket():
    # Born 1975: 51 at the end of 2026 → "senior", total 60 instead of 80.
    result = evaluate(
        RULES, subject(born=dt.date(1975, 3, 1)), [credit(1, 60, ("required",))], 2026
    )
    assert result.age_bracket == "senior"
    assert by_code(result)["total"].required == d(60)
    assert result.met


def test_leave_of_six_months_exempts_fully_under_this_rule_set():
    leave = Exemption(2026, "leave", months=6, reason="病假")
    result = evaluate(RULES, subject(exemptions=(leave,)), [], 2026)
    assert (result.met, result.grade, result.factor) == (True, "exempt", d(0))


def test_required_amounts_round_to_half_hours_when_the_rule_set_says():
    # Hired 2026-06-10: June–December = 7 months → 80 × 7/12 = 46.67 → 46.5;
    # 40 × 7/12 = 23.33 → 23.5.
    result = evaluate(RULES, subject(hired_on=dt.date(2026, 6, 10)), [], 2026)
    assert by_code(result)["total"].required == d("46.5")
    assert by_code(result)["required"].required == d("23.5")


def test_hired_in_an_earlier_year_is_held_to_the_full_year():
    result = evaluate(RULES, subject(hired_on=dt.date(2025, 6, 10)), [], 2026)
    assert by_code(result)["total"].required == d(80)


def test_every_line_explains_itself_and_names_the_rule_set():
    result = evaluate(RULES, subject(), [credit(1, 50, ("elective",))], 2026)
    sentences = result.explain()
    assert any("选修年度上限" in s for s in sentences)
    assert result.ruleset_label in sentences[-1]
    assert result.ruleset == "small v1"


def test_carry_over_is_limited_by_its_max():
    rules = load_yaml(
        """
code: carry
version: 1
valid_from: 2026-01-01
unit: credits
categories: [{code: required}, {code: elective}]
requirements:
  - {code: total, min: 50}
  - {code: required, category: required, min: 30}
carry_over:
  - {requirement: required, to: elective, max: 5}
"""
    )
    # 2025: 必修 45 → excess 15, limited to 5 → 2026 选修 starts with 5.
    credits = [credit(1, 45, ("required",), period=2025, unit="credits")]
    result = evaluate(rules, subject(), credits, 2026)
    assert result.carry_in == {"elective": d(5)}
    assert by_code(result)["total"].earned == d(5)


def _rules(extra: str):
    return load_yaml(
        """
code: windows
version: 1
valid_from: 2020-01-01
unit: hours
categories: [{code: training, label: 培训}]
"""
        + extra
    )


def test_a_rolling_window_is_always_in_its_last_year():
    # 180 in any 3 years ending with the year judged: 2026 sums 2024–2026 and is met or not.
    rules = _rules("requirements: [{code: three, min: 180, window: {years: 3, kind: rolling}}]")
    credits = [credit(i, 50, ("training",), period=y) for i, y in enumerate((2023, 2024, 2025), 1)]
    result = evaluate(rules, subject(), credits, 2026)
    three = by_code(result)["three"]
    assert (three.window, three.window_kind, three.earned, result.state) == (
        (2024, 2026), "rolling", d(100), State.SHORT,
    )  # fmt: skip


def test_the_older_window_keys_still_read():
    fixed = _rules("requirements: [{code: five, min: 10, window_years: 5, window_anchor: 2023}]")
    rolling = _rules("requirements: [{code: five, min: 10, window_years: 5}]")
    assert fixed.requirements[0].window == Window(5, "fixed", 2023)
    assert rolling.requirements[0].window == Window(5, "rolling", None)


@pytest.mark.parametrize(
    ("window", "code"),
    [
        ("{years: 5}", "window_first_missing"),
        ("{years: 3, kind: rolling, first: 2023}", "window_first_rolling"),
        ("{years: 3, kind: sliding}", "unknown_window_kind"),
    ],
)
def test_a_window_that_does_not_say_what_it_is_is_refused(window, code):
    with pytest.raises(RuleSetError) as refused:
        _rules(f"requirements: [{{code: w, min: 10, window: {window}}}]")
    assert refused.value.code == code
    assert refused.value.field.startswith("requirements[0].window")


def test_a_target_in_an_unknown_unit_is_refused():
    with pytest.raises(RuleSetError) as refused:
        _rules("requirements: [{code: w, min: 10, unit: credits}]")
    assert refused.value.field == "requirements[0].unit"


def test_days_count_what_the_entries_record_not_their_hours():
    rules = _rules("requirements: [{code: days, min: 5, unit: days}]")
    credits = [
        credit(1, 30, ("training",), first=dt.date(2026, 3, 2), day=dt.date(2026, 3, 4), days=3),
        credit(2, 100, ("training",)),  # no days recorded: counts no day
    ]
    assert by_code(evaluate(rules, subject(), credits, 2026))["days"].earned == d(3)


def test_a_year_that_starts_in_october():
    rules = _rules('year_starts: "10-01"\nrequirements: [{code: total, min: 10}]')
    calendar = rules.calendar
    assert calendar.period_of(dt.date(2025, 9, 30)) == 2025
    assert calendar.period_of(dt.date(2025, 10, 1)) == 2026
    assert (calendar.first_day(2026), calendar.last_day(2026)) == (
        dt.date(2025, 10, 1), dt.date(2026, 9, 30),
    )  # fmt: skip


def test_the_calendar_year_boundary():
    calendar = _rules("requirements: [{code: total, min: 10}]").calendar
    assert calendar.period_of(dt.date(2026, 12, 31)) == 2026
    assert calendar.period_of(dt.date(2027, 1, 1)) == 2027


def test_a_day_that_no_year_has_is_refused_as_a_year_start():
    with pytest.raises(RuleSetError) as refused:
        _rules('year_starts: "02-29"\nrequirements: [{code: total, min: 10}]')
    assert refused.value.field == "year_starts"
