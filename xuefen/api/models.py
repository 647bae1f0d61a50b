"""API tokens: a provider's key to the REST API.

A token belongs to one provider and acts only for it. Its secret is shown once, when it is made,
and kept only as a SHA-256 hash (the secret is 256 random bits, so a slow hash adds nothing); a
short prefix stays visible so people can tell their tokens apart.
"""

import datetime as dt
import hashlib
import secrets
from typing import TYPE_CHECKING, ClassVar, Literal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xuefen.accounts.roles import Cap

if TYPE_CHECKING:
    from xuefen.orgs.models import OrgNode

SECRET_PREFIX = "xf_"  # noqa: S105 - a marker that makes leaked tokens easy to find, not a secret
PREFIX_LENGTH = len(SECRET_PREFIX) + 8  # what stays visible: "xf_" and 8 characters


class TokenScope(models.TextChoices):
    BATCHES = "batches", _("Submit and read batches, read courses")
    CREDITS_READ = "credits:read", _("Read the credits of the people the provider serves")


# What each scope lets a token do, in the capabilities users hold.
SCOPE_CAPABILITIES: dict[str, frozenset[str]] = {
    TokenScope.BATCHES: frozenset({Cap.INTAKE_SUBMIT, Cap.INTAKE_VIEW}),
    TokenScope.CREDITS_READ: frozenset({Cap.PEOPLE_VIEW, Cap.CREDITS_VIEW}),
}


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class ApiToken(models.Model):
    provider = models.ForeignKey(
        "intake.Provider",
        verbose_name=_("provider"),
        on_delete=models.PROTECT,
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=PREFIX_LENGTH)
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    acts_as: ClassVar[Literal["token"]] = "token"  # an actor (xuefen.core.actors)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(revoked_at__gte=models.F("created_at")),
                name="api_token_revoked_after_created",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def may(self, capability: str, node: "OrgNode | None" = None) -> bool:
        """What the token may do as an actor: while active, what its scopes give, on its
        provider's node (batches) or on the people the provider serves (credits:read)."""
        if not self.is_active:
            return False
        for scope, capabilities in SCOPE_CAPABILITIES.items():
            if capability in capabilities and self.has_scope(scope):
                root = (
                    self.provider.serves if scope == TokenScope.CREDITS_READ else self.provider.node
                )
                if node is None or node.path.startswith(root.path):
                    return True
        return False

    def is_expired(self, now: dt.datetime | None = None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired()

    def scope_labels(self) -> list[str]:
        labels = dict(TokenScope.choices)
        return [str(labels.get(s, s)) for s in self.scopes]
