import datetime as dt
from types import SimpleNamespace

import pytest

from tests import factories as f
from xuefen.ledger.actions import post_entry, reverse_entry
from xuefen.orgs.models import Person
from xuefen.policy.actions import import_ruleset
from xuefen.policy.shipped import shipped_texts


@pytest.fixture
def rules(cast):
    """A provincial rule set for professional staff (湖南: 90, 专业 60, 公需 30) and the township
    one for cadres, on region R."""
    texts = shipped_texts()
    import_ruleset(cast.carol, texts["professional_hunan"], cast.region)
    import_ruleset(cast.carol, texts["cadre_township"], cast.region)


def post(cast, person, amount, categories, source_id, day=dt.date(2026, 5, 10), **extra):
    return post_entry(
        cast.carol,
        person,
        last_day=day,
        categories=categories,
        amount=amount,
        unit="hours",
        source_type="class",
        source_id=source_id,
        description=extra.pop("description", f"培训 {source_id}"),
        **extra,
    )


@pytest.fixture
def pro(cast, rules):
    """张工, professional staff in unit A, with a hand-computed 2026 (湖南 rules: total 90,
    专业 60, 公需 30):
    专业 50 counted; 公需 24 counted; a 公需 10 that was reversed (both entries count 0);
    a duplicate of the 专业 paper (same artefact) that counts 0.
    Earned: total 74 (gap 16), 专业 50 (gap 10), 公需 24 (gap 6). Not met, grade fail."""
    person = f.person(
        cast.unit_a, "张工", category=Person.Category.PROFESSIONAL, birth=dt.date(1975, 3, 1)
    )
    entries = SimpleNamespace(
        professional=post(cast, person, 40, ["professional", "offline"], "p1",
                          description="专业课程"),
        paper=post(cast, person, 10, ["professional"], "p2", artefact_key="paper:1",
                   description="论文"),
        paper_again=post(cast, person, 10, ["professional"], "p3", artefact_key="paper:1",
                         description="论文（重复）"),
        public=post(cast, person, 24, ["public", "online"], "p4", description="公需网络课程"),
        wrong=post(cast, person, 10, ["public"], "p5", description="误报"),
    )  # fmt: skip
    entries.reversal = reverse_entry(cast.carol, entries.wrong, "重复上报")
    return SimpleNamespace(person=person, entries=entries)
