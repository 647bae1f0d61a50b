"""URL cases for the project-wide scoping test: each points at an object of unit A.

reports:verify is public (no login) and shows only what a certificate states: it belongs in the
list of public URLs of tests/core/scoping.py."""

import datetime as dt

from xuefen.ledger.actions import post_entry


def _person_of_a(cast):
    return {"person_id": cast.person_a.pk}


def _certificate_of_a(cast):
    post_entry(
        cast.carol,
        cast.person_a,
        last_day=dt.date(2026, 3, 1),
        categories=["required"],
        amount=8,
        unit="hours",
        source_type="class",
        source_id="scope-cert",
    )
    return {"person_id": cast.person_a.pk, "period": 2026}


CASES = {
    "reports:me": lambda cast: None,
    "reports:person": _person_of_a,
    "reports:certificate": _certificate_of_a,
    "reports:verify": lambda cast: None,
    "reports:rollup": lambda cast: {"node_id": cast.unit_a.pk},
}
