"""A full recompute keys the people judged by sums in SQL and asks the one judge once per
distinct key (`ledger.keyed`): the standings it writes are exactly those of judging each person
on their own (`recompute._judge_ranges`) — people with exemptions, of different age brackets and
hire dates, with reversals and artefacts, under rule sets judged by sums and one that is not."""

import datetime as dt
import random
import re
from decimal import Decimal

import pytest

from tests import factories as f
from tests.ledger.test_judging_sums import _ledger, _people
from xuefen.core.actors import SYSTEM
from xuefen.ledger import keyed
from xuefen.ledger.actions import post_entry, record_exemption
from xuefen.ledger.judging import Verdicts
from xuefen.ledger.models import Standing
from xuefen.ledger.recompute import _judge_ranges, _sums, recompute, recompute_standings
from xuefen.orgs.models import Person
from xuefen.policy import engine
from xuefen.policy.actions import import_ruleset
from xuefen.policy.services import RuleSetIndex
from xuefen.policy.shipped import shipped_texts

COLUMNS = ("person_id", "period", "status", "grade", "earned", "ruleset", "shortfalls")


def _standings() -> dict[tuple[int, int], tuple[object, ...]]:
    return {row[:2]: row[2:] for row in Standing.objects.values_list(*COLUMNS)}


def _twins(cast, count: int) -> list[Person]:
    """People with the same credits, born in different years, every other one hired in
    October: those hired alike share one key (and one verdict); a late hire's requirement is
    prorated (met with 24 hours of the 90), the others' not."""
    twins = []
    for i in range(count):
        person = f.person(
            cast.unit_a,
            f"双{i}",
            category=Person.Category.GENERAL,
            birth=dt.date(1960 + 25 * (i // 2 % 2), 1, 1 + i),
            hired_on=dt.date(2026, 10, 1) if i % 2 else None,
        )
        for n, (categories, amount) in enumerate(
            [(["required", "offline", "centralised"], "24"), (["elective", "online"], "12.5")]
        ):
            post_entry(
                SYSTEM, person, last_day=dt.date(2026, 3, 2), categories=categories,
                amount=Decimal(amount), unit="hours", source_type="twin", source_id=str(n),
            )  # fmt: skip
        twins.append(person)
    return twins


@pytest.mark.parametrize(
    ("texts", "seed"),
    [(("cadre_township", "professional_national"), 1), (("cadre_township", "accounting"), 2)],
)
def test_keyed_standings_equal_judging_each_person_alone(cast, texts, seed):
    for text in texts:
        import_ruleset(SYSTEM, shipped_texts()[text], cast.region)
    people = _people(cast, 30)
    _ledger(people, random.Random(seed))  # several periods; reversals; artefacts
    twins = _twins(cast, 6)
    for person in people[:3]:
        record_exemption(
            SYSTEM, person, period=2025, kind="leave", months=4, reason="病假"
        )  # fmt: skip

    # The keyed path judged most people once per key; the others on their own.
    rulesets = RuleSetIndex.everywhere()
    with _sums(None) as sums:
        changed, others = keyed.judge_keyed(None, rulesets, Verdicts(), sums)
    assert changed == 0  # the writer's standings, judged person by person, already agree
    everyone = {p.pk for p in [*people, *twins]}
    assert set(others) < everyone
    assert not {p.pk for p in twins} & set(others)
    assert {p.pk for p in people[:3]} <= set(others)  # the exemptions

    writers = _standings()
    assert recompute_standings() == 0
    Standing.objects.all().delete()
    assert recompute_standings() > 0
    keyed_standings = _standings()
    Standing.objects.all().delete()
    _judge_ranges(None, rulesets)
    alone = _standings()
    assert keyed_standings == alone
    # (The writer also stored an exemption's period without credits: no recompute makes it.)
    assert keyed_standings == {key: row for key, row in writers.items() if key in alone}
    statuses = [keyed_standings[(p.pk, 2026)][0] for p in twins]
    assert statuses == ["short", "met"] * 3


def test_keyed_recompute_repairs_only_what_differs(cast):
    import_ruleset(SYSTEM, shipped_texts()["cadre_township"], cast.region)
    twins = _twins(cast, 4)
    right = _standings()
    Standing.objects.filter(person=twins[1]).update(grade="forged")
    Standing.objects.filter(person=twins[2]).update(earned=Decimal("1.23"))
    Standing.objects.filter(person=twins[0]).delete()
    assert recompute() == (0, 3)
    assert _standings() == right
    assert recompute() == (0, 0)
    assert recompute_standings(2026) == 0
    Standing.objects.filter(person=twins[0]).update(status="met", shortfalls=[])
    assert recompute_standings(2026) == 1
    assert _standings() == right


def test_keyed_standings_follow_the_age_brackets(cast):
    """A rule set judged by sums whose total differs by age bracket (the Nanjing table
    without its caps, the total 72 for 55 and over): people with the same credits but of
    different brackets get different keys, and the keyed standings equal judging each alone."""
    text = re.sub(r"^caps:\n(?:  - .*\n)+", "", shipped_texts()["cadre_nanjing"], flags=re.M)
    text = text.replace("min: 84, source", "min: 84, by_age: {55plus: 72}, source")
    import_ruleset(SYSTEM, text, cast.region)
    rules = RuleSetIndex.everywhere().rules(cast.unit_a.path, Person.Category.COUNTY, 2026)
    assert rules is not None and rules.age_brackets and engine.judged_by_sums(rules)
    people = []
    for i, (birth, amount) in enumerate(
        [(1960, "80"), (1986, "80"), (1962, "100"), (1990, "100"), (1958, "80"), (1992, "80")]
    ):
        person = f.person(
            cast.unit_a, f"龄{i}", category=Person.Category.COUNTY, birth=dt.date(birth, 5, 1)
        )
        post_entry(
            SYSTEM, person, last_day=dt.date(2026, 4, 1), categories=["required", "online"],
            amount=Decimal(amount), unit="credits", source_type="age", source_id="1",
        )  # fmt: skip
        people.append(person)
    rulesets = RuleSetIndex.everywhere()
    with _sums(None) as sums:
        changed, others = keyed.judge_keyed(None, rulesets, Verdicts(), sums)
    assert changed == 0 and not {p.pk for p in people} & set(others)  # all keyed, all agreed
    Standing.objects.all().delete()
    assert recompute_standings() == len(people)
    keyed_standings = _standings()
    Standing.objects.all().delete()
    _judge_ranges(None, rulesets)
    assert keyed_standings == _standings()
    gaps = [
        {s["code"] for s in keyed_standings[(p.pk, 2026)][4]} for p in people
    ]  # the requirements each one is short of
    # 80 credits meet the total of 72 (55 and over), not the total of 84 (the others)
    assert ["total" in g for g in gaps] == [False, True, False, False, False, True]
