"""专技 national rule set (90 学时 a year, 专业 ≥ 60, 公需 ≥ 30), worked by hand."""

import datetime as dt

from django.utils import translation

from tests.policy.helpers import credit, d, subject
from xuefen.policy.engine import Exemption, evaluate
from xuefen.policy.shipped import shipped

RULES = shipped("professional_national")


def by_code(evaluation):
    return {r.code: r for r in evaluation.requirements}


def test_exactly_sixty_professional_and_thirty_public_meets_the_year():
    # 60 专业 + 30 公需 = 90 total: every minimum met exactly.
    result = evaluate(
        RULES, subject(), [credit(1, 60, ("professional",)), credit(2, 30, ("public",))], 2026
    )
    assert result.met
    assert result.total_counted == d(90)
    assert by_code(result)["total"].gap == d(0)


def test_ninety_hours_all_public_fails_the_professional_share():
    # 90 公需: total 90 ≥ 90, but 专业 0 < 60 → gap 60; 公需 met.
    result = evaluate(RULES, subject(), [credit(1, 90, ("public",))], 2026)
    reqs = by_code(result)
    assert not result.met
    assert reqs["total"].met
    assert reqs["professional"].gap == d(60)
    assert reqs["public"].met


def test_gap_is_explained_in_chinese_first():
    # 专业 70 + 公需 24 = 94: total and 专业 met, 公需 short by 30 − 24 = 6.
    result = evaluate(
        RULES, subject(), [credit(1, 70, ("professional",)), credit(2, 24, ("public",))], 2026
    )
    with translation.override("zh-hans"):
        sentences = result.explain()
    assert sentences[0] == "还差 公需科目 6 学时"
    assert result.ruleset == "professional_national v1"


def test_new_hire_in_july_is_held_to_half_the_year():
    # Hired 2026-07-01: July–December = 6 of 12 months → total 45, 专业 30, 公需 15.
    hired = subject(hired_on=dt.date(2026, 7, 1))
    result = evaluate(
        RULES, hired, [credit(1, 30, ("professional",)), credit(2, 15, ("public",))], 2026
    )
    reqs = by_code(result)
    assert (reqs["total"].required, reqs["professional"].required, reqs["public"].required) == (
        d(45),
        d(30),
        d(15),
    )
    assert result.met
    assert any("2026-07-01" in s for s in result.explain())


def test_leave_of_three_months_waives_a_quarter_and_says_why():
    # 3 months of leave: 90 × 9/12 = 67.5 total; 专业 60 × 0.75 = 45; 公需 30 × 0.75 = 22.5.
    leave = Exemption(2026, "leave", months=3, reason="产假")
    result = evaluate(RULES, subject(exemptions=(leave,)), [], 2026)
    reqs = by_code(result)
    assert reqs["total"].required == d("67.5")
    assert reqs["public"].required == d("22.5")
    assert any("产假" in s for s in result.explain())


def test_full_exemption_grades_exempt_and_meets():
    exempt = Exemption(2026, "other", ratio=d(1), reason="援外")
    result = evaluate(RULES, subject(exemptions=(exempt,)), [], 2026)
    assert result.met
    assert result.grade == "exempt"


def test_exemption_for_another_year_changes_nothing():
    other_year = Exemption(2025, "leave", months=12, reason="病假")
    result = evaluate(RULES, subject(exemptions=(other_year,)), [], 2026)
    assert by_code(result)["total"].required == d(90)
    assert not result.met


def test_reversed_entry_and_its_reversal_count_nothing():
    # 60 专业 posted, then reversed (−60): both count 0, so 专业 is 0 of 60.
    credits = [credit(1, 60, ("professional",)), credit(2, -60, ("professional",), reverses=1)]
    result = evaluate(RULES, subject(), credits, 2026)
    assert [line.status for line in result.lines] == ["reversed", "reversed"]
    assert by_code(result)["professional"].earned == d(0)


def test_same_artefact_counts_once_and_the_later_is_marked_duplicate():
    # The same certificate reported twice (30 each): 30 counts, the second is a duplicate.
    credits = [
        credit(1, 30, ("professional",), key="cert:A1"),
        credit(2, 30, ("professional",), key="cert:A1"),
    ]
    result = evaluate(RULES, subject(), credits, 2026)
    assert by_code(result)["professional"].earned == d(30)
    second = next(line for line in result.lines if line.entry_id == 2)
    assert second.status == "duplicate"
    assert "1" in second.reason


def test_credits_of_other_years_do_not_count():
    result = evaluate(RULES, subject(), [credit(1, 90, ("professional",), period=2025)], 2026)
    assert by_code(result)["professional"].earned == d(0)


def test_credit_in_a_unit_the_rule_set_does_not_count_is_excluded():
    result = evaluate(RULES, subject(), [credit(1, 10, ("public",), unit="credits")], 2026)
    assert result.lines[0].status == "excluded"
    assert result.lines[0].counted == d(0)


def test_evaluation_as_dict_is_json_ready():
    import json

    result = evaluate(RULES, subject(), [credit(1, 70, ("professional",))], 2026)
    data = json.loads(json.dumps(result.as_dict()))
    assert data["ruleset"] == "professional_national v1"
    assert data["requirements"][1]["earned"] == "70"
    assert data["lines"][0]["activity_date"] == "2026-03-02"
    assert data["explanation"][0] == result.explain()[0]
