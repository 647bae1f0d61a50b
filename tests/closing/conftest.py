"""A closed 2025 in region R: the township rule set, person_a with 95 hours (met), lena with 20
(short), then the office (carol) closes the year."""

import datetime as dt
from types import SimpleNamespace

import pytest

from xuefen.closing import actions
from xuefen.ledger.actions import post_entry
from xuefen.policy.actions import import_ruleset
from xuefen.policy.shipped import shipped_texts

YEAR = 2025
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def credit(cast, person, amount, source_id, day=dt.date(YEAR, 5, 10), description="集中培训"):
    return post_entry(
        cast.carol,
        person,
        last_day=day,
        categories=["required", "offline", "centralised"],
        amount=amount,
        unit="hours",
        source_type="class",
        source_id=source_id,
        description=description,
    )


@pytest.fixture
def year(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    import_ruleset(cast.carol, shipped_texts()["cadre_township"], cast.region)
    entries = SimpleNamespace(
        a_main=credit(cast, cast.person_a, 80, "a1", description="党校春季班"),
        a_extra=credit(cast, cast.person_a, 15, "a2", description="专题讲座"),
        lena=credit(cast, cast.lena_person, 20, "l1", description="网络专题班"),
    )
    close = actions.close_period(cast.carol, cast.region, YEAR)
    return SimpleNamespace(close=close, entries=entries)
