"""Certificates (学时证明) issued from the ledger. A certificate is a frozen statement: its
payload says what was certified at the moment of issue, and its content hash lets anyone check
that the row was not altered since. Rows are never updated or deleted (database triggers, see the
migration)."""

import hashlib
import json
import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xuefen.core.models import AppendOnlyModel

# Base32 without the characters people confuse when typing a code from paper (0/O, 1/I/L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(raw: str) -> str:
    """What a person typed (with dashes, spaces, lower case) as the stored code."""
    return "".join(ch for ch in str(raw).upper() if ch.isalnum())


def format_code(code: str) -> str:
    """ABCD-EFGH-JKMN: how a code is printed, easier to read aloud and type."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def canonical_json(payload: dict[str, Any]) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(payload: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()


class Certificate(AppendOnlyModel):
    """One issued certificate of a person's credits for a period."""

    person = models.ForeignKey(
        "orgs.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    period = models.PositiveSmallIntegerField(_("period"))
    code = models.CharField(_("verification code"), max_length=16, unique=True)
    content_hash = models.CharField(_("content hash"), max_length=64)
    payload = models.JSONField(_("content"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("issued at"))

    class Meta:
        db_table = "reports_certificate"
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["person", "period"])]

    def __str__(self) -> str:
        return format_code(self.code)

    @property
    def display_code(self) -> str:
        return format_code(self.code)

    @property
    def is_intact(self) -> bool:
        """True when the stored payload still hashes to the stored hash and names this row's code
        and period (a payload copied from another certificate fails)."""
        payload = self.payload if isinstance(self.payload, dict) else {}
        return (
            content_hash(payload) == self.content_hash
            and payload.get("code") == self.code
            and payload.get("period") == self.period
        )
