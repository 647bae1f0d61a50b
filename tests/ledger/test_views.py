"""The person's ledger page and the office's reversal: who may see and do what."""

import pytest
from django.urls import reverse

from tests.ledger.scoping import CASES
from xuefen.ledger.models import Entry


def logged_in(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("name", sorted(CASES))
def test_unit_admin_of_b_gets_404_everywhere(client, cast, name):
    kwargs = CASES[name](cast)
    response = logged_in(client, cast.bob).get(reverse(name, kwargs=kwargs))
    assert response.status_code == 404


def test_unit_admin_sees_entries_by_period_with_reversal(
    client, cast, post, django_assert_max_num_queries
):
    from xuefen.ledger.actions import reverse_entry

    entry = post(cast.person_a, "8", "1", description="党校春季班")
    post(cast.person_a, "3", "2", description="网络课程", categories=["elective", "online"])
    reverse_entry(cast.carol, entry, "重复报送")
    logged_in(client, cast.alice)
    with django_assert_max_num_queries(12):
        response = client.get(
            reverse("ledger:person_entries", args=[cast.person_a.pk]), HTTP_ACCEPT_LANGUAGE="en"
        )
    page = response.content.decode()
    assert response.status_code == 200
    assert "党校春季班" in page and "网络课程" in page and "重复报送" in page
    assert "Reverses entry #1" in page
    assert "Reversed" in page


def test_bob_cannot_reverse_entry_of_unit_a(client, cast, post):
    entry = post(cast.person_a, "8", "1")
    response = logged_in(client, cast.bob).post(
        reverse("ledger:reverse", args=[entry.pk]), {"reason": "x"}
    )
    assert response.status_code == 404
    assert not Entry.objects.filter(reverses=entry).exists()


def test_unit_admin_cannot_reverse_without_approve_capability(client, cast, post):
    entry = post(cast.person_a, "8", "1")
    response = logged_in(client, cast.alice).post(
        reverse("ledger:reverse", args=[entry.pk]), {"reason": "x"}
    )
    assert response.status_code == 404
    assert not Entry.objects.filter(reverses=entry).exists()


def test_office_reverses_entry_with_reason(client, cast, post):
    entry = post(cast.person_a, "8", "1")
    response = logged_in(client, cast.carol).post(
        reverse("ledger:reverse", args=[entry.pk]), {"reason": "重复报送"}
    )
    assert response.status_code == 302
    assert Entry.objects.get(reverses=entry).description == "重复报送"


def test_reversal_without_reason_is_refused(client, cast, post):
    entry = post(cast.person_a, "8", "1")
    logged_in(client, cast.carol).post(reverse("ledger:reverse", args=[entry.pk]), {"reason": ""})
    assert not Entry.objects.filter(reverses=entry).exists()


def test_learner_sees_own_ledger_but_not_colleague(client, cast, post):
    post(cast.lena_person, "8", "1")
    logged_in(client, cast.lena)
    assert (
        client.get(reverse("ledger:person_entries", args=[cast.lena_person.pk])).status_code == 200
    )
    assert client.get(reverse("ledger:person_entries", args=[cast.person_a.pk])).status_code == 404
