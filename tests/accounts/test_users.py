import pytest
from django.urls import reverse

from tests import factories as f
from xuefen.accounts import actions, scope
from xuefen.accounts.models import RoleGrant, User
from xuefen.accounts.roles import CAPABILITIES, Cap, Role
from xuefen.audit.models import AuditEvent
from xuefen.core.errors import CodedError, PermissionDenied
from xuefen.orgs.models import OrgNode


@pytest.fixture
def outside(cast):
    """A second tree that sam (sysadmin of R) does not manage, with its own account."""
    other = f.node("别县", OrgNode.Kind.REGION, code="X")
    return f.user("xavier", Role.UNIT_ADMIN, other), other


def test_no_role_of_the_system_administrator_approves_credits():
    assert Cap.CREDITS_APPROVE not in CAPABILITIES[Role.SYSADMIN]


def test_users_lists_accounts_with_grants_or_people_in_scope(cast, outside):
    names = set(scope.users(cast.sam).values_list("username", flat=True))
    assert {"alice", "bob", "carol", "dave", "lena"} <= names
    assert "xavier" not in names


def test_users_is_empty_without_users_manage(cast):
    assert not scope.users(cast.carol).exists()


def test_sysadmin_creates_a_staff_account_that_must_change_its_password(cast):
    user = actions.create_staff_user(
        cast.sam,
        "erin",
        display_name="Erin",
        password="temp-pass-123",
        role=Role.AUDITOR,
        node=cast.dept,
    )
    assert user.must_change_password and user.check_password("temp-pass-123")
    assert list(user.grants.values_list("role", "node")) == [(Role.AUDITOR, cast.dept.pk)]
    assert AuditEvent.objects.filter(object_type="accounts.user", object_id=str(user.pk)).exists()
    assert AuditEvent.objects.filter(object_type="accounts.rolegrant", actor=cast.sam).exists()


def test_create_refuses_a_taken_username(cast):
    with pytest.raises(CodedError) as caught:
        actions.create_staff_user(
            cast.sam,
            "ALICE",
            display_name="x",
            password="temp-pass-123",
            role=Role.OFFICE,
            node=cast.dept,
        )
    assert caught.value.code == "username_taken"


def test_sysadmin_may_not_grant_a_role_to_themself(cast):
    with pytest.raises(PermissionDenied) as caught:
        actions.grant_role(cast.sam, cast.sam, Role.AUDITOR, cast.region)
    assert caught.value.code == "own_account"
    assert not cast.sam.grants.filter(role=Role.AUDITOR).exists()


def test_sysadmin_grants_office_to_someone_else_once_the_office_confirms(cast):
    proposal = actions.grant_role(cast.sam, cast.alice, Role.OFFICE, cast.dept)
    assert not cast.alice.grants.filter(role=Role.OFFICE).exists()
    actions.confirm_grant(cast.carol, proposal)
    assert cast.alice.grants.filter(role=Role.OFFICE, node=cast.dept).exists()


def test_no_account_is_both_sysadmin_and_credit_approver(cast):
    other_admin = f.user("sid", Role.SYSADMIN, cast.region)
    with pytest.raises(CodedError) as caught:
        actions.grant_role(other_admin, cast.sam, Role.OFFICE, cast.region)
    assert caught.value.code == "separation_of_duties"
    with pytest.raises(CodedError):
        actions.grant_role(cast.sam, cast.carol, Role.SYSADMIN, cast.region)


def test_grant_outside_the_managers_subtree_is_refused(cast, outside):
    _xavier, other = outside
    with pytest.raises(PermissionDenied):
        actions.grant_role(cast.sam, cast.alice, Role.AUDITOR, other)


def test_revoke_removes_the_grant_and_is_audited(cast):
    grant = cast.bob.grants.get()
    actions.revoke_role(cast.sam, grant)
    assert not RoleGrant.objects.filter(pk=grant.pk).exists()
    assert AuditEvent.objects.filter(action="delete", object_type="accounts.rolegrant").exists()


def test_deactivate_and_reactivate(cast):
    actions.set_active(cast.sam, cast.bob, False)
    cast.bob.refresh_from_db()
    assert not cast.bob.is_active
    actions.set_active(cast.sam, cast.bob, True)
    cast.bob.refresh_from_db()
    assert cast.bob.is_active
    assert AuditEvent.objects.filter(action="update", object_id=str(cast.bob.pk)).count() == 2


def test_sysadmin_may_not_deactivate_themself(cast):
    with pytest.raises(PermissionDenied):
        actions.set_active(cast.sam, cast.sam, False)


def test_reset_password_forces_a_change(cast):
    actions.reset_password(cast.sam, cast.bob, "temp-pass-456")
    cast.bob.refresh_from_db()
    assert cast.bob.must_change_password and cast.bob.check_password("temp-pass-456")


