"""The one judge judges a set of people once per distinct input (`engine.SameVerdicts`): people
whose credits sum alike under the same rule set, age bracket, hire date and exemptions share a
verdict. Each shared verdict must be the one the engine gives that person on their own."""

import datetime as dt
import random
from decimal import Decimal

import pytest

from tests import factories as f
from xuefen.core.actors import SYSTEM
from xuefen.ledger.actions import post_entry, record_exemption
from xuefen.ledger.judging import Loader, Verdicts, verdict_of
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
CATEGORIES = [Person.Category.GENERAL, Person.Category.PROFESSIONAL, Person.Category.TOWNSHIP]


def _credits(person: Person, rng: random.Random, tag: str) -> None:
    for i in range(rng.randrange(0, 10)):
        period = rng.choice(PERIODS)
        kind = rng.choice(["", "", "training_day"])
        last = dt.date(period, rng.randrange(1, 12), rng.randrange(2, 28))
        post_entry(
            SYSTEM,
            person,
            first_day=last - dt.timedelta(days=1),
            last_day=last,
            categories=rng.choice(CATEGORY_LISTS),
            amount=rng.choice(["1", "2.5", "6", "7.5", "12", "40"]),
            unit=rng.choice(["hours", "hours", "credits"]),
            kind=kind,
            days=rng.choice([1, 2, Decimal("0.5")]) if kind else None,
            source_type="test",
            source_id=f"{tag}-{i}",
            # now and then an artefact: that person is judged on their own
            artefact_key=f"paper-{tag}" if i == 0 and rng.random() < 0.1 else "",
        )


def _population(cast, seed: int) -> list[Person]:
    """Groups of people with the same credits (the same draws, in another order for some) and
    different birth dates, hire dates and exemptions."""
    rng = random.Random(seed)
    people = []
    for group in range(8):
        draws = rng.randrange(10**6)
        for member in range(4):
            person = f.person(
                cast.unit_a if member % 2 else cast.unit_b,
                f"人{group}-{member}",
                category=CATEGORIES[(group + member // 2) % 3],
                birth=dt.date(1962 + 4 * member + group, 1 + member * 3, 1 + group),
                hired_on=rng.choice(
                    [None, None, dt.date(2025, 1 + member * 2, 1), dt.date(2019, 3, 1)]
                ),
            )
            _credits(person, random.Random(draws), f"{group}-{member}")
            if member == 3 and group % 2:
                record_exemption(
                    SYSTEM, person, period=2025, kind="leave", reason="病假", months=2 + group % 3
                )
            people.append(person)
    return people


def _alone(loader: Loader, pid: int, period: int):
    """The engine's verdict on this person alone (nothing shared)."""
    evaluation = loader.evaluate(pid, period, explain=False)
    return verdict_of(evaluation, loader.credits.get(pid, []), period)


@pytest.mark.parametrize("seed", [1, 2])
def test_shared_verdicts_equal_each_persons_own(cast, seed):
    texts = shipped_texts()
    import_ruleset(SYSTEM, texts["cadre_township"], cast.region)
    import_ruleset(SYSTEM, texts["professional_national"], cast.region)
    people = _population(cast, seed)
    ids = [p.pk for p in people]

    same = Verdicts()
    full = Loader.for_people(ids)
    full.same = same
    full.verdicts = same.verdicts
    summed = Loader.summed_range(min(ids), max(ids), RuleSetIndex.everywhere(), same=same)
    summed.itemise({pid: set(PERIODS) for pid in ids})

    for pid in ids:
        for period in PERIODS:
            own = _alone(full, pid, period)
            assert full.verdict(pid, period) == own, (pid, period)
            assert summed.verdict(pid, period) == own, (pid, period)
    # People did share verdicts: fewer were judged than asked for.
    assert 0 < len(same.verdicts) < len(ids) * len(PERIODS)


def test_people_who_differ_in_what_counts_do_not_share(cast):
    import_ruleset(SYSTEM, shipped_texts()["cadre_township"], cast.region)
    young = f.person(
        cast.unit_a, "年轻", category=Person.Category.GENERAL, birth=dt.date(1995, 1, 1)
    )
    twin = f.person(
        cast.unit_a, "同龄", category=Person.Category.GENERAL, birth=dt.date(1995, 2, 1)
    )
    hired = f.person(
        cast.unit_a,
        "新入职",
        category=Person.Category.GENERAL,
        birth=dt.date(1995, 1, 1),
        hired_on=dt.date(2026, 7, 1),
    )
    for n, person in enumerate([young, twin, hired]):
        for i, categories in enumerate(
            [["required", "offline", "centralised"], ["elective", "online"]]
        ):
            post_entry(
                SYSTEM,
                person,
                last_day=dt.date(2026, 3, 1 + i),
                categories=categories,
                amount="40",
                unit="hours",
                source_type="test",
                source_id=f"{n}-{i}",
            )
    loader = Loader.for_people([young.pk, twin.pk, hired.pk])
    verdicts = {p.pk: loader.verdict(p.pk, 2026) for p in (young, twin, hired)}
    assert verdicts[young.pk] is verdicts[twin.pk]  # the same sums, bracket and no hire date
    assert verdicts[hired.pk] != verdicts[young.pk]  # prorated: 40 of 45 centralised hours met
    assert verdicts[hired.pk] == _alone(loader, hired.pk, 2026)
