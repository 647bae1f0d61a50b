"""How the ledger asks the rule engine for a person's standing: the bridge to `policy.services`."""

from decimal import Decimal

from django.db.models import Sum

from xuefen.ledger.models import OVERALL, Total
from xuefen.ledger.queries import credits_for
from xuefen.orgs.models import Person

ZERO = Decimal(0)


def judge(person: Person, period: int) -> tuple[bool, str, Decimal, str]:
    """(met, grade, earned, rule set) of the period, judged on every credit its window needs."""
    from xuefen.policy import services
    from xuefen.policy.engine import window_periods

    rules = services.ruleset_for(person, period)
    if rules is None:
        raw = Total.objects.filter(person=person, period=period, category=OVERALL).aggregate(
            s=Sum("amount")
        )["s"]
        return False, "", raw or ZERO, ""
    evaluation = services.evaluate_person(
        person, period, credits_for(person, window_periods(rules, period))
    )
    if evaluation is None:
        return False, "", ZERO, ""
    return evaluation.met, evaluation.grade, evaluation.total_counted, evaluation.ruleset


def window_reaches(person: Person, period: int, earlier: int) -> bool:
    """Whether judging `period` needs the credits of `earlier` (multi-year window, carry-over)."""
    from xuefen.policy import services
    from xuefen.policy.engine import window_periods

    rules = services.ruleset_for(person, period)
    return rules is not None and earlier in window_periods(rules, period)
