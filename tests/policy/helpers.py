"""Building credits and subjects for the engine tests without a database."""

import datetime as dt
from decimal import Decimal

from xuefen.policy.engine import Credit, Exemption, Subject


def credit(
    entry_id: int,
    amount: float | str,
    categories: tuple[str, ...] = (),
    *,
    kind: str = "",
    period: int = 2026,
    day: dt.date | None = None,
    first: dt.date | None = None,
    days: float | str | None = None,
    key: str = "",
    exclusive: bool = False,
    unit: str = "hours",
    reverses: int | None = None,
) -> Credit:
    """A credit of `period`; its last day `day` (by default 1 March + entry_id days), its first
    day `first` (by default the last: a one-day activity)."""
    last = day or dt.date(period, 3, 1) + dt.timedelta(days=entry_id)
    return Credit(
        entry_id=entry_id,
        period=period,
        first_day=first or last,
        last_day=last,
        categories=categories,
        amount=Decimal(str(amount)),
        unit=unit,
        kind=kind,
        days=Decimal(str(days)) if days is not None else None,
        artefact_key=key,
        exclusive=exclusive,
        reverses_id=reverses,
    )


def subject(
    category: str = "professional",
    born: dt.date = dt.date(1985, 6, 15),
    hired_on: dt.date | None = None,
    exemptions: tuple[Exemption, ...] = (),
) -> Subject:
    return Subject(category, "", born, hired_on, exemptions)


def d(value: str | int) -> Decimal:
    return Decimal(str(value))
