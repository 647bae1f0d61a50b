"""What a unit sees of a person who transferred in, on the person's ledger (ledger:person_entries)
and through the ledger's one read of a person's entries: the archive's rule, as on the credits page
(tests/archive/test_person_page.py) — the years before the transfer only once the unit pulled the
archive. 赵强 earned 90 hours of 2025 in unit B and moved to unit A in March 2026."""

import pytest
from django.http import Http404
from django.urls import reverse

from tests.archive.conftest import EARLIER, NOW
from xuefen.archive import actions
from xuefen.ledger.queries import entries_for


def _ledger(client, user, person):
    client.force_login(user)
    return client.get(reverse("ledger:person_entries", args=[person.pk]))


def test_the_unit_without_a_pull_sees_only_the_years_from_the_transfer_on(client, cast, moved):
    response = _ledger(client, cast.alice, moved.person)
    assert response.status_code == 200
    page = response.content.decode()
    assert "专题讲座" in page
    assert "党校秋季班" not in page
    assert f"<h2>{EARLIER}</h2>" not in page
    assert list(entries_for(cast.alice, moved.person)) == [moved.now]


def test_the_unit_without_a_pull_gets_404_for_an_earlier_year_by_name(cast, moved):
    with pytest.raises(Http404):
        entries_for(cast.alice, moved.person, EARLIER)
    assert list(entries_for(cast.alice, moved.person, NOW)) == [moved.now]


def test_after_the_pull_the_unit_sees_the_earlier_year_on_the_ledger(client, cast, moved):
    actions.pull_archive(cast.alice, moved.person)
    page = _ledger(client, cast.alice, moved.person).content.decode()
    assert "党校秋季班" in page
    assert "专题讲座" in page
    assert list(entries_for(cast.alice, moved.person, EARLIER)) == [moved.earlier]


def test_the_office_over_both_units_sees_every_year_without_a_pull(client, cast, moved):
    page = _ledger(client, cast.carol, moved.person).content.decode()
    assert "党校秋季班" in page
    assert "专题讲座" in page


def test_the_earlier_unit_does_not_reach_the_person_at_all(client, cast, moved):
    assert _ledger(client, cast.bob, moved.person).status_code == 404
