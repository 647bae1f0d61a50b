"""Log-in throttling as attackers use it: guessing many accounts from one address, locking the
office out on deadline day, and brute-forcing Django's admin log-in."""

import pytest
from django.urls import reverse

from tests import factories as f
from xuefen.accounts import throttle
from xuefen.accounts.models import LoginThrottle, User
from xuefen.audit.models import AuditEvent

LOGIN = "/accounts/login/"


def _login(client, username, password, address="203.0.113.9"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def _logged_in(client):
    return "_auth_user_id" in client.session


def test_one_address_guessing_many_accounts_is_slowed_down(client, cast, settings):
    settings.LOGIN_ADDRESS_FAILURES = 10
    client.cookies["django_language"] = "en"
    # One wrong password for each of many names: no identity reaches its own limit.
    for i in range(settings.LOGIN_ADDRESS_FAILURES + 1):
        _login(client, f"name{i}", "wrong-password")
    # Now this address waits, even for a name it never tried and even with the right password.
    response = _login(client, "alice", cast.password)
    assert not _logged_in(client)
    assert response.status_code == 200
    assert "Too many failed attempts: try again after" in response.content.decode()
    # Another address is not held back.
    other = client.__class__()
    assert _login(other, "alice", cast.password, address="198.51.100.7").status_code == 302


def test_nobody_can_lock_the_office_out_on_deadline_day(client, cast, settings):
    office_pc = client.__class__()
    assert _login(office_pc, "carol", cast.password, address="10.0.0.5").status_code == 302
    office_pc.post(reverse("accounts:logout"))  # the office's browser keeps its device cookie

    attacker = client.__class__()
    for i in range(settings.LOCKOUT_ATTEMPTS + 20):
        _login(attacker, "carol", f"guess-{i}", address=f"198.51.100.{i % 200}")
    assert not _logged_in(attacker)
    assert throttle.waiting_until(throttle.keys_for("carol", None)) is not None
    # The attacker's right guess would wait too:
    _login(attacker, "carol", cast.password, address="198.51.100.250")
    assert not _logged_in(attacker)

    # The office's own browser logs in at once, from the same address the attacker used even.
    response = _login(office_pc, "carol", cast.password, address="198.51.100.3")
    assert response.status_code == 302 and _logged_in(office_pc)


def test_a_stolen_device_cookie_does_not_buy_unlimited_guesses(client, cast, settings):
    assert _login(client, "carol", cast.password).status_code == 302
    client.post(reverse("accounts:logout"))
    for i in range(settings.LOCKOUT_ATTEMPTS):
        _login(client, "carol", f"guess-{i}")
    # The device is trusted no more: its further tries count against carol and the address.
    for i in range(settings.LOCKOUT_ATTEMPTS + 1):
        _login(client, "carol", f"more-{i}")
    assert throttle.waiting_until(throttle.keys_for("carol", None)) is not None


def test_the_device_cookie_is_httponly_and_samesite_strict(client, cast):
    response = _login(client, "carol", cast.password)
    cookie = response.cookies[throttle.DEVICE_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"


def test_counters_hold_no_identity_in_clear(client, cast):
    _login(client, cast.person_a.id_number, "wrong-password")
    stored = list(LoginThrottle.objects.values_list("key", flat=True))
    assert stored and all(cast.person_a.id_number not in k for k in stored)
    assert all("203.0.113.9" not in k for k in stored)


@pytest.fixture
def root(db):
    return User.objects.create_superuser("root", password="root-pass-123")


def test_django_admin_has_no_log_in_of_its_own(client, root, settings):
    """30 wrong passwords, then the right one, at /django-admin/login/: none is checked there (the
    admin sends to Xuefen's log-in), so nothing logs in that way."""
    for i in range(30):
        response = client.post("/django-admin/login/", {"username": "root", "password": f"x{i}"})
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
    client.post("/django-admin/login/", {"username": "root", "password": "root-pass-123"})
    assert not _logged_in(client)


def test_brute_force_through_xuefens_log_in_is_counted_and_audited(client, root, settings):
    for i in range(30):
        _login(client, "root", f"x{i}")
    assert not _logged_in(client)
    assert AuditEvent.objects.filter(action="login_failed", object_repr="root").count() == 30
    _login(client, "root", "root-pass-123")
    assert not _logged_in(client)  # still waiting
    assert client.get("/django-admin/").status_code == 302


def test_staff_accounts_may_not_reach_the_admin_through_the_login(client, cast):
    f.user("staffer", "auditor", cast.region)
    _login(client, "staffer", "pw-for-tests-1")
    assert _logged_in(client)
    response = client.get("/django-admin/")
    assert response.status_code == 302  # not a superuser: sent away


def test_failures_drain_away_so_a_busy_office_address_is_not_held_back(cast, settings):
    import datetime as dt

    from django.utils import timezone

    settings.LOGIN_ADDRESS_FAILURES = 30
    address = throttle.Key("address", "10.1.1.1")
    for _ in range(30):
        throttle.fail([address])
    # An hour later most have drained: thirty more typos make nobody in the office wait.
    LoginThrottle.objects.update(last_failure_at=timezone.now() - dt.timedelta(hours=1))
    for _ in range(29):
        assert throttle.fail([address]) is None


def test_alternating_username_and_id_number_gains_no_tries(client, cast, settings):
    number = cast.lena_person.id_number
    for i in range(settings.LOCKOUT_ATTEMPTS + 1):
        _login(client, "lena" if i % 2 else number, f"guess-{i}", address=f"198.51.100.{i}")
    from xuefen.accounts import actions

    assert actions.waiting_until(cast.lena) is not None
    _login(client, "lena", cast.password, address="192.0.2.44")
    assert not _logged_in(client)
