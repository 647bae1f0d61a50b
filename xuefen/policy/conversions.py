"""From an activity to credits, by the conversion rules of a rule set (pure).

`quantity` means, by method: per_day → days; per_half_day → half days; per_hour → hours;
per_minutes and by_duration → minutes (in all, over the activity's span of days);
per_1000_chars → characters (only whole thousands count); per_item and lump_sum → number of
items. per_item looks up `level` (and `author_rank`, if the table has ranks) in the rule's table.
"""

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

from xuefen.core.errors import CodedError
from xuefen.policy.engine import CENT, ZERO, fmt, round_to, unit_label
from xuefen.policy.errors import Code
from xuefen.policy.schema import Conversion, RuleSetData


class ConversionError(CodedError):
    pass


@dataclass(frozen=True)
class ConversionResult:
    amount: Decimal
    unit: str
    categories: tuple[str, ...]
    capped: bool
    reason: str
    # The amount per successive period, from the activity's own (degree study over 2 years).
    # Post one entry per part, each with its own artefact key (e.g. "degree:123:2026").
    splits: tuple[Decimal, ...] = ()


def _table_amount(rule: Conversion, attrs: dict[str, Any]) -> Decimal:
    level = str(attrs.get("level", ""))
    rank = str(attrs.get("author_rank", "*"))
    for row in rule.table:
        if row.level == level and row.author_rank in (rank, "*"):
            return row.amount
    raise ConversionError(
        Code.UNKNOWN_LEVEL,
        _("%(kind)s has no value for level '%(level)s' and author rank '%(rank)s'")
        % {"kind": rule.label, "level": level, "rank": rank},
        field="level",
    )


def _base_amount(rule: Conversion, quantity: Decimal, attrs: dict[str, Any]) -> Decimal:
    method = rule.method
    if method in ("per_day", "per_half_day", "per_hour", "lump_sum"):
        return quantity * rule.rate
    if method == "per_minutes":
        blocks = (quantity / rule.minutes).to_integral_value(ROUND_DOWN)
        return blocks * rule.rate
    if method == "by_duration":
        for band in rule.bands:  # longest first
            if band.takes(quantity):
                return band.amount
        return ZERO
    if method == "per_1000_chars":
        return (quantity / 1000).to_integral_value(ROUND_DOWN) * rule.rate
    if method == "per_item":
        return _table_amount(rule, attrs) * quantity
    raise ConversionError(Code.UNKNOWN_METHOD, _("Unknown method %(m)s") % {"m": method})


def convert(
    rules: RuleSetData,
    kind: str,
    quantity: Decimal | int | str,
    *,
    span_days: int = 1,
    **attrs: Any,
) -> ConversionResult:
    """The credit an activity earns by `rules`, with the per-day and per-item caps applied: a
    per-day cap allows its amount for each of the `span_days` calendar days the activity covers.

    Raises ConversionError if the rule set has no conversion for `kind` or the quantity is negative.
    """
    rule = rules.conversions.get(kind)
    if rule is None:
        raise ConversionError(
            Code.UNKNOWN_KIND,
            _("Rule set %(ruleset)s has no conversion for '%(kind)s'")
            % {"ruleset": rules.ref, "kind": kind},
            field="kind",
        )
    amount_in = Decimal(str(quantity))
    if amount_in < 0:
        raise ConversionError(
            Code.NEGATIVE_QUANTITY, _("The quantity must not be negative."), field="quantity"
        )
    amount = _base_amount(rule, amount_in, attrs)
    reasons: list[str] = []
    capped = False
    per_span = rule.max_per_day * max(span_days, 1) if rule.max_per_day is not None else None
    for limit, label in (
        (per_span, _("per day") if span_days <= 1 else _("for %(n)s days") % {"n": span_days}),
        (rule.max_per_item, _("per item")),
    ):
        if limit is not None and amount > limit:
            reasons.append(
                _("%(amount)s capped at %(max)s %(unit)s %(per)s")
                % {
                    "amount": fmt(amount),
                    "max": fmt(limit),
                    "unit": unit_label(rules.unit),
                    "per": label,
                }
            )
            amount, capped = limit, True
    amount = (
        round_to(amount, rule.round_to) if rule.round_to else amount.quantize(CENT, ROUND_HALF_UP)
    )
    splits: tuple[Decimal, ...] = ()
    if rule.split_years > 1:
        share = (amount / rule.split_years).quantize(CENT, ROUND_DOWN)
        splits = (*([share] * (rule.split_years - 1)), amount - share * (rule.split_years - 1))
        reasons.append(
            _("split over %(years)s years: %(parts)s")
            % {"years": rule.split_years, "parts": " + ".join(fmt(s) for s in splits)}
        )
    return ConversionResult(
        amount=amount,
        unit=rules.unit,
        categories=rule.categories,
        capped=capped,
        reason="; ".join(reasons),
        splits=splits,
    )
