"""create_token / revoke_token: who may, what is stored, what is audited."""

import datetime as dt

import pytest
from django.utils import timezone

from xuefen.api.actions import create_token, revoke_token
from xuefen.api.models import ApiToken, TokenScope, hash_secret
from xuefen.audit.models import AuditEvent
from xuefen.core.errors import CodedError, PermissionDenied


def test_the_secret_is_returned_once_and_stored_only_as_a_hash(api):
    token, secret = create_token(api.pat, api.pa, name="LMS", scopes=[TokenScope.BATCHES])
    stored = ApiToken.objects.get(pk=token.pk)
    assert secret.startswith("xf_") and len(secret) > 40
    assert stored.secret_hash == hash_secret(secret)
    assert secret not in {stored.secret_hash, stored.prefix, stored.name}
    assert secret.startswith(stored.prefix)


def test_creating_a_token_is_audited_without_the_secret(api):
    token, secret = create_token(api.pat, api.pa, name="LMS", scopes=[TokenScope.BATCHES])
    event = AuditEvent.objects.get(object_type="api.apitoken", object_id=str(token.pk))
    assert event.action == AuditEvent.Action.CREATE
    assert event.actor == api.pat
    assert event.node_path == api.pa.node.path
    assert secret not in str(event.changes)


def test_provider_staff_may_not_grant_credits_read(api):
    before = ApiToken.objects.count()
    with pytest.raises(PermissionDenied) as refused:
        create_token(api.pat, api.pa, name="x", scopes=[TokenScope.CREDITS_READ])
    assert refused.value.code == "credits_scope_office_only"
    assert ApiToken.objects.count() == before


def test_the_credit_office_may_grant_credits_read(api, cast):
    token, _secret = create_token(cast.carol, api.pa, name="x", scopes=[TokenScope.CREDITS_READ])
    assert token.scopes == [TokenScope.CREDITS_READ]


def test_staff_of_another_provider_may_not_make_its_tokens(api):
    before = ApiToken.objects.count()
    with pytest.raises(PermissionDenied):
        create_token(api.quinn, api.pa, name="x", scopes=[TokenScope.BATCHES])
    assert ApiToken.objects.count() == before


def test_a_unit_administrator_may_not_make_tokens(api, cast):
    with pytest.raises(PermissionDenied):
        create_token(cast.alice, api.pa, name="x", scopes=[TokenScope.BATCHES])


@pytest.mark.parametrize("scopes", [[], ["admin"]])
def test_a_token_needs_known_scopes(api, scopes):
    with pytest.raises(CodedError) as refused:
        create_token(api.pat, api.pa, name="x", scopes=scopes)
    assert refused.value.code == "invalid_scope"


def test_a_token_cannot_expire_in_the_past(api):
    with pytest.raises(CodedError) as refused:
        create_token(
            api.pat,
            api.pa,
            name="x",
            scopes=[TokenScope.BATCHES],
            expires_at=timezone.now() - dt.timedelta(minutes=1),
        )
    assert refused.value.code == "expiry_in_past"


def test_revoking_stops_the_token_and_is_audited(api):
    revoke_token(api.pat, api.token_a)
    token = ApiToken.objects.get(pk=api.token_a.pk)
    assert token.revoked_at is not None and token.revoked_by == api.pat
    assert not token.is_active
    assert AuditEvent.objects.filter(
        object_type="api.apitoken", object_id=str(token.pk), action=AuditEvent.Action.UPDATE
    ).exists()


def test_revoking_twice_records_once(api):
    revoke_token(api.pat, api.token_a)
    first = ApiToken.objects.get(pk=api.token_a.pk).revoked_at
    revoke_token(api.pat, api.token_a)
    assert ApiToken.objects.get(pk=api.token_a.pk).revoked_at == first
    assert (
        AuditEvent.objects.filter(
            object_id=str(api.token_a.pk), action=AuditEvent.Action.UPDATE
        ).count()
        == 1
    )


def test_staff_of_another_provider_may_not_revoke(api):
    with pytest.raises(PermissionDenied):
        revoke_token(api.quinn, api.token_a)
    assert ApiToken.objects.get(pk=api.token_a.pk).revoked_at is None


def test_the_credit_office_may_revoke_any_token_below_it(api, cast):
    revoke_token(cast.carol, api.token_b)
    assert ApiToken.objects.get(pk=api.token_b.pk).revoked_at is not None
