"""The close judges every counted person's standing current before it fixes the grades: a person
with no standing of the year, and a standing older than the person's row, are judged again — on
SQLite through the quick check of a healthy database, on PostgreSQL through the search itself."""

import datetime as dt

from django.utils import timezone

from tests.closing.conftest import YEAR, credit
from xuefen.closing import actions
from xuefen.closing.models import FixedGrade
from xuefen.ledger.models import Standing
from xuefen.orgs.models import Person
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
