"""The credit ledger: one append-only table of entries per person, hash-chained, and the totals and
standings derived from it (kept current in the same transaction as each entry).

Entries are never updated or deleted: a correction is a reversing entry. The database refuses UPDATE
and DELETE on `ledger_entry` (triggers, see the migration), and each person's entries form a hash
chain, so a row changed, removed or slipped in behind the application's back is found by
`xuefen ledger verify`.
"""

import hashlib
import json
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xuefen.core.models import AppendOnlyModel

OVERALL = "*"  # the category of a Total that sums every entry of the period
GENESIS = "0" * 64  # prev_hash of a person's first entry


class Unit(models.TextChoices):
    HOURS = "hours", _("hours")
    CREDITS = "credits", _("credits")


# One encoder for every hash (json.dumps with options builds a new one per call, which cost more
# than the encoding of an entry's few fields).
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical(fields: dict[str, Any]) -> str:
    """The canonical text the hash is taken over: sorted keys, no spaces, plain strings."""
    return _CANONICAL.encode(fields)


def chain_hash(fields: dict[str, Any], prev_hash: str) -> str:
    return hashlib.sha256((canonical(fields) + prev_hash).encode("utf-8")).hexdigest()


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


class Entry(AppendOnlyModel):
    """One credit (or reversal of one) for one person, with its source, evidence and approver."""

    # No index of the foreign keys person and reverses of their own: the keys (person, seq),
    # (person, source), (person, period) lead with the person and the partial key "reversed
    # once" serves every lookup of a reversal; a redundant index is one more b-tree insertion
    # for every entry the writer appends.
    person = models.ForeignKey(
        "orgs.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="ledger_entries",
        db_index=False,
    )
    seq = models.PositiveIntegerField(_("sequence"))
    # The period the last day falls in, by the calendar of the person's rule set (never typed).
    period = models.PositiveSmallIntegerField(_("period"))
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    # Where the activity is measured in days (脱产培训, 党校 classes, 外出培训): how many it took.
    days = models.DecimalField(_("days"), max_digits=5, decimal_places=1, null=True, blank=True)
    categories = models.JSONField(_("categories"), default=list)
    amount = models.DecimalField(_("amount"), max_digits=9, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=16, choices=Unit.choices)
    kind = models.CharField(_("activity kind"), max_length=40, blank=True)
    artefact_key = models.CharField(_("artefact"), max_length=200, blank=True)
    # The artefact counts for one person only (a single-author paper, a degree certificate).
    artefact_exclusive = models.BooleanField(_("one holder only"), default=False)
    source_type = models.CharField(_("source type"), max_length=40)
    source_id = models.CharField(_("source id"), max_length=100)
    description = models.CharField(_("description"), max_length=300, blank=True)
    evidence = models.CharField(_("evidence"), max_length=300, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    reverses = models.ForeignKey(
        "self",
        verbose_name=_("reverses"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversals",
        db_index=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Set by the action (not auto_now_add): it is part of the hashed content.
    created_at = models.DateTimeField(_("created at"))
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        db_table = "ledger_entry"
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["person_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["person", "seq"], name="ledger_entry_person_seq"),
            models.UniqueConstraint(
                fields=["person", "source_type", "source_id"], name="ledger_entry_source_once"
            ),
            models.UniqueConstraint(
                fields=["reverses"],
                condition=Q(reverses__isnull=False),
                name="ledger_entry_reversed_once",
            ),
            models.CheckConstraint(condition=~Q(amount=0), name="ledger_entry_amount_nonzero"),
            models.CheckConstraint(condition=Q(seq__gte=1), name="ledger_entry_seq_positive"),
            models.CheckConstraint(
                condition=Q(last_day__gte=models.F("first_day")), name="ledger_entry_span_ordered"
            ),
            models.CheckConstraint(
                condition=Q(days__isnull=True) | Q(days__gt=0), name="ledger_entry_days_positive"
            ),
        ]
        indexes = [
            models.Index(fields=["person", "period"]),
            # Who else holds a one-holder artefact: looked up by key, only for such entries.
            models.Index(
                fields=["artefact_key"],
                condition=Q(artefact_exclusive=True),
                name="ledger_entry_exclusive_key",
            ),
        ]

    def __str__(self) -> str:
        amount = f"{Decimal(self.amount).normalize():f}"
        return f"#{self.seq} {self.period} {amount} {Unit(self.unit).label} {self.description}"

    def hashed_fields(self) -> dict[str, Any]:
        """The content the chain protects, as plain JSON values.

        The last day keeps the name it had when chains began ("activity_date"); the fields added
        since (first day, days, one holder only) are part of the content when they say something
        beyond a one-day activity, so every entry written before them still verifies."""
        fields = {
            "person": self.person_id,
            "seq": self.seq,
            "period": self.period,
            "activity_date": _iso(self.last_day),
            "categories": sorted(self.categories),
            "amount": f"{Decimal(self.amount):.2f}",
            "unit": self.unit,
            "kind": self.kind,
            "artefact_key": self.artefact_key,
            "source_type": self.source_type,
            "source_id": self.source_id,
            "description": self.description,
            "evidence": self.evidence,
            "approved_by": self.approved_by_id,
            "approved_at": _iso(self.approved_at),
            "reverses": self.reverses_id,
            "created_at": _iso(self.created_at),
        }
        if self.first_day != self.last_day:
            fields["first_day"] = _iso(self.first_day)
        if self.days is not None:
            fields["days"] = f"{Decimal(self.days):.1f}"
        if self.artefact_exclusive:
            fields["artefact_exclusive"] = True
        return fields

    def compute_hash(self) -> str:
        return chain_hash(self.hashed_fields(), self.prev_hash)

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None


class Chain(models.Model):
    """The head of one person's hash chain. Its row is locked while an entry is appended, so two
    posts for the same person at once cannot fork the chain."""

    person = models.OneToOneField(
        "orgs.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    last_seq = models.PositiveIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS)

    class Meta:
        verbose_name = _("ledger chain")
        verbose_name_plural = _("ledger chains")

    def __str__(self) -> str:
        return f"{self.person_id}#{self.last_seq}"


class Total(models.Model):
    """The sum of a person's entries in one period, per category tag and unit ("*" = all)."""

    person = models.ForeignKey(
        "orgs.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="credit_totals",
        db_index=False,  # the key (person, period, category, unit) leads with it
    )
    period = models.PositiveSmallIntegerField(_("period"))
    category = models.CharField(_("category"), max_length=40)
    unit = models.CharField(_("unit"), max_length=16, choices=Unit.choices, default=Unit.HOURS)
    amount = models.DecimalField(_("amount"), max_digits=11, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("credit total")
        verbose_name_plural = _("credit totals")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "period", "category", "unit"], name="ledger_total_once"
            ),
        ]
        indexes = [models.Index(fields=["period", "category"])]

    def __str__(self) -> str:
        return f"{self.person_id} {self.period} {self.category} {self.amount} {self.unit}"


class Standing(models.Model):
    """A person's verdict for one period, as the one judge (`ledger.judging`) gave it when one of
    its inputs last changed: status, grade, what counted and each requirement not (yet) met."""

    class Status(models.TextChoices):
        MET = "met", pgettext_lazy("standing", "Met")
        SHORT = "short", pgettext_lazy("standing", "Not met")
        IN_PROGRESS = "in_progress", pgettext_lazy("standing", "In progress")
        EXEMPT = "exempt", pgettext_lazy("standing", "Exempt")
        NO_RULES = "no_rules", pgettext_lazy("standing", "No rule set applies")

    person = models.ForeignKey(
        "orgs.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="standings",
        db_index=False,  # the key (person, period) leads with it
    )
    period = models.PositiveSmallIntegerField(_("period"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SHORT
    )
    grade = models.CharField(_("grade"), max_length=32, blank=True)
    earned = models.DecimalField(_("earned"), max_digits=11, decimal_places=2, default=0)
    ruleset = models.CharField(_("rule set"), max_length=80, blank=True)
    # Requirements not (yet) met: [{code, state, binding, gaps: [{amount, unit}], years_left,
    # window}], as RequirementResult.as_shortfall() gives them.
    shortfalls = models.JSONField(_("shortfalls"), default=list, blank=True)
    evaluated_at = models.DateTimeField(_("evaluated at"))

    class Meta:
        verbose_name = _("standing")
        verbose_name_plural = _("standings")
        constraints = [
            models.UniqueConstraint(fields=["person", "period"], name="ledger_standing_once"),
        ]
        indexes = [models.Index(fields=["period", "status"], name="ledger_stan_period_status")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.period} {self.status} {self.grade}"

    @property
    def met(self) -> bool:
        """Met the period's target (an exempt period counts as met, as the engine says)."""
        return self.status in (self.Status.MET, self.Status.EXEMPT)
