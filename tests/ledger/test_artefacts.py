"""An artefact counts once, ever: the same paper in two years counts in the first; a single-author
paper (one holder only) counts for whoever was credited with it first, and for the next holder once
that credit is reversed — on every path, the stored standing as the judge says."""

import datetime as dt

import pytest

from tests import factories as f
from xuefen.core.actors import SYSTEM
from xuefen.ledger.actions import post_entry, reverse_entry
from xuefen.ledger.judging import Loader, evaluate_person
from xuefen.ledger.models import Standing
from xuefen.orgs.models import Person
from xuefen.policy.actions import import_ruleset
from xuefen.policy.shipped import shipped_texts


@pytest.fixture
def engineers(cast):
    import_ruleset(SYSTEM, shipped_texts()["professional_national"], cast.region)
    return [
        f.person(cast.unit_a, name, category=Person.Category.PROFESSIONAL)
        for name in ("甲工", "乙工")
    ]


def paper(cast, person, source_id, day=dt.date(2026, 4, 1), exclusive=True):
    return post_entry(
        cast.carol, person, last_day=day, categories=["professional"], amount=24, unit="hours",
        source_type="claim", source_id=source_id, kind="paper", artefact_key="paper:同一篇",
        artefact_exclusive=exclusive,
    )  # fmt: skip


def counted(person, period=2026):
    return Standing.objects.get(person=person, period=period).earned


def test_the_same_paper_a_year_later_counts_nothing_again(cast, engineers):
    first = engineers[0]
    paper(cast, first, "2025", day=dt.date(2025, 6, 1))
    paper(cast, first, "2026")
    assert (counted(first, 2025), counted(first, 2026)) == (24, 0)
    line = next(x for x in evaluate_person(first, 2026).lines if x.period == 2026)
    assert line.status == "duplicate"


def test_a_single_author_paper_counts_for_the_first_holder_only(cast, engineers):
    a, b = engineers
    paper(cast, a, "a")
    paper(cast, b, "b")
    assert (counted(a), counted(b)) == (24, 0)
    reason = evaluate_person(b, 2026).lines[0].reason
    assert "已先计入他人名下" in reason and a.name not in reason  # nobody else's name is shown


def test_reversing_the_first_holders_credit_passes_it_to_the_next(cast, engineers):
    a, b = engineers
    first = paper(cast, a, "a")
    paper(cast, b, "b")
    reverse_entry(cast.carol, first, "作者署名有误")
    assert (counted(a), counted(b)) == (0, 24)
    loader = Loader.for_people([a.pk, b.pk])
    for person in (a, b):
        assert loader.verdict(person.pk, 2026).same_as(
            Standing.objects.get(person=person, period=2026)
        )


def test_a_shared_artefact_may_count_for_each_of_its_people(cast, engineers):
    a, b = engineers
    paper(cast, a, "a", exclusive=False)
    paper(cast, b, "b", exclusive=False)
    assert (counted(a), counted(b)) == (24, 24)
