"""engine.judge (the verdict without the explanation) gives exactly what evaluate gives."""

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
def _case(draw: st.DrawFn, rules: RuleSetData) -> tuple[Subject, list[Credit], int]:
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
        credits.append(
            Credit(
                entry_id=entry_id,
                period=credit_period,
                activity_date=dt.date(credit_period, draw(st.integers(1, 12)), 1 + entry_id % 5),
                categories=tuple(draw(st.lists(st.sampled_from(codes), max_size=3, unique=True))),
                amount=amount,
                unit=draw(st.sampled_from(["hours", "hours", "credits", "days"])),
                kind=draw(st.sampled_from(kinds)),
                artefact_key=draw(st.sampled_from(["", "", "", "paper-1", "paper-2"])),
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
    return subject, credits, period


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_judge_gives_what_evaluate_gives_for_every_shipped_rule_set(path):
    rules = load_yaml(path.read_text(encoding="utf-8"))

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(_case(rules))
    def check(case: tuple[Subject, list[Credit], int]) -> None:
        subject, credits, period = case
        full = engine.evaluate(rules, subject, credits, period)
        assert engine.judge(rules, subject, credits, period) == (
            full.met,
            full.grade,
            full.total_counted,
        )

    check()
