"""Reads that join the rule engine with the database: which version judges a person's period, and
the evaluation itself. No request and no scoping here: callers pass a person they may see."""

from collections.abc import Sequence

from xuefen.orgs.models import Person
from xuefen.policy.actions import effective_end
from xuefen.policy.engine import Credit, Evaluation, Subject, evaluate
from xuefen.policy.models import Exemption, RuleSet, period_date
from xuefen.policy.schema import RuleSetData


def pick_in_force(
    rows: Sequence[RuleSet], unit_path: str, category: str, period: int
) -> RuleSet | None:
    """The one choice of version, for code that reads many rule-set rows once (roll-ups, recompute):
    of the rows in force on the period's first day for `category`, the one on the deepest region on
    `unit_path`, then the latest start, then the highest version. `rows` must hold every version of
    the regions on the path (effective ends depend on later versions)."""
    day = period_date(period)
    region_ids = [int(part) for part in unit_path.strip("/").split("/") if part]
    depth = {node_id: index for index, node_id in enumerate(region_ids)}
    in_force = [
        r
        for r in rows
        if r.region_id in depth
        and r.covers(category)
        and r.valid_from <= day <= effective_end(r, rows)
    ]
    return max(in_force, key=lambda r: (depth[r.region_id], r.valid_from, r.version), default=None)


def ruleset_row_for(person: Person, period: int) -> RuleSet | None:
    """The version in force on the period's first day for the person's category, taken from the
    deepest region on the path of the person's unit that has one."""
    path = person.unit.path
    region_ids = [int(part) for part in path.strip("/").split("/") if part]
    rows = list(RuleSet.objects.filter(region_id__in=region_ids))
    return pick_in_force(rows, path, person.category, period)


def ruleset_for(person: Person, period: int) -> RuleSetData | None:
    row = ruleset_row_for(person, period)
    return row.data if row is not None else None


def subject_for(person: Person, periods: Sequence[int] | None = None) -> Subject:
    exemptions = Exemption.objects.filter(person=person)
    if periods is not None:
        exemptions = exemptions.filter(period__in=list(periods))
    return Subject(
        personnel_category=person.category,
        title_level=person.title_level,
        birth_date=person.birth_date,
        hired_on=person.hired_on,
        exemptions=tuple(e.as_engine() for e in exemptions),
    )


def evaluate_person(person: Person, period: int, credits: Sequence[Credit]) -> Evaluation | None:
    """The person's evaluation for `period`, or None when no rule set applies to them.

    `credits` should cover `engine.window_periods(rules, period)`; passing all of the person's
    credits is also right (later periods are ignored).
    """
    rules = ruleset_for(person, period)
    if rules is None:
        return None
    return evaluate(rules, subject_for(person, [period - 1, period]), credits, period)
