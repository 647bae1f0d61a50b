"""Rule sets are refused with a message that names the problem and where it is; the shipped ones
load and survive a YAML round trip."""

import pytest
from django.utils import translation

from xuefen.policy.schema import RuleSetError, dump_yaml, load_yaml
from xuefen.policy.shipped import shipped_texts

BASE = """
code: test
version: 1
valid_from: 2026-01-01
unit: hours
categories:
  - {code: public, label: {zh: 公需科目, en: Public}}
  - {code: professional, label: 专业科目}
requirements:
  - {code: total, min: 90}
  - {code: public, category: public, min: 30}
"""


def refused(text: str) -> RuleSetError:
    with pytest.raises(RuleSetError) as exc:
        load_yaml(text)
    return exc.value


@pytest.mark.parametrize("name", sorted(shipped_texts()))
def test_shipped_rule_set_survives_a_yaml_round_trip(name):
    data = load_yaml(shipped_texts()[name])
    assert load_yaml(dump_yaml(data)) == data


def test_unknown_category_is_named_with_its_path():
    error = refused(BASE.replace("category: public", "category: publik"))
    assert error.code == "unknown_category"
    assert str(error) == "requirements[1].categories: 未知的学分类别“publik”"
    with translation.override("en"):
        error = refused(BASE.replace("category: public", "category: publik"))
    assert str(error) == "requirements[1].categories: unknown category 'publik'"


def test_negative_cap_is_refused():
    error = refused(BASE + "caps:\n  - {code: c, per: period, category: public, max: -5}\n")
    assert error.code == "negative"
    assert str(error).startswith("caps[0].max:")


def test_misspelt_key_is_refused_not_ignored():
    error = refused(BASE + "carryover: []\n")
    assert (error.code, error.field) == ("unknown_key", "carryover")


def test_unknown_cap_period_is_refused():
    error = refused(BASE + "caps:\n  - {code: c, per: week, category: public, max: 5}\n")
    assert error.field == "caps[0].per"


def test_carry_over_to_an_unknown_category_is_refused():
    error = refused(BASE + "carry_over:\n  - {requirement: public, to: elective}\n")
    assert (error.code, error.field) == ("unknown_category", "carry_over[0].to")


def test_grade_thresholds_for_an_unknown_age_bracket_are_refused():
    grades = (
        "grades:\n  of: total\n  tiers:\n"
        "    - {code: good, label: 良好, min_ratio: 1.2, by_age: {over99: 1}}\n"
        "    - {code: fail, label: 不合格, min_ratio: 0}\n"
    )
    error = refused(BASE + grades)
    assert error.code == "unknown_age_bracket"
    assert error.field == "grades.tiers[0].by_age.over99"


def test_overlapping_age_brackets_are_refused():
    brackets = (
        "age_brackets:\n"
        "  - {code: young, label: 年轻, max_age: 45}\n"
        "  - {code: older, label: 年长, min_age: 45}\n"
    )
    error = refused(BASE + brackets)
    assert (error.code, error.field) == ("overlapping_brackets", "age_brackets[1]")


def test_configured_age_brackets_replace_the_default():
    brackets = "age_brackets:\n  - {code: all, label: 全体}\n"
    assert [b.code for b in load_yaml(BASE + brackets).age_brackets] == ["all"]


def test_default_age_brackets_are_under_45_45_to_54_and_55_plus():
    assert [b.code for b in load_yaml(BASE).age_brackets] == ["under45", "45to54", "55plus"]


def test_end_before_start_is_refused():
    error = refused(BASE + "valid_to: 2025-12-31\n")
    assert error.code == "bad_dates"


def test_not_yaml_is_refused():
    assert refused("code: [unclosed").code == "bad_yaml"


def test_either_or_needs_two_alternatives():
    text = BASE.replace("- {code: total, min: 90}", "- {code: total, any_of: [{min: 90}]}")
    assert refused(text).code == "any_of_too_short"


def test_rule_set_without_requirements_is_refused():
    text = BASE.split("requirements:")[0] + "requirements: []\n"
    assert refused(text).code == "no_requirements"


def test_the_format_guide_example_is_a_valid_rule_set():
    from xuefen.policy.shipped import RULESET_DIR

    guide = (RULESET_DIR / "FORMAT.md").read_text(encoding="utf-8")
    example = guide.split("```yaml\n", 1)[1].split("```", 1)[0]
    data = load_yaml(example)
    assert [r.code for r in data.requirements] == [
        "total", "required", "online_required", "annual", "five_year", "cycle", "plan",
    ]  # fmt: skip
    five_year, cycle = data.requirement("five_year"), data.requirement("cycle")
    assert (five_year.window.kind, five_year.window.first) == ("fixed", 2023)
    assert [t.unit for t in five_year.targets] == ["credits", "months"]
    assert (cycle.window.years, cycle.window.kind) == (3, "rolling")
    assert data.source and data.requirement("annual").source
    assert [b.over for b in data.conversions["online_course"].bands] == [False, True, False]