def test_unlock_forgets_the_failed_tries(cast, settings):
    from xuefen.accounts import throttle

    for _ in range(settings.LOCKOUT_ATTEMPTS + 2):
        throttle.fail(throttle.keys_for("bob", None))
    assert actions.waiting_until(cast.bob) is not None
    actions.unlock_user(cast.sam, cast.bob)
    assert actions.waiting_until(cast.bob) is None


def test_manager_outside_scope_may_not_reset(cast, outside):
    xavier, _other = outside
    with pytest.raises(PermissionDenied):
        actions.reset_password(cast.sam, xavier, "temp-pass-456")


# ------------------------------------------------------------------------------------ pages


def test_user_list_shows_scoped_accounts(client, cast, outside, django_assert_max_num_queries):
    for i in range(30):
        f.user(f"staff{i}", Role.UNIT_ADMIN, cast.unit_a)
    client.force_login(cast.sam)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("accounts:users"))
    body = response.content.decode()
    assert "alice" in body and "xavier" not in body


def test_user_list_searches(client, cast):
    client.force_login(cast.sam)
    body = client.get(reverse("accounts:users"), {"q": "car"}).content.decode()
    assert "carol" in body and "alice" not in body


def test_user_pages_are_404_without_users_manage(client, cast):
    client.force_login(cast.carol)
    assert client.get(reverse("accounts:users")).status_code == 404
    assert client.get(reverse("accounts:user_detail", args=[cast.alice.pk])).status_code == 404


def test_create_page_creates_and_opens_the_account(client, cast):
    client.force_login(cast.sam)
    response = client.post(
        reverse("accounts:user_create"),
        {
            "username": "erin",
            "display_name": "Erin",
            "password": "temp-pass-123",
            "role": Role.AUDITOR,
            "node": cast.region.pk,
        },
    )
    erin = User.objects.get(username="erin")
    assert response.url == reverse("accounts:user_detail", args=[erin.pk])
    assert erin.must_change_password


def test_create_page_rejects_a_weak_password(client, cast):
    client.force_login(cast.sam)
    response = client.post(
        reverse("accounts:user_create"),
        {
            "username": "erin",
            "display_name": "Erin",
            "password": "123",
            "role": Role.AUDITOR,
            "node": cast.region.pk,
        },
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="erin").exists()


def test_grant_page_refuses_own_account_with_a_message(client, cast):
    client.force_login(cast.sam)
    response = client.post(
        reverse("accounts:grant", args=[cast.sam.pk]), {"role": Role.OFFICE, "node": cast.region.pk}
    )
    assert response.status_code == 400
    assert not cast.sam.grants.filter(role=Role.OFFICE).exists()


def test_grant_revoke_deactivate_reset_unlock_pages(client, cast):
    client.force_login(cast.sam)
    url = reverse("accounts:grant", args=[cast.bob.pk])
    assert client.post(url, {"role": Role.AUDITOR, "node": cast.region.pk}).status_code == 302
    grant = cast.bob.grants.get(role=Role.AUDITOR)
    client.post(reverse("accounts:revoke", args=[cast.bob.pk, grant.pk]))
    assert not cast.bob.grants.filter(role=Role.AUDITOR).exists()
    client.post(reverse("accounts:set_active", args=[cast.bob.pk]), {"active": "0"})
    client.post(
        reverse("accounts:reset_password", args=[cast.bob.pk]), {"password": "temp-pass-789"}
    )
    client.post(reverse("accounts:unlock", args=[cast.bob.pk]))
    cast.bob.refresh_from_db()
    assert not cast.bob.is_active and cast.bob.must_change_password
    assert cast.bob.check_password("temp-pass-789")


def test_detail_page_shows_roles(client, cast):
    client.force_login(cast.sam)
    body = client.get(reverse("accounts:user_detail", args=[cast.alice.pk])).content.decode()
    assert cast.unit_a.name in body


def test_revoke_of_another_users_grant_is_404(client, cast):
    client.force_login(cast.sam)
    bobs = cast.bob.grants.get()
    response = client.post(reverse("accounts:revoke", args=[cast.alice.pk, bobs.pk]))
    assert response.status_code == 404
    assert RoleGrant.objects.filter(pk=bobs.pk).exists()


def test_sysadmin_of_unit_b_cannot_see_or_change_accounts_of_unit_a(client, cast):
    admin_b = f.user("sysb", Role.SYSADMIN, cast.unit_b)
    client.force_login(admin_b)
    assert client.get(reverse("accounts:user_detail", args=[cast.alice.pk])).status_code == 404
    response = client.post(reverse("accounts:set_active", args=[cast.alice.pk]), {"active": "0"})
    assert response.status_code == 404
    cast.alice.refresh_from_db()
    assert cast.alice.is_active
    body = client.get(reverse("accounts:users")).content.decode()
    assert "bob" in body and "alice" not in body
