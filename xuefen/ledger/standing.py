"""How the ledger asks the rule engine for a person's standing: the bridge to `policy.services`."""

from collections.abc import Sequence
from decimal import Decimal

from xuefen.ledger.queries import credits_for
from xuefen.orgs.models import Person
from xuefen.policy.engine import Credit

ZERO = Decimal(0)
Judgement = tuple[bool, str, Decimal, str]  # met, grade, earned, rule set


def _judge(person: Person, period: int, rules: object, credits: Sequence[Credit]) -> Judgement:
    from xuefen.policy import services

    if rules is None:
        # No rule set applies: the standing says so (not met, no grade) and shows the raw sum.
        return False, "", sum((c.amount for c in credits if c.period == period), ZERO), ""
    evaluation = services.evaluate_person(person, period, credits)
    if evaluation is None:
        return False, "", ZERO, ""
    return evaluation.met, evaluation.grade, evaluation.total_counted, evaluation.ruleset


def judge(person: Person, period: int) -> Judgement:
    """The person's standing for `period`, judged on every credit its window needs (one query)."""
    from xuefen.policy import services
    from xuefen.policy.engine import window_periods

    rules = services.ruleset_for(person, period)
    periods = window_periods(rules, period) if rules is not None else [period]
    return _judge(person, period, rules, credits_for(person, periods))


def judge_credits(person: Person, period: int, credits: Sequence[Credit]) -> Judgement:
    """As judge(), from credits already read (all of the person's, or at least the window's)."""
    from xuefen.policy import services
    from xuefen.policy.engine import window_periods

    rules = services.ruleset_for(person, period)
    window = set(window_periods(rules, period)) if rules is not None else {period}
    return _judge(person, period, rules, [c for c in credits if c.period in window])


def window_reaches(person: Person, period: int, earlier: int) -> bool:
    """Whether judging `period` needs the credits of `earlier` (multi-year window, carry-over)."""
    from xuefen.policy import services
    from xuefen.policy.engine import window_periods

    rules = services.ruleset_for(person, period)
    return rules is not None and earlier in window_periods(rules, period)
