import datetime as dt
import time

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from xuefen.accounts import actions, throttle
from xuefen.accounts.middleware import TOUCHED
from xuefen.accounts.models import LoginThrottle, User
from xuefen.audit.models import AuditEvent
from xuefen.orgs.models import Person

LOGIN = "/accounts/login/"


def _login(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def _fail(client, username, times):
    for _ in range(times):
        response = _login(client, username, "wrong-password")
    return response


def test_correct_password_logs_in_and_is_audited(client, cast):
    response = _login(client, "alice", cast.password)
    assert response.status_code == 302
    assert response.url == reverse("core:home")
    assert AuditEvent.objects.filter(action="login", actor_name="alice").exists()


def test_failed_login_is_audited(client, cast):
    _login(client, "alice", "wrong-password")
    event = AuditEvent.objects.get(action="login_failed")
    assert event.object_id == str(cast.alice.pk)
    assert event.node_path == cast.unit_a.path


def test_failed_login_of_unknown_name_is_audited(client, cast):
    _login(client, "nobody", "wrong-password")
    assert AuditEvent.objects.filter(action="login_failed", object_repr="nobody").exists()


def test_an_id_number_typed_at_a_failed_login_is_kept_masked(client, cast):
    _login(client, "110101198506150011", "wrong-password")
    event = AuditEvent.objects.get(action="login_failed")
    assert event.object_repr != "110101198506150011" and "*" in event.object_repr


def test_failures_past_the_free_ones_make_the_next_try_wait_and_say_until_when(
    client, cast, settings
):
    response = _fail(client, "alice", settings.LOCKOUT_ATTEMPTS + 1)
    assert "_auth_user_id" not in client.session
    until = actions.waiting_until(cast.alice)
    assert until is not None and until > timezone.now()
    shown = timezone.localtime(until).strftime("%Y-%m-%d %H:%M:%S")
    assert shown in response.content.decode()


def test_the_free_failures_make_no_one_wait(client, cast, settings):
    _fail(client, "alice", settings.LOCKOUT_ATTEMPTS)
    assert actions.waiting_until(cast.alice) is None
    assert _login(client, "alice", cast.password).status_code == 302


def test_correct_password_is_refused_while_waiting(client, cast, settings):
    _fail(client, "alice", settings.LOCKOUT_ATTEMPTS + 1)
    response = _login(client, "alice", cast.password)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_the_wait_grows_with_each_further_failure(cast, settings):
    keys = throttle.keys_for("alice", None)
    waits = []
    for _ in range(settings.LOCKOUT_ATTEMPTS + 6):
        until = throttle.fail(keys)
        waits.append(0 if until is None else round((until - timezone.now()).total_seconds()))
    assert waits[: settings.LOCKOUT_ATTEMPTS] == [0] * settings.LOCKOUT_ATTEMPTS
    assert waits[settings.LOCKOUT_ATTEMPTS :] == [1, 2, 4, 8, 16, 32]


def test_the_wait_never_exceeds_the_configured_minutes(cast, settings):
    keys = throttle.keys_for("alice", None)
    for _ in range(settings.LOCKOUT_ATTEMPTS + 40):
        until = throttle.fail(keys)
    assert (until - timezone.now()).total_seconds() <= settings.LOCKOUT_MINUTES * 60


def test_the_account_may_try_again_once_the_wait_is_over(client, cast, settings):
    _fail(client, "alice", settings.LOCKOUT_ATTEMPTS + 1)
    LoginThrottle.objects.update(blocked_until=timezone.now() - dt.timedelta(seconds=1))
    response = _login(client, "alice", cast.password)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(cast.alice.pk)


def test_inactive_account_cannot_log_in(client, cast):
    User.objects.filter(pk=cast.alice.pk).update(is_active=False)
    _login(client, "alice", cast.password)
    assert "_auth_user_id" not in client.session


def _expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_session_expiry_is_the_idle_timeout(client, cast, settings):
    _login(client, "alice", cast.password)
    client.get(reverse("core:home"))
    left = (_expiry(client) - timezone.now()).total_seconds()
    assert settings.SESSION_COOKIE_AGE - 60 < left <= settings.SESSION_COOKIE_AGE


def test_a_session_in_use_is_kept_alive(client, cast, settings):
    _login(client, "alice", cast.password)
    # Pretend the last write was long ago and the session is about to run out.
    key = client.session.session_key
    soon = timezone.now() + dt.timedelta(seconds=90)
    session = client.session
    session[TOUCHED] = int(time.time()) - settings.SESSION_TOUCH_SECONDS - 1
    session.save()
    Session.objects.filter(session_key=key).update(expire_date=soon)
    client.get(reverse("core:home"))
    left = (_expiry(client) - timezone.now()).total_seconds()
    assert left > settings.SESSION_COOKIE_AGE - 60


def test_a_session_is_not_written_on_every_request(client, cast):
    _login(client, "alice", cast.password)
    client.get(reverse("core:home"))
    key = client.session.session_key
    marker = timezone.now() + dt.timedelta(seconds=1234)
    Session.objects.filter(session_key=key).update(expire_date=marker)
    client.get(reverse("core:home"))
    assert _expiry(client) == marker


def test_expired_session_is_sent_to_login(client, cast):
    _login(client, "alice", cast.password)
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_next_to_another_host_is_ignored(client, cast):
    response = client.post(
        LOGIN + "?next=https://evil.example/", {"username": "alice", "password": cast.password}
    )
    assert response.url == reverse("core:home")


def test_password_change_page_changes_the_password(client, cast):
    client.force_login(cast.alice)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": cast.password,
            "new_password1": "a-new-long-passphrase",
            "new_password2": "a-new-long-passphrase",
        },
    )
    assert response.status_code == 302
    cast.alice.refresh_from_db()
    assert cast.alice.check_password("a-new-long-passphrase")


