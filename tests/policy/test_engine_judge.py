"""evaluate(explain=False) — the verdict standings store, without labels or reasons — gives exactly
what the explained evaluation gives, for random credits (spans, days, one-holder artefacts,
reversals, units, exemptions) under every shipped rule set."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xuefen.policy import engine
from xuefen.policy.engine import Credit, Exemption, Subject
from xuefen.policy.schema import RuleSetData, load_yaml

SHIPPED = sorted((Path(engine.__file__).parent / "rulesets").glob("*.yaml"))
PERIOD = 2026


def _kinds(rules: RuleSetData) -> list[str]:
    kinds = {"", "training", "degree"}
    for cap in rules.caps:
        kinds.update(cap.kinds)
    for requirement in rules.requirements:
        for target in requirement.targets:
            kinds.update(target.kinds)
    return sorted(kinds)


@st.composite
def _case(draw: st.DrawFn, rules: RuleSetData) -> tuple[Subject, list[Credit], int, dict[str, int]]:
    codes = [c.code for c in rules.categories]
    kinds = _kinds(rules)
    period = draw(st.integers(PERIOD - 2, PERIOD + 1))
    count = draw(st.integers(0, 14))
    credits: list[Credit] = []
    for entry_id in range(1, count + 1):
        credit_period = draw(st.integers(period - 5, period))
        amount = Decimal(draw(st.integers(1, 6000))) / 100
        reverses = None
        if credits and draw(st.integers(0, 9)) == 0:
            target = draw(st.sampled_from(credits))
            reverses, amount = target.entry_id, -target.amount
        last = dt.date(credit_period, draw(st.integers(1, 12)), 10 + entry_id % 5)
        span = draw(st.integers(1, 9))
        days = draw(st.one_of(st.none(), st.integers(1, span * 2).map(lambda n: Decimal(n) / 2)))
        credits.append(
            Credit(
                entry_id=entry_id,
                period=credit_period,
                first_day=last - dt.timedelta(days=span - 1),
                last_day=last,
                categories=tuple(draw(st.lists(st.sampled_from(codes), max_size=3, unique=True))),
                amount=amount,
                unit=draw(st.sampled_from(["hours", "hours", "credits"])),
                kind=draw(st.sampled_from(kinds)),
                days=days,
                artefact_key=draw(st.sampled_from(["", "", "", "paper-1", "paper-2"])),
                exclusive=draw(st.booleans()),
                reverses_id=reverses,
            )
        )
    exemptions = tuple(
        Exemption(
            period=draw(st.integers(period - 1, period)),
            kind=draw(st.sampled_from(["leave", "new_hire", "other"])),
            months=draw(st.one_of(st.none(), st.integers(0, 12))),
            ratio=draw(st.one_of(st.none(), st.sampled_from([Decimal("0.5"), Decimal(1)]))),
        )
        for _ in range(draw(st.integers(0, 1)))
    )
    hired = draw(st.one_of(st.none(), st.dates(dt.date(period - 2, 1, 1), dt.date(period, 12, 1))))
    subject = Subject(
        personnel_category=rules.personnel_categories[0] if rules.personnel_categories else "",
        title_level=draw(st.sampled_from(["", "senior", "intermediate"])),
        birth_date=draw(st.dates(dt.date(1960, 1, 1), dt.date(2000, 12, 31))),
        hired_on=hired,
        exemptions=exemptions,
    )
    elsewhere = draw(st.dictionaries(st.sampled_from(["paper-1", "paper-2"]), st.integers(1, 20)))
    return subject, credits, period, elsewhere


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_the_stored_verdict_is_the_explained_one_for_every_shipped_rule_set(path):
    rules = load_yaml(path.read_text(encoding="utf-8"))

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(_case(rules))
    def check(case: tuple[Subject, list[Credit], int, dict[str, int]]) -> None:
        subject, credits, period, elsewhere = case
        full = engine.evaluate(rules, subject, credits, period, elsewhere=elsewhere)
        bare = engine.evaluate(rules, subject, credits, period, elsewhere=elsewhere, explain=False)
        assert (bare.state, bare.grade, bare.total_counted, bare.shortfalls) == (
            full.state,
            full.grade,
            full.total_counted,
            full.shortfalls,
        )
        assert [(x.status, x.counted) for x in bare.lines] == [
            (x.status, x.counted) for x in full.lines
        ]

    check()
