from django.urls import reverse

from xuefen.core import nav


def _tiles(client, user):
    client.force_login(user)
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    return {item.url_name for item in response.context["tiles"]}


def test_sysadmin_home_opens_users_and_audit(client, cast):
    tiles = _tiles(client, cast.sam)
    assert {"accounts:users", "audit:events"} <= tiles


def test_unit_admin_home_has_no_users_or_audit(client, cast):
    tiles = _tiles(client, cast.alice)
    assert not tiles & {"accounts:users", "audit:events"}


def test_auditor_home_opens_the_audit_trail(client, cast):
    assert "audit:events" in _tiles(client, cast.dave)


def test_core_adds_nothing_to_the_menu(cast):
    assert nav.items(cast.sam) == []
    assert not any(item.section == "core" for item in nav.collect(cast.sam))


def test_anonymous_home_goes_to_login(client, db):
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_healthz_answers_without_login(client, db):
    response = client.get(reverse("core:healthz"))
    assert response.status_code == 200
    assert set(response.json()) == {"status", "worker", "queue"}