class TestTheIdNumberAndLastSixOpenNothing:
    """The old first password (an ID number's last six characters) is gone: anyone who knows an
    ID number (they are on many documents) must not be able to take the account."""

    def test_id_number_and_last_six_make_no_account(self, client, cast):
        number = cast.person_a.id_number
        response = _login(client, number, number[-6:])
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session
        assert not User.objects.filter(person=cast.person_a).exists()

    def test_id_number_and_last_six_do_not_open_an_existing_account(self, client, cast):
        number = cast.lena_person.id_number
        _login(client, number, number[-6:])
        assert "_auth_user_id" not in client.session

    def test_failed_tries_for_an_account_not_yet_made_are_counted_too(self, client, cast, settings):
        number = cast.person_a.id_number
        _fail(client, number, settings.LOCKOUT_ATTEMPTS + 1)
        assert throttle.waiting_until(throttle.keys_for(number, None)) is not None

    def test_a_learner_logs_in_with_the_id_number_or_the_username(self, client, cast):
        assert _login(client, cast.lena_person.id_number, cast.password).status_code == 302
        client.logout()
        assert _login(client, "lena", cast.password).status_code == 302

    def test_lower_case_check_character_is_accepted(self, client, cast):
        Person.objects.filter(pk=cast.lena_person.pk).update(id_number="11010119850615123X")
        assert _login(client, "11010119850615123x", cast.password).status_code == 302

    def test_person_who_left_cannot_log_in_with_an_existing_account(self, client, cast):
        Person.objects.filter(pk=cast.lena_person.pk).update(status=Person.Status.LEFT)
        _login(client, "lena", cast.password)
        assert "_auth_user_id" not in client.session


def test_settings_hash_passwords_with_argon2_first():
    import xuefen.settings as real

    assert real.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


@pytest.mark.parametrize("name", ["alice", "carol", "sam"])
def test_staff_roles_have_no_django_admin(client, cast, name):
    user = getattr(cast, name)
    User.objects.filter(pk=user.pk).update(is_staff=True)
    client.force_login(User.objects.get(pk=user.pk))
    response = client.get("/django-admin/")
    assert response.status_code == 302
    assert "/django-admin/login/" in response.url


def test_superuser_has_django_admin(client, cast):
    root = User.objects.create_superuser("root", password="root-pass-123")
    client.force_login(root)
    assert client.get("/django-admin/").status_code == 200


def test_session_ends_when_the_person_leaves(client, cast):
    _login(client, "lena", cast.password)
    assert client.get(reverse("core:home")).status_code == 200
    Person.objects.filter(pk=cast.lena_person.pk).update(status=Person.Status.LEFT)
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_session_ends_when_the_account_is_deactivated(client, cast):
    _login(client, "alice", cast.password)
    User.objects.filter(pk=cast.alice.pk).update(is_active=False)
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
