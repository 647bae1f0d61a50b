"""The try page: made-up credits judged by one version as posted ones would be; nothing saved."""

import pytest
from django.urls import reverse
from django.utils import timezone

from xuefen.policy.actions import import_ruleset
from xuefen.policy.models import RuleSet
from xuefen.policy.shipped import shipped_texts


@pytest.fixture
def office(client, cast):
    client.force_login(cast.carol)
    return client


def loaded(cast, name):
    return import_ruleset(cast.carol, shipped_texts()[name], cast.region)


def lines(*rows, period=2026):
    """The try page's POST data: the year and a born-in-1985 person, then one dict per line."""
    data = {
        "period": str(period),
        "birth_date": "1985-06-15",
        "line-TOTAL_FORMS": str(len(rows)),
        "line-INITIAL_FORMS": "0",
        "line-MIN_NUM_FORMS": "0",
        "line-MAX_NUM_FORMS": "1000",
        "evaluate": "1",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"line-{index}-{key}"] = value
    return data


def test_the_year_defaults_to_the_current_one(office, cast):
    ruleset = loaded(cast, "cadre_township")
    response = office.get(reverse("policy:try", args=[ruleset.pk]))
    assert response.context["trial"].form["period"].value() == timezone.localdate().year
    text = response.content.decode()
    assert f'value="{timezone.localdate().year}"' in text
    assert "集中培训</label>" in text  # categories are picked from the rule set's list


def test_either_or_shows_both_gaps_and_the_state(office, cast):
    ruleset = loaded(cast, "cadre_township")
    party_school = {
        "first_day": "2026-04-06",
        "last_day": "2026-04-10",
        "days": "5",
        "amount": "37.5",
        "unit": "hours",
        "categories": ["required", "centralised"],
        "kind": "party_school_day",
    }
    response = office.post(reverse("policy:try", args=[ruleset.pk]), lines(party_school))
    evaluation = response.context["trial"].evaluation
    annual = evaluation.requirements[0]
    assert annual.gap_text() == "还差 年度集中培训 7 天 或 52.5 学时"
    text = response.content.decode()
    assert "还差 年度集中培训 7 天 或 52.5 学时" in text
    assert "未达标" in text
    assert "干部教育培训工作条例（2023年修订）第十四条第二款" in text
    assert RuleSet.objects.count() == 1


def test_a_multi_day_line_is_capped_per_calendar_day(office, cast):
    ruleset = loaded(cast, "accounting")  # at most 30 credits (10 hours) a day
    three_days = {
        "first_day": "2026-03-02",
        "last_day": "2026-03-04",
        "amount": "100",
        "unit": "credits",
        "categories": ["professional"],
    }
    response = office.post(reverse("policy:try", args=[ruleset.pk]), lines(three_days))
    line = response.context["trial"].evaluation.lines[0]
    assert (line.status, line.counted) == ("capped", 90)
    assert "每日上限（10学时）" in line.reason


def test_an_unknown_category_is_refused_naming_the_line(office, cast):
    ruleset = loaded(cast, "cadre_township")
    good = {"last_day": "2026-03-02", "amount": "8", "unit": "hours", "categories": ["required"]}
    bad = {**good, "categories": ["required", "publik"]}
    response = office.post(reverse("policy:try", args=[ruleset.pk]), lines(good, bad))
    trial = response.context["trial"]
    assert trial.evaluation is None
    assert len(trial.errors) == 1
    assert trial.errors[0].startswith("第 2 行：")
    assert "publik" in trial.errors[0]
    assert "第 2 行：" in response.content.decode()


def test_a_line_across_two_years_is_refused(office, cast):
    ruleset = loaded(cast, "cadre_township")
    across = {
        "first_day": "2025-12-30",
        "last_day": "2026-01-02",
        "amount": "30",
        "unit": "hours",
        "categories": ["centralised"],
    }
    response = office.post(reverse("policy:try", args=[ruleset.pk]), lines(across))
    trial = response.context["trial"]
    assert trial.evaluation is None
    assert "2025" in trial.errors[0] and "2026" in trial.errors[0]


def test_add_a_line_keeps_what_was_typed(office, cast):
    ruleset = loaded(cast, "cadre_township")
    typed = {"last_day": "2026-03-02", "amount": "8", "unit": "hours", "categories": ["required"]}
    data = lines(typed)
    data.pop("evaluate")
    response = office.post(reverse("policy:try", args=[ruleset.pk]), {**data, "add": "line"})
    trial = response.context["trial"]
    assert trial.lines.total_form_count() == 2
    assert trial.lines.forms[0]["amount"].value() == "8"
    assert trial.lines.forms[1]["unit"].value() == "hours"
    assert trial.evaluation is None
