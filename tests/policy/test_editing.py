"""The rule-set editor without HTTP: pre-filled data, rows added by the server, the dict it builds,
and where a refusal of the reader is shown."""

import datetime as dt
from decimal import Decimal

import pytest
import yaml

from xuefen.core.errors import CodedError
from xuefen.policy import editing
from xuefen.policy.schema import RuleSetError, load_yaml
from xuefen.policy.shipped import shipped

START = dt.date(2030, 1, 1)


def editor_of(name, data=None):
    base = shipped(name)
    data = data if data is not None else editing.encode(base, START)
    return editing.Editor(base, data, version=base.version + 1, after=base.valid_from)


def saved(editor):
    assert editor.is_valid()
    return load_yaml(yaml.safe_dump(editor.build(), allow_unicode=True, sort_keys=False))


def test_fresh_codes_skip_the_ones_taken():
    assert editing.fresh_code("cat", {"cat_1", "cat_3"}) == "cat_2"
    assert editing.fresh_code("req", set()) == "req_1"


def test_the_suggested_start_is_next_year_and_after_the_version_it_replaces():
    calendar = shipped("cadre_township").calendar
    today = dt.date(2026, 6, 1)
    assert editing.suggested_start(calendar, dt.date(2024, 1, 1), today) == dt.date(2027, 1, 1)
    assert editing.suggested_start(calendar, dt.date(2027, 1, 1), today) == dt.date(2028, 1, 1)


def test_pickers_offer_the_rule_sets_own_labels():
    editor = editor_of("cadre_nanjing")
    assert ("centralised", "集中培训") in editor.choices.categories
    assert ("55plus", "55岁及以上") in editor.choices.brackets
    # A kind a cap names but no conversion prices is still offered, by a name, not a code.
    assert ("in_unit_training", "单位自主培训") in editor.choices.kinds
    assert ("total", "总学分") in editor.choices.requirements


def test_a_new_requirement_starts_with_one_way_in_the_rule_sets_unit():
    editor = editor_of("cadre_township")
    data = editor.add_row("req")
    assert data is not None
    assert data["req-2-code"] == "req_1"
    assert data["req-2-alt-TOTAL_FORMS"] == "1"
    assert data["req-2-alt-0-unit"] == "own"
    assert data["req-2-window_years"] == "1"
    data["req-2-label_zh"] = "党性教育"
    data["req-2-alt-0-min"] = "8"
    data.setlist("req-2-alt-0-categories", ["required"])
    new = saved(editor_of("cadre_township", data)).requirement("req_1")
    assert new is not None
    assert (str(new.label), new.targets[0].min, new.targets[0].unit) == ("党性教育", 8, "hours")


def test_a_requirement_has_at_most_two_ways():
    editor = editor_of("cadre_township")
    assert editor.add_row("req-0-alt") is None
    assert editor.add_row("req-1-alt") is not None
    assert editor.add_row("no-such-list") is None


def test_removing_the_second_way_leaves_a_plain_minimum():
    data = editing.encode(shipped("cadre_township"), START)
    data["req-0-alt-1-DELETE"] = "on"
    annual = saved(editor_of("cadre_township", data)).requirements[0]
    assert [(t.min, t.unit) for t in annual.targets] == [(Decimal(12), "days")]


def test_ways_in_the_rule_sets_own_unit_follow_a_change_of_unit():
    data = editing.encode(shipped("professional_national"), START)
    data["basics-unit"] = "credits"
    rules = saved(editor_of("professional_national", data))
    assert {t.unit for r in rules.requirements for t in r.targets} == {"credits"}


def test_a_conversion_by_length_keeps_its_at_least_and_more_than_bands():
    data = editing.encode(shipped("cadre_township"), START)
    course = next(k for k in data if data[k] == "online_course" and k.endswith("-code"))
    prefix = course.removesuffix("-code")
    assert [data[f"{prefix}-band-{i}-bound"] for i in range(3)] == ["min", "over", "min"]
    data[f"{prefix}-band-1-minutes"] = "20"
    bands = saved(editor_of("cadre_township", data)).conversions["online_course"].bands
    assert [(b.min_minutes, b.over) for b in bands] == [(30, False), (20, True), (0, False)]


@pytest.mark.parametrize(
    ("path", "where"),
    [
        ("requirements[0].any_of[1].min", ("alt", 0, 1, "min")),
        ("requirements[1].min", ("alt", 1, 0, "min")),
        ("requirements[1].window.first", ("req", 1, None, "window_first")),
        ("requirements[0].any_of[0].by_age.55plus", ("alt", 0, 0, "age_55plus")),
        ("conversions.online_course.bands[1]", ("band", 2, 1, None)),
        ("year_starts", ("basics", None, None, "year_month")),
        ("valid_from", ("basics", None, None, "valid_from")),
        ("categories[2].label.zh", ("cat", 2, None, "label_zh")),
    ],
)
def test_a_refusal_is_shown_where_its_path_points(path, where):
    editor = editor_of("cadre_township")
    assert editor.is_valid()
    editor.build()
    editor.place(RuleSetError("x", f"{path}: 不对", field=path))
    kind, row, inner, field = where
    form = {
        "alt": lambda: editor.requirement_rows[row][1].forms[inner],
        "req": lambda: editor.requirement_rows[row][0],
        "band": lambda: editor.conversion_rows[row][1].forms[inner],
        "basics": lambda: editor.basics,
        "cat": lambda: editor.categories.forms[row],
    }[kind]()
    key = field or "__all__"
    assert form.errors[key] == ["不对"]
    assert editor.errors == []


def test_a_refusal_that_names_nothing_on_the_page_is_shown_above_it():
    editor = editor_of("cadre_township")
    assert editor.is_valid()
    editor.build()
    editor.place(CodedError("version_exists", "已有第 2 版", field="version"))
    editor.place(CodedError("forbidden", "无权"))
    assert editor.errors == ["已有第 2 版", "无权"]
