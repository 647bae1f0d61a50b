"""The frame of a logged-in page: the session read from the process's memory and checked against its
row in the same one query that reads the account, its person and its grants; the menu computed once
per set of grants. Several server processes each keep their own copy of a session: a log-out or a
write by another process must be seen at once."""

from django.contrib.sessions.backends.db import SessionStore as DatabaseStore
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from xuefen.accounts import sessions
from xuefen.core import nav


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_logged_in_frame_is_one_query(cast, django_assert_num_queries):
    """The staff home page reads nothing but the frame (one query: session, account, grants)."""
    client = logged_in(cast.carol)
    client.get(reverse("reports:rollup"))
    with django_assert_num_queries(1):
        response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 200
    assert reverse("reports:rollup") in response.content.decode()  # the menu is there


def test_a_session_ended_elsewhere_is_logged_out_here(cast):
    """Another server process logs the session out (its row deleted): this process, which still
    keeps a copy, answers as to someone logged out."""
    client = logged_in(cast.carol)
    assert client.get(reverse("reports:rollup")).status_code == 200
    Session.objects.filter(session_key=client.session.session_key).delete()
    response = client.get(reverse("reports:rollup"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_a_session_written_elsewhere_is_read_again(cast):
    client = logged_in(cast.carol)
    key = client.session.session_key
    here = sessions.SessionStore(key)
    assert here.get("scan") is None  # read, and now kept in this process's memory
    elsewhere = DatabaseStore(key)  # another process writes the row
    elsewhere["scan"] = "t-1"
    elsewhere.save()
    kept = sessions.SessionStore(key)
    assert kept.get("scan") is None  # the kept copy is out of date …
    row = Session.objects.get(session_key=key)
    assert kept.agree(row.expire_date) is False  # … the row's stamp says so …
    assert kept.get("scan") == "t-1"  # … and it is read again
    assert sessions.SessionStore(key).agree(row.expire_date) is True


def test_a_deactivated_account_is_logged_out(cast):
    client = logged_in(cast.carol)
    assert client.get(reverse("reports:rollup")).status_code == 200
    cast.carol.is_active = False
    cast.carol.save()
    assert client.get(reverse("reports:rollup")).status_code == 302


def test_the_menu_is_worked_out_once_per_set_of_grants(cast, monkeypatch):
    from xuefen.reports import nav as reports_nav

    calls = []
    original = reports_nav.items
    monkeypatch.setattr(reports_nav, "items", lambda user: calls.append(user) or original(user))
    monkeypatch.setattr(nav, "_BY_GRANTS", {})
    monkeypatch.setattr(nav, "_HTML", {})
    for user in (cast.alice, cast.carol, cast.alice, cast.carol):
        logged_in(user).get(reverse("accounts:password_change"))
    assert len(calls) == 2
    # The same grants on the same node: the same menu; the menu follows a new grant.
    from tests import factories as f
    from xuefen.accounts.roles import Role

    other = f.user("alice2", Role.UNIT_ADMIN, cast.unit_a)
    logged_in(other).get(reverse("accounts:password_change"))
    assert len(calls) == 2
    other.grants.create(role=Role.AUDITOR, node=cast.region)
    text = logged_in(other).get(reverse("accounts:password_change")).content.decode()
    assert len(calls) == 3
    assert reverse("audit:events") in text
