"""赵强 worked in unit B (bob's) in 2025 and earned 90 hours there; the office (carol) closed 2025;
on 1 March 2026 he moved to unit A (alice's), where he earned 12 hours of 2026. Whoever reads
unit A's people sees his earlier years only once unit A pulls his archive."""

import datetime as dt
from types import SimpleNamespace

import pytest

from tests import factories as f
from tests.closing.conftest import credit
from xuefen.closing import actions as closing
from xuefen.orgs.actions import transfer_person
from xuefen.policy.actions import import_ruleset
from xuefen.policy.shipped import shipped_texts

EARLIER = 2025
NOW = 2026
MOVED_ON = dt.date(NOW, 3, 1)


@pytest.fixture
def moved(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    import_ruleset(cast.carol, shipped_texts()["cadre_township"], cast.region)
    person = f.person(cast.unit_b, "赵强")
    earlier = credit(
        cast, person, 90, "z-2025", day=dt.date(EARLIER, 6, 1), description="党校秋季班"
    )
    close = closing.close_period(cast.carol, cast.region, EARLIER)
    transfer = transfer_person(
        cast.carol, person, cast.unit_a, effective_on=MOVED_ON, reason="调动"
    )
    person.refresh_from_db()
    now = credit(cast, person, 12, "z-2026", day=dt.date(NOW, 4, 2), description="专题讲座")
    return SimpleNamespace(person=person, earlier=earlier, now=now, close=close, transfer=transfer)
