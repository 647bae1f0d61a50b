"""URL cases for the project-wide scoping test: each points at an object of unit A."""

import datetime as dt

from xuefen.ledger.actions import post_entry, record_exemption


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


def _pending_exemption_of_a(cast):
    exemption = record_exemption(
        cast.alice, cast.person_a, period=2026, kind="leave", months=10, reason="病假",
        evidence="病休批件2026-8",
    )  # fmt: skip
    return {"exemption_id": exemption.pk}


CASES = {
    "ledger:person_entries": lambda cast: {"person_id": cast.person_a.pk},
    "ledger:reverse": _entry_of_a,
    "ledger:post_manual": lambda cast: {"person_id": cast.person_a.pk},
    "ledger:exemptions": lambda cast: {"person_id": cast.person_a.pk},
    "ledger:exemption_queue": lambda cast: None,
    "ledger:exemption_decide": _pending_exemption_of_a,
}
