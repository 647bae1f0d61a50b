from typing import ClassVar, Literal

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xuefen.accounts.roles import Role


class User(AbstractUser):
    """A login. A learner's account is linked to their Person (made when they claim it with an
    activation letter; they log in with their ID number or the generated username); staff
    accounts carry role grants. A username is never an ID number: it is shown where ID numbers
    are not."""

    person = models.OneToOneField(
        "orgs.Person",
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="user",
    )
    must_change_password = models.BooleanField(_("must change password"), default=False)

    acts_as: ClassVar[Literal["user"]] = "user"  # an actor (xuefen.core.actors)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class RoleGrant(models.Model):
    """A role held on an org node; it covers the node's whole subtree."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="grants"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    node = models.ForeignKey(
        "orgs.OrgNode", verbose_name=_("org node"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "node"], name="unique_role_grant"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.node}"


class GrantProposal(models.Model):
    """A role that decides credits (credit office, unit checker), proposed by a system
    administrator and granted only when someone who already holds the credit office role over the
    node confirms it: no single account can make itself, or a second account it controls, an
    approver. Proposal and decision are both in the audit trail."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        DECLINED = "declined", _("Declined")

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="grant_proposals"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    node = models.ForeignKey(
        "orgs.OrgNode", verbose_name=_("org node"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    proposed_by = models.ForeignKey(
        User, verbose_name=_("proposed by"), on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        User,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("role proposal")
        verbose_name_plural = _("role proposals")
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "node"],
                condition=models.Q(status="pending"),
                name="accounts_grant_proposal_pending_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.node}"


class LoginThrottle(models.Model):
    """Failed attempts counted under one key: an identity typed at the log-in or activation page
    (a username or ID number, whether or not an account exists), a client address, or a trusted
    device. Keys are keyed hashes: the table holds no ID number. Beyond a number of free failures
    each further one makes the key wait longer (accounts.throttle)."""

    key = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=16)
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField()
    blocked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("failed log-in count")
        verbose_name_plural = _("failed log-in counts")

    def __str__(self) -> str:
        return f"{self.kind} {self.key[:8]} {self.failures}"


class ActivationLetter(models.Model):
    """A one-time code with which a person claims (or recovers) their account, printed by their
    unit. Only a keyed hash of the code is stored; a new letter supersedes the person's earlier
    ones; a letter expires, and is spent by its use."""

    person = models.ForeignKey(
        "orgs.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    code_hash = models.CharField(max_length=64)
    issued_by = models.ForeignKey(
        User, verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("superseded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("activation letter")
        verbose_name_plural = _("activation letters")
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["person", "-issued_at"])]

    def __str__(self) -> str:
        return f"{self.person} {self.issued_at:%Y-%m-%d}"

    @property
    def is_usable(self) -> bool:
        return self.used_at is None and self.revoked_at is None and self.expires_at > timezone.now()
