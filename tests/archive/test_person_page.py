"""What a unit sees of a person who transferred in, on the person's credits page (reports:person)
and their certificate: the archive's rule — the years before the transfer only once the unit
pulled the archive. 赵强 earned 90 hours of 2025 in unit B and moved to unit A in March 2026."""

from django.urls import reverse

from tests.archive.conftest import EARLIER, NOW
from xuefen.archive import actions


def _page(client, user, person, period):
    client.force_login(user)
    return client.get(reverse("reports:person", args=[person.pk]) + f"?period={period}")


def test_the_unit_without_a_pull_gets_404_for_the_years_before_the_transfer(client, cast, moved):
    assert _page(client, cast.alice, moved.person, EARLIER).status_code == 404


def test_the_unit_without_a_pull_sees_the_year_of_the_transfer_but_no_link_to_earlier(
    client, cast, moved
):
    response = _page(client, cast.alice, moved.person, NOW)
    assert response.status_code == 200
    page = response.content.decode()
    assert "专题讲座" in page
    assert f"?period={NOW}" in page
    assert f"?period={EARLIER}" not in page


def test_after_the_pull_the_unit_sees_the_earlier_year_on_the_person_page(client, cast, moved):
    assert _page(client, cast.alice, moved.person, EARLIER).status_code == 404  # kept, if at all
    actions.pull_archive(cast.alice, moved.person)
    response = _page(client, cast.alice, moved.person, EARLIER)
    assert response.status_code == 200
    assert "党校秋季班" in response.content.decode()
    assert f"?period={EARLIER}" in _page(client, cast.alice, moved.person, NOW).content.decode()


def test_the_office_over_both_units_sees_the_earlier_year_without_a_pull(client, cast, moved):
    response = _page(client, cast.carol, moved.person, EARLIER)
    assert response.status_code == 200
    assert "党校秋季班" in response.content.decode()


def test_the_earlier_unit_does_not_reach_the_person_at_all(client, cast, moved):
    assert _page(client, cast.bob, moved.person, EARLIER).status_code == 404


def test_the_certificate_of_an_earlier_year_is_404_for_the_unit_until_the_pull(client, cast, moved):
    client.force_login(cast.alice)
    url = reverse("reports:certificate", args=[moved.person.pk, EARLIER])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    actions.pull_archive(cast.alice, moved.person)
    assert client.get(url).status_code == 200
