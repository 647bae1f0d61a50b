import datetime as dt
from decimal import Decimal

import pytest

from xuefen.ledger.actions import post_entry


@pytest.fixture
def post(cast):
    """post(person, amount, source_id, **overrides): a credit posted by carol (the office)."""

    def _post(person, amount="8", source_id="1", **extra):
        fields = {
            "last_day": dt.date(2026, 5, 10),
            "categories": ["required", "offline", "centralised"],
            "amount": Decimal(str(amount)),
            "unit": "hours",
            "source_type": "class",
            "source_id": source_id,
            "description": "党校培训班",
        }
        fields.update(extra)
        return post_entry(cast.carol, person, **fields)

    return _post
