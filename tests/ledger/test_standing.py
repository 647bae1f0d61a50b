import datetime as dt

import pytest

from xuefen.core.actors import SYSTEM
from xuefen.ledger.models import Standing
from xuefen.ledger.recompute import recompute
from xuefen.orgs.models import Person
from xuefen.policy.actions import import_ruleset
from xuefen.policy.shipped import shipped_texts


@pytest.fixture
def township_rules(cast):
    return import_ruleset(SYSTEM, shipped_texts()["cadre_township"], cast.region)


def standing(person, period=2026):
    return Standing.objects.get(person=person, period=period)


def test_standing_met_the_moment_target_is_reached(cast, post, township_rules):
    # 条例 第十四条第二款: 90 学时 of 集中培训; online learning is apart from it.
    post(cast.person_a, "60", "1")
    assert standing(cast.person_a).status == Standing.Status.SHORT
    assert standing(cast.person_a).ruleset
    post(cast.person_a, "30", "2", categories=["elective", "online"])
    assert standing(cast.person_a).status == Standing.Status.SHORT
    post(cast.person_a, "30", "3")
    assert standing(cast.person_a).status == Standing.Status.MET
    assert standing(cast.person_a).grade == "pass"


def test_standing_keeps_each_requirement_not_yet_met(cast, post, township_rules):
    post(cast.person_a, "85", "1", first_day=dt.date(2026, 5, 1), days=10)
    shortfalls = {s["code"]: s for s in standing(cast.person_a).shortfalls}
    assert shortfalls["annual"]["gaps"] == [
        {"amount": "2", "unit": "days"},
        {"amount": "5", "unit": "hours"},
    ]
    assert (shortfalls["online_plan"]["binding"], shortfalls["annual"]["binding"]) == (False, True)


def test_reversal_takes_standing_back_below_target(cast, post, township_rules):
    from xuefen.ledger.actions import reverse_entry

    post(cast.person_a, "60", "1")
    second = post(cast.person_a, "30", "2")
    reverse_entry(cast.carol, second, "未参加")
    assert standing(cast.person_a).met is False


def test_entry_of_earlier_period_refreshes_later_standing_whose_window_reaches_it(
    cast, post, township_rules
):
    county = Person.objects.filter(pk=cast.person_a.pk)
    county.update(category=Person.Category.COUNTY)
    person = Person.objects.get(pk=cast.person_a.pk)
    import_ruleset(SYSTEM, shipped_texts()["cadre_county"], cast.region)
    post(person, "10", "1")
    before = standing(person)
    post(person, "100", "2", last_day=dt.date(2025, 3, 1))
    after = standing(person)
    assert after.evaluated_at > before.evaluated_at


def test_recompute_with_rule_sets_changes_nothing_after_posting(cast, post, township_rules):
    post(cast.person_a, "60", "1")
    post(cast.person_b, "95", "1")
    assert recompute() == (0, 0)
