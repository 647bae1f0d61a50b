"""The Learning Record Store: learning platforms (xAPI clients) and the statements they send.

A platform is registered by the credit office for one provider: it sends statements with HTTP
Basic authentication (its key and a secret kept only as a SHA-256 hash: the secret is 256 random
bits, so a slow hash adds nothing), and its completions credit only people the provider serves.
Its activity ids are mapped to the provider's courses, and its learner accounts identify people
either by ID number (an account on the platform's own home page named by the ID number) or by a
mapping the office keeps. Every statement is kept as sent (with what the LRS added) beside what
became of it.
"""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

KEY_PREFIX = "xc_"


def new_key() -> str:
    return KEY_PREFIX + secrets.token_hex(6)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class Client(models.Model):
    """A learning platform allowed to send statements (an xAPI client account)."""

    provider = models.ForeignKey(
        "intake.Provider",
        verbose_name=_("provider"),
        on_delete=models.PROTECT,
        related_name="xapi_clients",
    )
    name = models.CharField(_("name"), max_length=100)
    key = models.CharField(_("account key"), max_length=40, unique=True)
    secret_hash = models.CharField(max_length=64, editable=False)
    home_page = models.URLField(
        _("learner account home page"),
        max_length=300,
        help_text=_(
            "Statements whose actor is an account on this home page, named by the learner's ID "
            "number, identify the learner."
        ),
    )
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
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("xAPI client account")
        verbose_name_plural = _("xAPI client accounts")
        ordering = ["provider_id", "name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ActivityCourse(models.Model):
    """An activity id of a platform that stands for one of its provider's courses."""

    client = models.ForeignKey(
        Client,
        verbose_name=_("xAPI client account"),
        on_delete=models.CASCADE,
        related_name="activities",
    )
    activity_id = models.CharField(_("activity id"), max_length=500)
    course = models.ForeignKey(
        "training.Course", verbose_name=_("course"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("course activity")
        verbose_name_plural = _("course activities")
        ordering = ["client_id", "activity_id"]
        constraints = [
            models.UniqueConstraint(fields=["client", "activity_id"], name="xapi_activity_once")
        ]

    def __str__(self) -> str:
        return self.activity_id


class AccountPerson(models.Model):
    """A learner account on a platform (home page + name) mapped to a person."""

    client = models.ForeignKey(
        Client,
        verbose_name=_("xAPI client account"),
        on_delete=models.CASCADE,
        related_name="accounts",
    )
    home_page = models.CharField(_("home page"), max_length=300)
    name = models.CharField(_("account name"), max_length=200)
    person = models.ForeignKey(
        "orgs.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("mapped learner account")
        verbose_name_plural = _("mapped learner accounts")
        ordering = ["client_id", "home_page", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "home_page", "name"], name="xapi_account_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}@{self.home_page}"


class Outcome(models.TextChoices):
    CREDITED = "credited", _("Credited")
    ALREADY_CREDITED = "already_credited", _("Already credited; not counted again")
    NOT_COMPLETION = "not_completion", _("Not a completion; stored only")
    NOT_SUCCESSFUL = "not_successful", _("Not passed; stored only")
    COURSE_UNKNOWN = "course_unknown", _("Activity is not a registered course; stored only")
    PERSON_UNKNOWN = "person_unknown", _("Learner not identified; stored only")
    REFUSED = "refused", _("Refused by the credit rules; stored only")
    VOIDING = "voiding", _("Voids an earlier statement")


class Statement(models.Model):
    """One statement as stored (`data`: as sent, with its id, stored time, authority and version),
    the columns the queries filter on, and what became of it."""

    statement_id = models.UUIDField(_("statement id"), unique=True)
    client = models.ForeignKey(
        Client,
        verbose_name=_("xAPI client account"),
        on_delete=models.PROTECT,
        related_name="statements",
    )
    stored = models.DateTimeField(_("stored"))
    timestamp = models.DateTimeField(_("time"))
    verb_id = models.CharField(_("verb"), max_length=500)
    actor_ifi = models.CharField(_("actor"), max_length=600)
    object_type = models.CharField(_("object type"), max_length=20)
    object_id = models.CharField(_("object"), max_length=600)
    registration = models.UUIDField(_("registration"), null=True, blank=True)
    # "\n"-framed lists (each item between newlines) of the related activity ids and agents
    related_activities = models.TextField(_("related activities"), blank=True)
    related_agents = models.TextField(_("related agents"), blank=True)
    voids = models.UUIDField(_("voids statement"), null=True, blank=True)
    voided = models.BooleanField(_("voided"), default=False)
    timestamp_given = models.BooleanField(default=True)
    data = models.JSONField(_("statement"))
    outcome = models.CharField(_("outcome"), max_length=24, choices=Outcome.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    person = models.ForeignKey(
        "orgs.Person",
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    course = models.ForeignKey(
        "training.Course",
        verbose_name=_("course"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    entry = models.ForeignKey(
        "ledger.Entry",
        verbose_name=_("ledger entry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reversal = models.ForeignKey(
        "ledger.Entry",
        verbose_name=_("reversal"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("xAPI statement")
        verbose_name_plural = _("xAPI statements")
        ordering = ["-stored", "-id"]
        indexes = [
            models.Index(fields=["client", "stored", "id"], name="xapi_stmt_client_stored"),
            models.Index(
                fields=["voids"], name="xapi_stmt_voids", condition=Q(voids__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return str(self.statement_id)


class Attachment(models.Model):
    """The data of an attachment a platform sent in a multipart/mixed request, kept once per
    platform and SHA-2 hash (a platform reads back only its own) in a file under
    MEDIA_ROOT/xapi/ with a random name."""

    client = models.ForeignKey(
        Client,
        verbose_name=_("xAPI client account"),
        on_delete=models.PROTECT,
        related_name="attachments",
    )
    sha2 = models.CharField(_("SHA-2 hash"), max_length=128)
    content_type = models.CharField(_("content type"), max_length=255)
    length = models.BigIntegerField(_("size in bytes"))
    stored_name = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("xAPI attachment")
        verbose_name_plural = _("xAPI attachments")
        ordering = ["client_id", "sha2"]
        constraints = [
            models.UniqueConstraint(fields=["client", "sha2"], name="xapi_attachment_once")
        ]

    def __str__(self) -> str:
        return self.sha2
