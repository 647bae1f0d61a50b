"""Making and revoking API tokens. Each runs in one transaction and writes its audit record; the
secret itself is returned once and never stored or audited."""

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xuefen.accounts import scope
from xuefen.accounts.roles import Cap
from xuefen.api.errors import Code
from xuefen.api.models import PREFIX_LENGTH, ApiToken, TokenScope, hash_secret, new_secret
from xuefen.audit.actions import record
from xuefen.audit.models import AuditEvent
from xuefen.core.actors import Actor, user_of
from xuefen.core.errors import CodedError, PermissionDenied
from xuefen.intake.models import Provider


def may_manage_tokens(actor: Actor, provider: Provider) -> bool:
    """Provider staff and the credit office above it (courses.manage on the provider's node)."""
    return scope.may(actor, Cap.COURSES_MANAGE, provider.node)


def may_grant_credits_read(actor: Actor, provider: Provider) -> bool:
    """Reading people's credits is granted by the credit office of the people served, only."""
    return scope.may(actor, Cap.CREDITS_APPROVE, provider.serves)


def _clean_scopes(actor: Actor, provider: Provider, scopes: Iterable[str]) -> list[str]:
    chosen = sorted(set(scopes))
    known = set(TokenScope.values)
    if not chosen or any(s not in known for s in chosen):
        raise CodedError(Code.INVALID_SCOPE, _("Choose what the token may do."), field="scopes")
    if TokenScope.CREDITS_READ in chosen and not may_grant_credits_read(actor, provider):
        raise PermissionDenied(
            Code.CREDITS_SCOPE_OFFICE_ONLY,
            _("Only the credit office may let a token read people's credits."),
            field="scopes",
        )
    return chosen


@transaction.atomic
def create_token(
    actor: Actor,
    provider: Provider,
    *,
    name: str,
    scopes: Iterable[str],
    expires_at: dt.datetime | None = None,
) -> tuple[ApiToken, str]:
    """Makes a token for `provider` and returns it with its secret, which is not kept anywhere:
    only its hash and visible prefix are stored. The system (the CLI) may make any."""
    if not may_manage_tokens(actor, provider):
        raise PermissionDenied(Code.FORBIDDEN, _("You may not manage this provider's tokens."))
    name = name.strip()
    if not name:
        raise CodedError(Code.NAME_REQUIRED, _("Give the token a name."), field="name")
    chosen = _clean_scopes(actor, provider, scopes)
    now = timezone.now()
    if expires_at is not None and expires_at <= now:
        raise CodedError(
            Code.EXPIRY_IN_PAST, _("The expiry date must be in the future."), field="expires_at"
        )
    if not provider.is_active:
        raise CodedError(Code.PROVIDER_INACTIVE, _("The provider is not active."), field="provider")
    secret = new_secret()
    token = ApiToken.objects.create(
        provider=provider,
        name=name[:100],
        prefix=secret[:PREFIX_LENGTH],
        secret_hash=hash_secret(secret),
        scopes=chosen,
        created_by=user_of(actor),
        created_at=now,
        expires_at=expires_at,
    )
    record(
        actor,
        AuditEvent.Action.CREATE,
        token,
        node_path=provider.node.path,
        changes={
            "provider": [None, provider.code],
            "name": [None, token.name],
            "prefix": [None, token.prefix],
            "scopes": [None, chosen],
            "expires_at": [None, expires_at.isoformat() if expires_at else None],
        },
    )
    return token, secret


@transaction.atomic
def revoke_token(actor: Actor, token: ApiToken) -> ApiToken:
    """Stops the token at once. Revoking a revoked token changes nothing and records nothing."""
    locked = ApiToken.objects.select_for_update().select_related("provider__node").get(pk=token.pk)
    if not may_manage_tokens(actor, locked.provider):
        raise PermissionDenied(Code.FORBIDDEN, _("You may not manage this provider's tokens."))
    if locked.revoked_at is not None:
        return locked
    locked.revoked_at = timezone.now()
    locked.revoked_by = user_of(actor)
    locked.save(update_fields=["revoked_at", "revoked_by"])
    record(
        actor,
        AuditEvent.Action.UPDATE,
        locked,
        node_path=locked.provider.node.path,
        changes={"revoked_at": [None, locked.revoked_at.isoformat()]},
    )
    return locked
