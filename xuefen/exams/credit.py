"""What passing an exam earns, by the candidate's rule set (pure given the rule set): where the
rule set converts the exam's credit kind (e.g. a lump sum for a passed exam) the conversion decides
amount, unit and categories; otherwise the exam's own stated credit does. Both are data."""

from dataclasses import dataclass
from decimal import Decimal

from xuefen.policy.conversions import ConversionError, convert
from xuefen.policy.schema import RuleSetData


@dataclass(frozen=True)
class Earned:
    amount: Decimal
    unit: str
    categories: tuple[str, ...]
    kind: str
    note: str = ""


def for_pass(
    kind: str,
    amount: Decimal,
    unit: str,
    categories: tuple[str, ...],
    rules: RuleSetData | None,
) -> Earned | None:
    """The credit of a pass; None when neither the rule set nor the exam gives any."""
    if rules is not None and kind and kind in rules.conversions:
        try:
            result = convert(rules, kind, Decimal(1))
        except ConversionError:
            result = None
        if result is not None and result.amount > 0:
            return Earned(result.amount, result.unit, tuple(result.categories), kind, result.reason)
    if amount > 0 and categories:
        return Earned(amount, unit, categories, kind)
    return None
