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


def test_a_role_that_opens_no_page_says_what_it_is_for(client, cast, monkeypatch):
    from tests import factories as f
    from xuefen.accounts.roles import Role
    from xuefen.core import views

    monkeypatch.setattr(views, "collect", lambda user: [])  # a role whose pages are not open yet
    client.force_login(f.user("tina", Role.TEACHER, cast.region))
    page = client.get(reverse("core:home")).content.decode()
    assert 'data-testid="roles"' in page and "示范县" in page
    assert "培训班" in page  # what a teacher's account is for
    assert "尚未分配角色" not in page


def test_an_account_without_a_role_is_told_to_ask_for_one(client, cast):
    from tests import factories as f

    client.force_login(f.user("nobody"))
    page = client.get(reverse("core:home")).content.decode()
    assert "尚未分配角色" in page


def test_the_office_home_shows_its_tiles_under_the_menus_groups(client, cast):
    import re

    client.force_login(cast.carol)
    page = client.get(reverse("core:home")).content.decode()
    headings = re.findall(r'<section class="tile-group"[^>]*>\s*<h2>([^<]+)</h2>', page)
    assert headings == [group.label for group, _ in nav.grouped(nav.collect(cast.carol))]
    assert "审核" in headings
    # Every page of the menu is a tile, once.
    tiles = re.findall(r'<a class="tile" href="([^"]+)"', page)
    assert sorted(tiles) == sorted(item.href for item in nav.collect(cast.carol))


def test_a_short_menu_keeps_one_row_of_tiles(client, cast):
    client.force_login(cast.lena)
    page = client.get(reverse("core:home")).content.decode()
    assert "tile-group" not in page and 'class="tile"' in page
