"""`bulk.judge_people` — the writer's deferred standings judged at the end of a roster — keys the
people judged by sums in SQL and asks the one judge once per distinct key in the whole run
(`keyed.judge_people`), the others on their own: every standing it writes is the one judging the
person alone writes, whatever the slices — people of different rule sets and age brackets, hire
dates inside the year, exemptions, reversals and artefacts, someone under no rule set."""

import datetime as dt
import random
import re
from decimal import Decimal

import pytest

from tests import factories as f
from tests.ledger.test_judging_sums import PERIODS, _ledger, _people
from xuefen.core.actors import SYSTEM
from xuefen.ledger import bulk, standings
from xuefen.ledger.actions import record_exemption
from xuefen.ledger.judging import Loader
from xuefen.ledger.models import Standing
from xuefen.orgs.models import OrgNode, Person
from xuefen.policy.actions import import_ruleset
from xuefen.policy.shipped import shipped_texts

COLUMNS = ("person_id", "period", "status", "grade", "earned", "ruleset", "shortfalls")


def _standings() -> dict[tuple[int, int], tuple[object, ...]]:
    return {row[:2]: row[2:] for row in Standing.objects.values_list(*COLUMNS)}


def _alone(people: list[Person]) -> dict[tuple[int, int], tuple[object, ...]]:
    """Each person's standings as judging them alone gives them: every period they have credits
    in or a standing for, a loader of their own."""
    out: dict[tuple[int, int], tuple[object, ...]] = {}
    for person in people:
        loader = Loader.for_people([person.pk])
        for pid, periods in standings.periods_to_judge(loader).items():
            for period in periods:
                v = loader.verdict(pid, period)
                out[(pid, period)] = (v.status, v.grade, v.earned, v.ruleset, v.shortfalls)
    return out


def _bracketed(cast) -> list[Person]:
    """County people under a rule set judged by sums whose total differs by age bracket (the
    Nanjing table without its caps, 72 for 55 and over): the same credits, different brackets."""
    text = re.sub(r"^caps:\n(?:  - .*\n)+", "", shipped_texts()["cadre_nanjing"], flags=re.M)
    text = text.replace("min: 84, source", "min: 84, by_age: {55plus: 72}, source")
    import_ruleset(SYSTEM, text, cast.region)
    return [
        f.person(cast.unit_a, f"龄{i}", category=Person.Category.COUNTY, birth=dt.date(birth, 5, 1))
        for i, birth in enumerate(BIRTHS)
    ]


BIRTHS = (1960, 1986, 1962, 1990, 1958, 1992)
CREDITS = ("80", "80", "100", "100", "80", "80")  # each bracketed person's, in 2026


def _roster(people: list[Person], rng: random.Random) -> list[bulk.NewEntry]:
    """A roster's completions for these people (a few each, some sharing their credits)."""
    items = []
    for n, person in enumerate(people):
        for i in range(1 + n % 3):
            items.append(
                bulk.NewEntry(
                    person_id=person.pk,
                    last_day=dt.date(2026, 1 + i, 10 + n % 5),
                    categories=rng.choice(
                        [("required", "online"), ("elective", "online"), ("professional",)]
                    ),
                    amount=Decimal(rng.choice(["12", "24", "40", "80"])),
                    unit=rng.choice(["hours", "credits"]),
                    source_type="roster",
                    source_id=f"{person.pk}-{i}",
                )
            )
    return items


@pytest.mark.parametrize(("seed", "slice_size"), [(1, 7), (2, 2_000)])
def test_judge_people_equals_judging_each_person_alone(cast, monkeypatch, seed, slice_size):
    import_ruleset(SYSTEM, shipped_texts()["cadre_township"], cast.region)
    import_ruleset(SYSTEM, shipped_texts()["professional_national"], cast.region)
    rng = random.Random(seed)
    people = _people(cast, 24)  # general, professional, township; some hired in a judged year
    _ledger(people, rng)  # several periods; reversals; artefacts (judged as they were posted)
    brackets = _bracketed(cast)
    elsewhere = f.node("他县", OrgNode.Kind.REGION, code="Q")
    unit = f.node("他县机关", OrgNode.Kind.UNIT, elsewhere, code="QA")
    nobody = f.person(unit, "无规", category=Person.Category.GENERAL)  # no rule set there
    record_exemption(SYSTEM, people[1], period=2026, kind="leave", months=4, reason="病假")
    everyone = [*people, *brackets, nobody]
    before = _standings()

    # A roster posted in chunks, its standings deferred: they are left as they were.
    items = _roster([*people, nobody], rng)
    items += [
        bulk.NewEntry(
            person_id=p.pk,
            last_day=dt.date(2026, 4, 1),
            categories=("required", "online"),
            amount=Decimal(amount),
            unit="credits",
            source_type="roster",
            source_id="age",
        )
        for p, amount in zip(brackets, CREDITS, strict=True)
    ]
    for start in range(0, len(items), 20):
        result = bulk.post_entries(SYSTEM, items[start : start + 20], defer_standings=True)
        assert not result.errors
    assert _standings() == before
    expected = _alone(everyone)

    on_their_own: list[int] = []
    refresh = standings.refresh

    def counted(ids, period=None):  # type: ignore[no-untyped-def]
        on_their_own.extend(ids)
        return refresh(ids, period)

    monkeypatch.setattr(standings, "refresh", counted)
    assert bulk.judge_people([p.pk for p in everyone], per_transaction=slice_size) == len(everyone)

    assert _standings() == expected
    assert expected != before  # (the roster's credits changed them)
    # Most were keyed; the reversals, artefacts, exemption and the one under no rule set not.
    reversed_ = {p.pk for n, p in enumerate(people) if n % 5 == 2}
    assert reversed_ | {people[1].pk, nobody.pk} <= set(on_their_own)
    assert not {p.pk for p in brackets} & set(on_their_own)
    assert len(set(on_their_own)) < len(everyone) // 2
    # 80 credits meet the total of 72 (55 and over), not the total of 84 (the others).
    gaps = [{s["code"] for s in expected[(p.pk, 2026)][4]} for p in brackets]
    assert ["total" in g for g in gaps] == [False, True, False, False, False, True]
    assert expected[(nobody.pk, 2026)][0] == Standing.Status.NO_RULES

    # Judged again with nothing new, nothing changes.
    bulk.judge_people([p.pk for p in everyone], per_transaction=slice_size)
    assert _standings() == expected
    assert {period for _pid, period in expected} <= set(PERIODS)
