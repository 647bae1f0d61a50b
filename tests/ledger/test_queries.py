import pytest
from django.http import Http404

from xuefen.ledger.actions import reverse_entry
from xuefen.ledger.queries import credits_for, entries_for


def test_credits_for_returns_engine_credits_of_the_periods_in_one_query(
    cast, post, django_assert_num_queries
):
    entry = post(cast.person_a, "8", "1", categories=["required", "online"], kind="online_course")
    post(cast.person_a, "4", "2", period=2025, activity_date=entry.activity_date.replace(year=2025))
    reversal = reverse_entry(cast.carol, entry, "错误")
    with django_assert_num_queries(1):
        credits = credits_for(cast.person_a, [2026])
    assert [c.entry_id for c in credits] == [entry.pk, reversal.pk]
    assert credits[0].categories == ("required", "online")
    assert credits[0].kind == "online_course"
    assert credits[1].reverses_id == entry.pk


def test_unit_admin_reads_own_unit_entries(cast, post):
    entry = post(cast.person_a, "8", "1")
    assert list(entries_for(cast.alice, cast.person_a.pk, 2026)) == [entry]


def test_unit_admin_of_other_unit_gets_404(cast, post):
    post(cast.person_a, "8", "1")
    with pytest.raises(Http404):
        entries_for(cast.bob, cast.person_a.pk, 2026)


def test_learner_reads_only_own_entries(cast, post):
    own = post(cast.lena_person, "8", "1")
    post(cast.person_a, "8", "1")
    assert list(entries_for(cast.lena, cast.lena_person.pk)) == [own]
    with pytest.raises(Http404):
        entries_for(cast.lena, cast.person_a.pk)
