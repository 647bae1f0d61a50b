"""Claiming an account with an activation letter: a unit prints letters (random one-time codes,
expiring) in bulk as a Chinese PDF; a person claims their account with their ID number and the
code; guessing is counted per ID number and per address."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from tests.reports.pdftext import pdf_text
from xuefen.accounts import actions, throttle
from xuefen.accounts.models import ActivationLetter, User
from xuefen.accounts.roles import Role
from xuefen.audit.models import AuditEvent
from xuefen.core.errors import PermissionDenied
from xuefen.orgs.models import Person

PASSWORD = "my-own-secret-2026"


def _activate(client, number, code, password=PASSWORD, address="203.0.113.20"):
    return client.post(
        reverse("accounts:activate"),
        {
            "id_number": number,
            "code": code,
            "new_password1": password,
            "new_password2": password,
        },
        REMOTE_ADDR=address,
    )


@pytest.fixture
def letter(cast):
    (issued,) = actions.issue_activation_letters(cast.alice, [cast.person_a])
    return issued


def test_a_unit_admin_prints_letters_for_everyone_without_an_account(client, cast):
    client.force_login(cast.alice)
    page = client.get(reverse("accounts:letters"), {"unit": cast.unit_a.pk})
    assert cast.person_a.name in page.content.decode()
    response = client.post(
        reverse("accounts:letters"), {"unit": cast.unit_a.pk, "all_without_account": "1"}
    )
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "账号激活通知书" in text and cast.person_a.name in text
    assert cast.person_a.id_number not in text  # masked on paper too
    # Lena already has an account: not in "everyone without an account".
    assert list(ActivationLetter.objects.values_list("person", flat=True)) == [cast.person_a.pk]
    assert AuditEvent.objects.filter(object_type="accounts.activationletter").count() == 1
    letter = ActivationLetter.objects.get()
    assert letter.expires_at > timezone.now() + dt.timedelta(days=29)
    assert len(letter.code_hash) == 64  # only a hash is kept


def test_the_person_claims_the_account_with_id_number_and_code(client, cast, letter):
    response = _activate(client, cast.person_a.id_number.lower(), actions.format_code(letter.code))
    assert response.status_code == 302
    user = User.objects.get(person=cast.person_a)
    assert user.username != cast.person_a.id_number and user.username.startswith("xf")
    assert user.check_password(PASSWORD) and not user.must_change_password
    assert "_auth_user_id" in client.session
    client.post(reverse("accounts:logout"))
    assert (
        client.post(
            "/accounts/login/", {"username": cast.person_a.id_number, "password": PASSWORD}
        ).status_code
        == 302
    )


def test_a_code_works_once(client, cast, letter):
    _activate(client, cast.person_a.id_number, letter.code)
    client.post(reverse("accounts:logout"))
    response = _activate(client, cast.person_a.id_number, letter.code, password="another-one-99")
    assert response.status_code == 200
    assert User.objects.get(person=cast.person_a).check_password(PASSWORD)


def test_an_expired_or_replaced_code_opens_nothing(client, cast, letter):
    ActivationLetter.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert _activate(client, cast.person_a.id_number, letter.code).status_code == 200
    (newer,) = actions.issue_activation_letters(cast.alice, [cast.person_a])
    assert _activate(client, cast.person_a.id_number, letter.code).status_code == 200
    assert not User.objects.filter(person=cast.person_a).exists()
    assert _activate(client, cast.person_a.id_number, newer.code).status_code == 302


def test_the_answer_is_the_same_for_an_unknown_id_number_and_a_wrong_code(client, cast, letter):
    client.cookies["django_language"] = "en"
    wrong_code = _activate(client, cast.person_a.id_number, "AAAA-BBBB-CCCC")
    unknown_id = _activate(client, f.valid_id(), letter.code)
    assert wrong_code.status_code == unknown_id.status_code == 200
    assert str(wrong_code.context["form"].non_field_errors()) == str(
        unknown_id.context["form"].non_field_errors()
    )
    assert not User.objects.filter(person=cast.person_a).exists()


def test_guessing_codes_is_counted_per_id_number_and_per_address(client, cast, letter, settings):
    number = cast.person_a.id_number
    for i in range(settings.LOCKOUT_ATTEMPTS + 1):
        _activate(client, number, f"GUESS{i:07d}", address=f"198.51.100.{i}")
    # The right code now waits too, from any address.
    assert _activate(client, number, letter.code, address="192.0.2.1").status_code == 200
    assert not User.objects.filter(person=cast.person_a).exists()
    # One address guessing across many ID numbers is slowed down as well.
    settings.LOGIN_ADDRESS_FAILURES = 5
    for _ in range(6):
        _activate(client, f.valid_id(), "WRONGCODE123", address="203.0.113.99")
    keys = throttle.keys_for("", "203.0.113.99")[1:]
    assert throttle.waiting_until(keys) is not None


def test_the_unit_cannot_issue_for_people_of_another_unit(client, cast):
    with pytest.raises(PermissionDenied):
        actions.issue_activation_letters(cast.bob, [cast.person_a])
    client.force_login(cast.bob)
    response = client.post(
        reverse("accounts:letters"), {"unit": cast.unit_a.pk, "all_without_account": "1"}
    )
    assert response.status_code == 200  # the form refuses unit A: not among bob's units
    assert not ActivationLetter.objects.exists()


def test_nobody_issues_a_letter_for_their_own_person(cast):
    admin = f.user("ursula", Role.UNIT_ADMIN, cast.unit_a, person=cast.person_a)
    with pytest.raises(PermissionDenied) as exc:
        actions.issue_activation_letters(admin, [cast.person_a])
    assert exc.value.code == "own_person"


def test_a_person_who_left_gets_no_letter_and_cannot_use_an_old_one(client, cast, letter):
    Person.objects.filter(pk=cast.person_a.pk).update(status=Person.Status.LEFT)
    assert _activate(client, cast.person_a.id_number, letter.code).status_code == 200
    assert not User.objects.filter(person=cast.person_a).exists()


def test_the_auditor_and_the_sysadmin_issue_no_letters(client, cast):
    for user in (cast.dave, cast.sam):
        client.force_login(user)
        assert client.get(reverse("accounts:letters")).status_code == 404
