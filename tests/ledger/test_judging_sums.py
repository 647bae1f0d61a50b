"""The summed mode of the one judge (recompute): a person's credits read as sums per (period,
category list, unit, kind) give the same verdicts as their entries one by one, where the rule set
needs no more; where it does (caps), or where an entry names an artefact or reverses another, the
person is read entry by entry."""

import datetime as dt
import random
from decimal import Decimal

import pytest

from tests import factories as f
from xuefen.core.actors import SYSTEM
from xuefen.ledger.actions import post_entry, reverse_entry
from xuefen.ledger.judging import Loader
from xuefen.ledger.models import Standing
from xuefen.ledger.recompute import recompute_standings
from xuefen.orgs.models import Person
from xuefen.policy.actions import import_ruleset
from xuefen.policy.services import RuleSetIndex
from xuefen.policy.shipped import shipped_texts

CATEGORY_LISTS = [
    ["required", "offline", "centralised"],
    ["elective", "online"],
    ["public", "online"],
    ["professional", "offline"],
    ["professional"],
    ["public"],
    ["centralised"],
]
PERIODS = (2024, 2025, 2026)


def _people(cast, count: int) -> list[Person]:
    categories = [Person.Category.GENERAL, Person.Category.PROFESSIONAL, Person.Category.TOWNSHIP]
    people = []
    for i in range(count):
        people.append(
            f.person(
                cast.unit_a if i % 2 else cast.unit_b,
                f"人{i}",
                category=categories[i % 3],
                birth=dt.date(1962 + 3 * i, 1 + i % 12, 1 + i % 27),
                # some hired during a judged year: their requirements are prorated
                hired_on=dt.date(2025, 1 + i % 12, 1) if i % 4 == 0 else None,
            )
        )
    return people


def _ledger(people: list[Person], rng: random.Random) -> None:
    """Random credits of several periods, categories, units and kinds; some reversed, some with
    an artefact (those people are read entry by entry)."""
    for n, person in enumerate(people):
        for i in range(rng.randrange(0, 14)):
            period = rng.choice(PERIODS)
            kind = rng.choice(["", "", "training_day"])
            days = rng.choice([1, 2, Decimal("0.5")]) if kind else None
            last = dt.date(period, rng.randrange(1, 12), rng.randrange(2, 28))
            entry = post_entry(
                SYSTEM,
                person,
                first_day=last - dt.timedelta(days=1),
                last_day=last,
                categories=rng.choice(CATEGORY_LISTS),
                amount=rng.choice(["0.25", "1", "2.5", "6", "7.5", "12", "24.33", "40"]),
                unit=rng.choice(["hours", "hours", "hours", "credits"]),
                kind=kind,
                days=days,
                source_type="test",
                source_id=f"{n}-{i}",
                artefact_key=f"paper-{n}" if n % 7 == 3 and i == 0 else "",
            )
            if n % 5 == 2 and i == 1:
                reverse_entry(SYSTEM, entry, "错录")


def _verdicts(loader: Loader, people: list[Person]) -> dict[tuple[int, int], object]:
    return {(p.pk, period): loader.verdict(p.pk, period) for p in people for period in PERIODS}


def _summed(people: list[Person]) -> Loader:
    ids = [p.pk for p in people]
    loader = Loader.summed_range(min(ids), max(ids), RuleSetIndex.everywhere())
    loader.itemise({pid: set(PERIODS) for pid in ids})
    return loader


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_verdicts_on_sums_equal_the_full_engines(cast, seed):
    import_ruleset(SYSTEM, shipped_texts()["cadre_township"], cast.region)
    import_ruleset(SYSTEM, shipped_texts()["professional_national"], cast.region)
    people = _people(cast, 24)
    _ledger(people, random.Random(seed))

    summed = _summed(people)
    full = Loader.for_people([p.pk for p in people])

    # The sums were used (these rule sets need no more) — and not for the people with an
    # artefact or a reversal.
    special = {p.pk for n, p in enumerate(people) if n % 7 == 3 or n % 5 == 2}
    assert summed.summed
    assert not summed.summed & special
    assert sum(len(summed.credits[pid]) for pid in summed.summed) < sum(
        len(full.credits[pid]) for pid in summed.summed
    )
    assert _verdicts(summed, people) == _verdicts(full, people)


def test_a_rule_set_with_caps_is_judged_entry_by_entry(cast):
    # Accounting staff: at most 30 credits a day, 学时 counted 3 credits each.
    import_ruleset(SYSTEM, shipped_texts()["accounting"], cast.region)
    people = [p for p in _people(cast, 12) if p.category == Person.Category.PROFESSIONAL]
    _ledger(people, random.Random(5))

    summed = _summed(people)
    full = Loader.for_people([p.pk for p in people])

    assert not summed.summed
    assert _verdicts(summed, people) == _verdicts(full, people)


def test_judging_sums_a_rule_set_cannot_judge_by_is_refused(cast):
    import_ruleset(SYSTEM, shipped_texts()["accounting"], cast.region)
    person = f.person(cast.unit_a, "会计", category=Person.Category.PROFESSIONAL)
    post_entry(
        SYSTEM,
        person,
        last_day=dt.date(2026, 3, 1),
        categories=["public"],
        amount=Decimal(40),
        unit="credits",
        source_type="test",
        source_id="1",
    )
    loader = Loader.summed_range(person.pk, person.pk, RuleSetIndex.everywhere())
    assert loader.summed == {person.pk}  # not yet itemised
    with pytest.raises(ValueError):
        loader.verdict(person.pk, 2026)


def test_recompute_keeps_the_writers_standings(cast):
    """The writer judged every posting with the full engine; recompute, on sums, agrees."""
    import_ruleset(SYSTEM, shipped_texts()["cadre_township"], cast.region)
    import_ruleset(SYSTEM, shipped_texts()["professional_national"], cast.region)
    people = _people(cast, 24)
    _ledger(people, random.Random(9))
    before = set(Standing.objects.values_list("person_id", "period", "status", "grade", "earned"))
    assert before
    assert recompute_standings() == 0
    Standing.objects.all().delete()
    assert recompute_standings() == len(before)
    after = set(Standing.objects.values_list("person_id", "period", "status", "grade", "earned"))
    assert after == before
