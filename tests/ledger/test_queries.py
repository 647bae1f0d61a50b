import pytest
from django.http import Http404

from xuefen.ledger.queries import entries_for


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
