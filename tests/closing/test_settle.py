"""The close judges every counted person's standing current before it fixes the grades: a person
with no standing of the year, and a standing older than the person's row, are judged again — on
SQLite through the quick check of a healthy database, on PostgreSQL through the search itself."""

import datetime as dt

import pytest
from django.utils import timezone

from tests import factories as f
from tests.closing.conftest import YEAR, credit
from xuefen.closing import actions
from xuefen.closing.errors import ClosingError, Code
from xuefen.closing.models import FixedGrade
from xuefen.ledger.models import Standing
from xuefen.orgs.models import OrgNode, Person
from xuefen.policy.actions import import_ruleset
from xuefen.policy.shipped import shipped_texts


def _ready(cast):
    import_ruleset(cast.carol, shipped_texts()["cadre_township"], cast.region)
    credit(cast, cast.person_a, 95, "a1")
    credit(cast, cast.lena_person, 20, "l1")


def test_a_person_without_a_standing_is_judged_and_fixed(cast):
    _ready(cast)
    Standing.objects.filter(person=cast.person_b, period=YEAR).delete()
    close = actions.close_period(cast.carol, cast.region, YEAR)
    assert Standing.objects.filter(person=cast.person_b, period=YEAR).exists()
    fixed = FixedGrade.objects.get(close=close, person=cast.person_b)
    assert fixed.status == Standing.Status.SHORT


def test_a_stale_standing_is_judged_again_before_it_is_fixed(cast):
    _ready(cast)
    # A standing that says less than the ledger, judged before the person's row last changed.
    long_ago = timezone.now() - dt.timedelta(days=3)
    Standing.objects.filter(person=cast.person_a, period=YEAR).update(
        earned=0, status=Standing.Status.SHORT, evaluated_at=long_ago
    )
    Person.objects.filter(pk=cast.person_a.pk).update(updated_at=timezone.now())
    close = actions.close_period(cast.carol, cast.region, YEAR)
    fixed = FixedGrade.objects.get(close=close, person=cast.person_a)
    assert (fixed.earned, fixed.status) == (95, Standing.Status.MET)


def test_nothing_is_judged_when_every_standing_is_current(cast):
    _ready(cast)
    region = cast.region
    actions._settle_region(region, YEAR)  # the people without entries get their standing
    assert actions._settle_region(region, YEAR) == 0


def test_a_standing_older_than_the_regions_rule_set_is_judged_again(cast):
    """The third part of the ledger's stale rule: a standing judged before the newest rule-set
    version of a region above the person (the quick check reads the rule from the standing's
    side)."""
    from xuefen.policy.models import RuleSet

    _ready(cast)
    saved = RuleSet.objects.filter(region=cast.region).latest("created_at").created_at
    before = saved - dt.timedelta(days=1)
    Person.objects.filter(pk=cast.person_a.pk).update(updated_at=before - dt.timedelta(days=1))
    Standing.objects.filter(person=cast.person_a, period=YEAR).update(
        earned=0, status=Standing.Status.SHORT, evaluated_at=before
    )
    close = actions.close_period(cast.carol, cast.region, YEAR)
    assert Standing.objects.get(person=cast.person_a, period=YEAR).evaluated_at > saved
    fixed = FixedGrade.objects.get(close=close, person=cast.person_a)
    assert (fixed.earned, fixed.status) == (95, Standing.Status.MET)


def _stale(cast, person):
    """The person's standing says less than the ledger and is older than their row."""
    long_ago = timezone.now() - dt.timedelta(days=3)
    Standing.objects.filter(person=person, period=YEAR).update(
        earned=0, status=Standing.Status.SHORT, evaluated_at=long_ago
    )
    Person.objects.filter(pk=person.pk).update(updated_at=timezone.now())


def test_fixing_the_grades_again_never_copies_a_stale_standing(cast):
    _ready(cast)
    close = actions.close_period(cast.carol, cast.region, YEAR)
    credit(cast, cast.person_b, 30, "b1")
    _stale(cast, cast.person_a)
    actions.fix_grades_again(cast.carol, close)
    fixed = {g.person_id: (g.earned, g.status) for g in FixedGrade.objects.filter(close=close)}
    assert fixed[cast.person_a.pk] == (95, Standing.Status.MET)
    assert fixed[cast.person_b.pk][0] == 30


def test_a_region_whose_standings_keep_going_stale_is_refused_and_nothing_fixed(cast, monkeypatch):
    """Another transaction's posts making standings stale as fast as they are settled: after a
    few attempts the office is told to try again, and the grades fixed before are untouched."""
    _ready(cast)
    close = actions.close_period(cast.carol, cast.region, YEAR)
    before = sorted(FixedGrade.objects.filter(close=close).values_list("person_id", "earned"))
    settled = []
    monkeypatch.setattr(actions, "_settle", lambda close, ids: settled.append(ids))
    _stale(cast, cast.person_a)
    with pytest.raises(ClosingError) as refused:
        actions.fix_grades_again(cast.carol, close)
    assert refused.value.code == Code.LEDGER_MOVING
    assert len(settled) == actions.SETTLE_ATTEMPTS
    after = sorted(FixedGrade.objects.filter(close=close).values_list("person_id", "earned"))
    assert after == before


def test_an_upheld_objection_fixes_the_grade_of_a_person_who_has_moved_away(cast):
    """The notice's person is copied again wherever they are now: a move to another region
    since the close does not cost them their fixed grade, nor their place in the notice."""
    _ready(cast)
    close = actions.close_period(cast.carol, cast.region, YEAR)
    elsewhere = f.node("邻县", OrgNode.Kind.REGION, code="Q")
    Person.objects.filter(pk=cast.person_a.pk).update(
        unit=f.node("邻县单位", OrgNode.Kind.UNIT, elsewhere, code="QA")
    )
    assert actions._settle_and_fix(close, [cast.person_a.pk]) == 1
    fixed = FixedGrade.objects.get(close=close, person=cast.person_a)
    assert (fixed.earned, fixed.status) == (95, Standing.Status.MET)
    assert fixed.unit_id == cast.unit_a.pk  # where the notice listed them
