"""What a claim is worth by the rule set that judges its person: the conversion named by the claim
type, with the quantity and attributes taken from the claim's fields. Pure given the rule set."""

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from xuefen.policy.conversions import ConversionError, convert
from xuefen.policy.schema import RuleSetData

if TYPE_CHECKING:
    from xuefen.claims.models import Claim


@dataclass(frozen=True)
class Part:
    """One ledger entry of a claim: its span (and days), amount and source suffix."""

    first_day: dt.date
    last_day: dt.date
    amount: Decimal
    suffix: str  # "" for a claim posted as one entry, ":<year>" for each year of a split
    days: Decimal | None = None
    later: bool = False  # a later share of a split, on the first day of its period (may be ahead)


@dataclass(frozen=True)
class Pricing:
    amount: Decimal | None  # None: no rule prices it; the office sets the amount
    unit: str
    categories: tuple[str, ...]
    note: str = ""
    capped: bool = False
    parts: tuple[Part, ...] = field(default_factory=tuple)


def normalise(text: str) -> str:
    """Artefact identity: full-width to half-width, case, spaces and punctuation ignored
    (so “ISBN 978-7-01-…” and “9787-01…” match)."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    text = re.sub(r"^(isbn|issn)", "", text.strip())
    return re.sub(r"[\W_]+", "", text)


def field_value(claim: "Claim", name: str) -> Any:
    if name == "@title":
        return claim.title
    if name == "@days":
        return len(claim.days)
    return claim.data.get(name)


def artefact_key(claim: "Claim") -> str:
    name = claim.claim_type.artefact_field
    if not name:
        return ""
    norm = normalise(str(field_value(claim, name) or ""))
    return f"{claim.claim_type.code}:{norm}" if norm else ""


def quantity(claim: "Claim") -> Decimal:
    name = claim.claim_type.quantity_field
    if not name:
        return Decimal(1)
    try:
        return Decimal(str(field_value(claim, name)))
    except (InvalidOperation, ValueError):
        return Decimal(0)


def daily_hours(claim: "Claim", hours_per_day: Decimal) -> Decimal:
    """Clock hours the claim occupies on each of its days (0 if it says nothing about time)."""
    name = claim.claim_type.hours_field
    if name:
        try:
            return Decimal(str(claim.data.get(name) or 0)) / len(claim.days)
        except (InvalidOperation, ValueError):
            return Decimal(0)
    if claim.full_days:
        return hours_per_day
    taken = claim.days_taken if claim.claim_type.full_day else None
    return hours_per_day * taken / len(claim.days) if taken is not None else Decimal(0)


def days_taken(claim: "Claim") -> Decimal | None:
    """The days the activity took, where its type measures it in days (see Claim.days_taken)."""
    return claim.days_taken


def whole(claim: "Claim", amount: Decimal) -> Part:
    """The claim as one entry over its span."""
    return Part(claim.start_date, claim.end_date, amount, "", days_taken(claim))


def _split_parts(
    claim: "Claim", rules: RuleSetData, amounts: tuple[Decimal, ...]
) -> tuple[Part, ...]:
    """A split (degree study over 2 years): the first share on the claim's last day, each later
    share on the first day of the next period (one-day entries, each its own year)."""
    parts = []
    for i, amount in enumerate(amounts):
        period = claim.period + i
        day = claim.end_date if i == 0 else rules.calendar.first_day(period)
        parts.append(Part(day, day, amount, f":{period}", later=i > 0))
    return tuple(parts)


def price(claim: "Claim", rules: RuleSetData | None, manual: Decimal | None = None) -> Pricing:
    """The claim's credit. `manual` (the office's amount) wins when the type says the office sets
    it or no rule of the person's rule set prices it."""
    ctype = claim.claim_type
    unit = rules.unit if rules is not None else "hours"
    default_cats = tuple(ctype.default_categories) or ("elective",)
    kind = ctype.conversion_kind
    if ctype.manual_amount or not kind or rules is None or kind not in rules.conversions:
        if manual is None:
            return Pricing(None, unit, default_cats)
        part = whole(claim, manual)
        return Pricing(manual, unit, default_cats, _("set by the credit office"), parts=(part,))
    attrs = {name: field_value(claim, name) for name in ctype.attr_fields}
    try:
        result = convert(rules, kind, quantity(claim), span_days=len(claim.days), **attrs)
    except ConversionError as error:
        return Pricing(None, unit, default_cats, str(error.message))
    if result.splits:
        parts = _split_parts(claim, rules, result.splits)
    else:
        parts = (whole(claim, result.amount),)
    return Pricing(
        result.amount, result.unit, result.categories, result.reason, result.capped, parts
    )
