"""A person's compliance for one period, judged now from their ledger: the detail behind a Standing.

No scoping here: callers pass people they may see (a scoped page, an action, the CLI)."""

from collections import defaultdict
from collections.abc import Sequence

from xuefen.ledger.models import Entry
from xuefen.ledger.queries import CREDIT_FIELDS, credit_from_row, credits_for
from xuefen.orgs.models import Person
from xuefen.policy import engine, services
from xuefen.policy.engine import Credit, Evaluation, Subject, evaluate, window_periods
from xuefen.policy.models import Exemption, RuleSet
from xuefen.policy.schema import RuleSetData
from xuefen.policy.services import pick_in_force


def person_compliance(person: Person, period: int) -> Evaluation | None:
    """The rule engine's evaluation of `period` on every credit its window needs, or None when no
    rule set applies to the person."""
    rules = services.ruleset_for(person, period)
    if rules is None:
        return None
    return services.evaluate_person(
        person, period, credits_for(person, window_periods(rules, period))
    )


class RuleSets:
    """The version in force per (unit path, personnel category) for one period, from every rule-set
    row read once, chosen by policy.services.pick_in_force, without a query per person."""

    def __init__(self, period: int) -> None:
        self.period = period
        self.rows = list(RuleSet.objects.all())
        self._found: dict[tuple[str, str], RuleSetData | None] = {}

    def __call__(self, unit_path: str, category: str) -> RuleSetData | None:
        key = (unit_path, category)
        if key not in self._found:
            best = pick_in_force(self.rows, unit_path, category, self.period)
            self._found[key] = best.data if best is not None else None
        return self._found[key]


def evaluate_many(people: Sequence[Person], period: int) -> dict[int, Evaluation | None]:
    """Evaluations of a page of people (units selected) in a fixed number of queries: rule sets,
    exemptions and credits are each read once for all of them."""
    rulesets = RuleSets(period)
    rules = {p.pk: rulesets(p.unit.path, p.category) for p in people}
    periods = {period}
    for r in rules.values():
        if r is not None:
            periods.update(window_periods(r, period))
    ids = [p.pk for p in people if rules[p.pk] is not None]
    credits: dict[int, list[Credit]] = defaultdict(list)
    rows = (
        Entry.objects.filter(person_id__in=ids, period__in=sorted(periods))
        .order_by("person_id", "seq")
        .values_list("person_id", *CREDIT_FIELDS)
    )
    for person_id, *row in rows:
        credits[person_id].append(credit_from_row(tuple(row)))
    exemptions: dict[int, list[engine.Exemption]] = defaultdict(list)
    for exemption in Exemption.objects.filter(person_id__in=ids, period__in=[period - 1, period]):
        exemptions[exemption.person_id].append(exemption.as_engine())
    out: dict[int, Evaluation | None] = {}
    for person in people:
        r = rules[person.pk]
        if r is None:
            out[person.pk] = None
            continue
        subject = Subject(
            personnel_category=person.category,
            title_level=person.title_level,
            birth_date=person.birth_date,
            hired_on=person.hired_on,
            exemptions=tuple(exemptions[person.pk]),
        )
        window = set(window_periods(r, period))
        out[person.pk] = evaluate(
            r, subject, [c for c in credits[person.pk] if c.period in window], period
        )
    return out
