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
    client.cookies["django_language"] = "en"
    with django_assert_max_num_queries(12):
        response = client.get(reverse("ledger:person_entries", args=[cast.person_a.pk]))
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


def manual(**extra):
    data = {
        "last_day": "2026-06-01",
        "categories": ["required", "offline"],
        "amount": "6",
        "unit": "hours",
        "description": "县外调训",
        "evidence": "结业证书 123",
        "token": "t-1",
    }
    data.update(extra)
    return data


def test_office_posts_manual_entry_once_even_if_sent_twice(client, cast):
    logged_in(client, cast.carol)
    url = reverse("ledger:post_manual", args=[cast.person_a.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, manual()).status_code == 302
    client.post(url, manual())
    entry = Entry.objects.get(person=cast.person_a)
    assert (entry.amount, entry.approved_by, entry.source_type) == (6, cast.carol, "manual")


def test_manual_entry_with_zero_amount_shows_error_and_posts_nothing(client, cast):
    logged_in(client, cast.carol)
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("ledger:post_manual", args=[cast.person_a.pk]), manual(amount="0")
    )
    assert response.status_code == 200
    assert "must not be zero" in response.content.decode()
    assert not Entry.objects.exists()


def test_unit_admin_cannot_post_manual_entry(client, cast):
    logged_in(client, cast.alice)
    response = client.post(reverse("ledger:post_manual", args=[cast.person_a.pk]), manual())
    assert response.status_code == 404
    assert not Entry.objects.exists()
