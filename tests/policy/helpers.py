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
    key: str = "",
    unit: str = "hours",
    reverses: int | None = None,
) -> Credit:
    return Credit(
        entry_id=entry_id,
        period=period,
        activity_date=day or dt.date(period, 3, 1) + dt.timedelta(days=entry_id),
        categories=categories,
        amount=Decimal(str(amount)),
        unit=unit,
        kind=kind,
        artefact_key=key,
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
