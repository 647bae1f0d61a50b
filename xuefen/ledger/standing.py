"""How the ledger asks the rule engine for a person's standing: the bridge to `policy.services`."""

from collections.abc import Sequence
from decimal import Decimal

from xuefen.ledger.queries import credits_for
from xuefen.orgs.models import Person
from xuefen.policy import engine, services
from xuefen.policy.engine import Credit, Subject, window_periods
from xuefen.policy.models import Exemption
from xuefen.policy.schema import RuleSetData

ZERO = Decimal(0)
Judgement = tuple[bool, str, Decimal, str]  # met, grade, earned, rule set


def _judge(
    person: Person, period: int, rules: RuleSetData | None, credits: Sequence[Credit]
) -> Judgement:

    if rules is None:
        # No rule set applies: the standing says so (not met, no grade) and shows the raw sum.
        return False, "", sum((c.amount for c in credits if c.period == period), ZERO), ""
    evaluation = services.evaluate_person(person, period, credits)
    if evaluation is None:
        return False, "", ZERO, ""
    return evaluation.met, evaluation.grade, evaluation.total_counted, evaluation.ruleset


def judge(person: Person, period: int) -> Judgement:
    """The person's standing for `period`, judged on every credit its window needs (one query)."""

    rules = services.ruleset_for(person, period)
    periods = window_periods(rules, period) if rules is not None else [period]
    return _judge(person, period, rules, credits_for(person, periods))


def judge_credits(person: Person, period: int, credits: Sequence[Credit]) -> Judgement:
    """As judge(), from credits already read (all of the person's, or at least the window's)."""

    rules = services.ruleset_for(person, period)
    window = set(window_periods(rules, period)) if rules is not None else {period}
    return _judge(person, period, rules, [c for c in credits if c.period in window])


def window_reaches(person: Person, period: int, earlier: int) -> bool:
    """Whether judging `period` needs the credits of `earlier` (multi-year window, carry-over)."""

    rules = services.ruleset_for(person, period)
    return rules is not None and earlier in window_periods(rules, period)


class BulkJudge:
    """Judges many people at once for recompute and demo data: the rule set in force is looked up
    once per (region path, personnel category, period), and exemptions once per batch of people.

    The same judgement as policy.services.evaluate_person, without its per-person queries."""

    def __init__(self) -> None:
        self._rules: dict[tuple[str, str, int], RuleSetData | None] = {}
        self._exemptions: dict[int, list[engine.Exemption]] = {}

    def load_exemptions(self, person_ids: Sequence[int]) -> None:

        self._exemptions = {}
        for exemption in Exemption.objects.filter(person_id__in=list(person_ids)):
            self._exemptions.setdefault(exemption.person_id, []).append(exemption.as_engine())

    def rules(self, person: Person, period: int) -> RuleSetData | None:

        key = (person.unit.path, person.category, period)
        if key not in self._rules:
            self._rules[key] = services.ruleset_for(person, period)
        return self._rules[key]

    def __call__(self, person: Person, period: int, credits: Sequence[Credit]) -> Judgement:

        rules = self.rules(person, period)
        if rules is None:
            return False, "", sum((c.amount for c in credits if c.period == period), ZERO), ""
        window = set(window_periods(rules, period))
        subject = Subject(
            personnel_category=person.category,
            title_level=person.title_level,
            birth_date=person.birth_date,
            hired_on=person.hired_on,
            exemptions=tuple(
                e for e in self._exemptions.get(person.pk, []) if e.period in (period - 1, period)
            ),
        )
        # The verdict only (engine.judge): a standing stores no explanation.
        met, grade, earned = engine.judge(
            rules, subject, [c for c in credits if c.period in window], period
        )
        return met, grade, earned, rules.ref
