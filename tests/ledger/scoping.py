"""URL cases for the project-wide scoping test: each points at an object of unit A."""

import datetime as dt

from xuefen.ledger.actions import post_entry


def _entry_of_a(cast):
    entry = post_entry(
        cast.carol,
        cast.person_a,
        last_day=dt.date(2026, 3, 1),
        categories=["required"],
        amount=8,
        unit="hours",
        source_type="class",
        source_id="scope",
    )
    return {"entry_id": entry.pk}


CASES = {
    "ledger:person_entries": lambda cast: {"person_id": cast.person_a.pk},
    "ledger:reverse": _entry_of_a,
    "ledger:post_manual": lambda cast: {"person_id": cast.person_a.pk},
    "ledger:exemptions": lambda cast: {"person_id": cast.person_a.pk},
}
