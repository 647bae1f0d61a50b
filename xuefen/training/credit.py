"""What completing a class earns a learner, and what teaching in it earns a teacher, by the rule
set that judges that person's year (pure given the rule set).

A class is credited as one ledger entry over its span (first to last session day). Where the rule
set converts the course's activity kind (e.g. 党校脱产培训 per day), the conversion decides the
amount and the categories; otherwise a class in hours earns its hours (学时) in the course's
categories, and a course in credits its credit value. The entry records the class's days where the
activity is measured in days: a full-time (脱产) class, or a per-day or per-half-day conversion."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from xuefen.ledger.models import Unit
from xuefen.policy.conversions import ConversionError, convert
from xuefen.policy.schema import RuleSetData

TEACHING_KIND = "teaching"
DAY_METHODS = ("per_day", "per_half_day")


@dataclass(frozen=True)
class ClassFacts:
    """A class as its credit depends on it."""

    kind: str  # the course's activity kind
    categories: tuple[str, ...]  # the course's categories
    amount: Decimal  # the course's credit value
    unit: str  # the course's unit
    full_time: bool
    first_day: dt.date
    last_day: dt.date
    days: Decimal  # the days the class took
    hours: Decimal  # its sessions' hours (学时)
    minutes: int  # its sessions' clock minutes


@dataclass(frozen=True)
class Earned:
    amount: Decimal
    unit: str
    categories: tuple[str, ...]
    kind: str
    days: Decimal | None
    note: str = ""


def _quantity(method: str, facts: ClassFacts) -> Decimal:
    if method == "per_day":
        return facts.days
    if method == "per_half_day":
        return facts.days * 2
    if method == "per_hour":
        return facts.hours
    if method in ("per_minutes", "by_duration"):
        return Decimal(facts.minutes)
    return Decimal(1)


def span_days(facts: ClassFacts) -> int:
    return (facts.last_day - facts.first_day).days + 1


def for_learner(facts: ClassFacts, rules: RuleSetData | None) -> Earned:
    """A learner's credit for completing the class."""
    rule = rules.conversions.get(facts.kind) if rules is not None and facts.kind else None
    if rules is not None and rule is not None:
        try:
            result = convert(
                rules, facts.kind, _quantity(rule.method, facts), span_days=span_days(facts)
            )
        except ConversionError:
            result = None
        if result is not None and result.amount > 0:
            in_days = facts.full_time or rule.method in DAY_METHODS
            return Earned(
                result.amount,
                result.unit,
                tuple(result.categories),
                facts.kind,
                facts.days if in_days else None,
                result.reason,
            )
    amount = facts.hours if facts.unit == Unit.HOURS else facts.amount
    return Earned(
        amount, facts.unit, facts.categories, facts.kind, facts.days if facts.full_time else None
    )


def for_teacher(hours_taught: Decimal, rules: RuleSetData | None) -> Earned | None:
    """A teacher's credit for the hours they taught in a class, where their rule set converts
    teaching (e.g. 5 × the hours taught); None where it does not."""
    if rules is None or TEACHING_KIND not in rules.conversions or hours_taught <= 0:
        return None
    try:
        result = convert(rules, TEACHING_KIND, hours_taught)
    except ConversionError:
        return None
    if result.amount <= 0:
        return None
    return Earned(
        result.amount, result.unit, tuple(result.categories), TEACHING_KIND, None, result.reason
    )
