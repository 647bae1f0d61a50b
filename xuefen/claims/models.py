"""Claims (学分申报): credit for activities the system did not see happen, claimed with evidence,
checked by the unit, approved by the credit office and then posted to the ledger.

Claim types are policy and therefore data (shipped in claimtypes/default.yaml, editable by the
office). A claim moves through the transitions of `workflow.TRANSITIONS` only; each step leaves a
StatusChange row and an audit event.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from xuefen.policy.vocabulary import KINDS


def _pick(label: Any) -> str:
    """The label in the current language, from {"zh": ..., "en": ...} or plain text."""
    if isinstance(label, dict):
        if (get_language() or "").startswith("en") and label.get("en"):
            return str(label["en"])
        return str(label.get("zh") or label.get("en") or "")
    return str(label or "")


class ClaimType(models.Model):
    """One kind of claimable activity: its fields, the evidence it needs and how it becomes credit.

    `fields`: [{name, label: {zh, en}, kind: text|int|decimal|date|choice, required, choices:
    [{value, label}]}]; `evidence`: [{code, label: {zh, en}, kinds: [pdf, image], required}].
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=60, blank=True)
    description = models.TextField(_("description"), blank=True)
    fields = models.JSONField(_("fields"), default=list, blank=True)
    evidence = models.JSONField(_("evidence"), default=list, blank=True)
    conversion_kind = models.CharField(
        _("conversion kind"),
        max_length=40,
        blank=True,
        help_text=_("The conversion of the rule set that turns the claim into credit."),
    )
    quantity_field = models.CharField(
        _("quantity field"),
        max_length=40,
        blank=True,
        help_text=_(
            "The field giving the quantity; @days for the days from start to end; empty: 1."
        ),
    )
    attr_fields = models.JSONField(_("attribute fields"), default=list, blank=True)
    artefact_field = models.CharField(_("artefact field"), max_length=40, blank=True)
    single_author = models.BooleanField(_("single author"), default=False)
    full_day = models.BooleanField(_("full-day activity"), default=False)
    hours_field = models.CharField(_("hours field"), max_length=40, blank=True)
    days_field = models.CharField(
        _("days field"),
        max_length=40,
        blank=True,
        help_text=_(
            "For activities measured in days: @days for every day from start to end, or the "
            "field where the claimant gives the days; empty: not measured in days."
        ),
    )
    needs_signoff = models.BooleanField(_("needs sign-off by the unit"), default=False)
    manual_amount = models.BooleanField(_("amount set by the office"), default=False)
    default_categories = models.JSONField(_("categories"), default=list, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("claim type")
        verbose_name_plural = _("claim types")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return _pick({"zh": self.name_zh, "en": self.name_en})

    def field_specs(self) -> list[dict[str, Any]]:
        return [{**f, "label_text": _pick(f.get("label", f["name"]))} for f in self.fields]

    def evidence_specs(self) -> list[dict[str, Any]]:
        return [{**e, "label_text": _pick(e.get("label", e["code"]))} for e in self.evidence]

    @property
    def kind_name(self) -> str:
        """The conversion that prices it, by the name people know it."""
        return str(KINDS.get(self.conversion_kind, self.conversion_kind))

    def field_label(self, name: str) -> str:
        spec = next((f for f in self.fields if f["name"] == name), None)
        return _pick(spec.get("label", name)) if spec else name


class ReportingPeriod(models.Model):
    """The year claims are reported for and its deadline; late claims are accepted, flagged."""

    period = models.PositiveSmallIntegerField(_("period"), unique=True)
    name = models.CharField(_("name"), max_length=60)
    opens_on = models.DateField(_("opens on"))
    deadline = models.DateField(_("deadline"))
    spot_check_share = models.DecimalField(
        _("spot-check share"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.05"),
        help_text=_("Share of approved claims drawn for re-audit, e.g. 0.05 for 5%."),
    )

    class Meta:
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        ordering = ["-period"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(spot_check_share__gte=0, spot_check_share__lte=1),
                name="claims_period_share_0_1",
            ),
            models.CheckConstraint(
                condition=models.Q(deadline__gte=models.F("opens_on")),
                name="claims_period_deadline_after_open",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def spot_check_percent(self) -> str:
        """The share as the office says it: "10%", "2.5%"."""
        return f"{(self.spot_check_share * 100).normalize():f}%"


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    UNIT_CHECKED = "unit_checked", _("Checked by the unit")
    CREDITED = "credited", _("Approved and credited")
    RETURNED = "returned", _("Returned for revision")
    REJECTED = "rejected", _("Rejected")
    REVOKED = "revoked", _("Revoked after re-audit")


class Claim(models.Model):
    person = models.ForeignKey(
        "orgs.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="claims"
    )
    claim_type = models.ForeignKey(
        ClaimType, verbose_name=_("claim type"), on_delete=models.PROTECT, related_name="claims"
    )
    period = models.PositiveSmallIntegerField(_("period"))
    title = models.CharField(_("title"), max_length=200)
    data = models.JSONField(_("details"), default=dict, blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    artefact_key = models.CharField(_("artefact"), max_length=200, blank=True, db_index=True)
    is_late = models.BooleanField(_("late"), default=False)
    amount = models.DecimalField(_("amount"), max_digits=9, decimal_places=2, null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=16, blank=True)
    categories = models.JSONField(_("categories"), default=list, blank=True)
    conversion_note = models.CharField(_("conversion"), max_length=300, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["person", "period"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="claims_claim_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def days(self) -> list[dt.date]:
        n = (self.end_date - self.start_date).days + 1
        return [self.start_date + dt.timedelta(days=i) for i in range(max(n, 1))]

    @property
    def days_taken(self) -> Decimal | None:
        """The days the activity took, where its type measures it in days (@days: every day from
        start to end; or a field the claimant fills, for a part-time activity over weeks)."""
        name = self.claim_type.days_field
        if not name:
            return None
        if name == "@days":
            return Decimal(len(self.days))
        try:
            value = Decimal(str(self.data.get(name)))
        except (InvalidOperation, ValueError):
            return None
        return value if value.is_finite() and value > 0 else None

    @property
    def full_days(self) -> bool:
        """Every day of the claim is a whole day of the activity: a full-day type, unless the
        claim says it took fewer days than its span (part-time over weeks: which days is not
        known, so none is claimed)."""
        taken = self.days_taken
        return self.claim_type.full_day and (taken is None or taken >= len(self.days))

    @property
    def source_prefix(self) -> str:
        return str(self.pk)

    def field_rows(self) -> list[tuple[str, Any]]:
        return [
            (f["label_text"], self.data.get(f["name"], "")) for f in self.claim_type.field_specs()
        ]


class Flag(models.Model):
    """Something a reviewer should look at, found when the claim was (re)submitted."""

    class Code(models.TextChoices):
        DUPLICATE = "duplicate", _("Same artefact claimed twice")
        OVERLAP = "overlap", _("Overlapping full days")
        OVER_24H = "over_24h", _("More than 24 hours in a day")
        CAPPED = "capped", _("Above a cap of the rules")
        EVIDENCE_MISSING = "evidence_missing", _("Evidence missing")
        LATE = "late", _("Submitted after the deadline")
        NO_RULE = "no_rule", _("No conversion rule: the office sets the amount")

    claim = models.ForeignKey(
        Claim, verbose_name=_("claim"), on_delete=models.CASCADE, related_name="flags"
    )
    code = models.CharField(_("flag"), max_length=20, choices=Code.choices, db_index=True)
    reason = models.CharField(_("reason"), max_length=400)

    class Meta:
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.code}: {self.reason}"


class StatusChange(models.Model):
    """One step of a claim's history."""

    claim = models.ForeignKey(
        Claim, verbose_name=_("claim"), on_delete=models.CASCADE, related_name="history"
    )
    from_status = models.CharField(_("from"), max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=Status.choices)
    step = models.CharField(_("step"), max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.claim_id}: {self.from_status} → {self.to_status}"


class Comment(models.Model):
    """A word in the claim's thread: the learner answering a return or a rejection (instead of a
    new claim), the reviewers replying."""

    claim = models.ForeignKey(
        Claim, verbose_name=_("claim"), on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField(_("comment"), max_length=2000)
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.claim_id}: {self.text[:40]}"


class Evidence(models.Model):
    """A file proving the claim, stored under MEDIA_ROOT/claims/ with a random name."""

    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        IMAGE = "image", _("Image")

    claim = models.ForeignKey(
        Claim, verbose_name=_("claim"), on_delete=models.CASCADE, related_name="evidence_files"
    )
    requirement = models.CharField(_("evidence for"), max_length=40)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    content_type = models.CharField(max_length=40)
    original_name = models.CharField(_("file name"), max_length=200)
    stored_name = models.CharField(max_length=80, unique=True)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name


class SpotCheckDraw(models.Model):
    """One random draw of approved claims for re-audit, with the seed that reproduces it."""

    reporting_period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="draws"
    )
    seed = models.BigIntegerField()
    share = models.DecimalField(max_digits=4, decimal_places=3)
    population = models.PositiveIntegerField()
    drawn = models.PositiveIntegerField()
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    drawn_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("spot-check draw")
        verbose_name_plural = _("spot-check draws")
        ordering = ["-drawn_at", "-id"]

    def __str__(self) -> str:
        return f"{self.reporting_period} #{self.pk}"


class SpotCheck(models.Model):
    class Outcome(models.TextChoices):
        PENDING = "pending", _("To re-audit")
        CONFIRMED = "confirmed", pgettext_lazy("spot check", "Confirmed")
        REVERSED = "reversed", _("Reversed")

    draw = models.ForeignKey(SpotCheckDraw, on_delete=models.PROTECT, related_name="checks")
    claim = models.OneToOneField(Claim, on_delete=models.PROTECT, related_name="spot_check")
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=Outcome.choices, default=Outcome.PENDING
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("spot check")
        verbose_name_plural = _("spot checks")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.claim_id}: {self.outcome}"
