import datetime as dt
from decimal import Decimal
from functools import lru_cache

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xuefen.orgs.models import OrgNode, Person
from xuefen.policy import engine
from xuefen.policy.schema import RuleSetData, load_yaml


@lru_cache(maxsize=256)
def _parsed(source: str) -> RuleSetData:
    return load_yaml(source)


class RuleSet(models.Model):
    """One version of a rule set, applying to a region's subtree × personnel categories.

    Rows are never edited: a change is a new version, so a period keeps the version that judged it.
    The YAML source is the rule set; the other fields are copies of it for queries.
    """

    code = models.CharField(_("code"), max_length=64)
    name = models.CharField(_("name"), max_length=200)
    region = models.ForeignKey(
        OrgNode, verbose_name=_("region"), on_delete=models.PROTECT, related_name="rulesets"
    )
    personnel_categories = models.JSONField(_("personnel categories"), default=list)
    version = models.PositiveIntegerField(_("version"))
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    source = models.TextField(_("YAML source"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("rule set")
        verbose_name_plural = _("rule sets")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="ruleset_code_version_unique"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="ruleset_valid_to_after_from",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def ref(self) -> str:
        return f"{self.code} v{self.version}"

    @property
    def data(self) -> RuleSetData:
        """The parsed rule set (cached by source text; rows never change)."""
        return _parsed(self.source)

    def covers(self, category: str) -> bool:
        return not self.personnel_categories or category in self.personnel_categories


class Exemption(models.Model):
    """Part of a period a person is not held to (long leave, hired mid-year, other), why, and on
    what evidence. One that waives more than XUEFEN_EXEMPTION_REVIEW_SHARE of the year, recorded
    by anyone but the credit office, waits for the office's approval before it counts."""

    class Kind(models.TextChoices):
        LEAVE = "leave", _("Long leave")
        NEW_HIRE = "new_hire", _("Hired during the year")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        APPROVED = "approved", pgettext_lazy("exemption", "In force")
        PENDING = "pending", pgettext_lazy("exemption", "Awaiting the office")
        REFUSED = "refused", pgettext_lazy("exemption", "Refused")

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="exemptions"
    )
    period = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    months = models.PositiveSmallIntegerField(_("months"), null=True, blank=True)
    ratio = models.DecimalField(
        _("share waived"), max_digits=4, decimal_places=3, null=True, blank=True
    )
    reason = models.CharField(_("reason"), max_length=200)
    evidence = models.CharField(
        _("evidence"),
        max_length=300,
        blank=True,
        help_text=_("The document it rests on: its title and number, e.g. the leave approval."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.APPROVED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("exemption")
        verbose_name_plural = _("exemptions")
        ordering = ["person", "-period", "-id"]
        indexes = [models.Index(fields=["person", "period"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(months__isnull=False, ratio__isnull=True, months__lte=12))
                | Q(months__isnull=True, ratio__isnull=False, ratio__gte=0, ratio__lte=1),
                name="exemption_months_or_ratio",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.period} {self.get_kind_display()}"

    @property
    def share(self) -> Decimal:
        """The share of the year it waives, as recorded (months ÷ 12, or the share)."""
        if self.ratio is not None:
            return Decimal(self.ratio)
        return Decimal(self.months or 0) / 12

    def as_engine(self) -> engine.Exemption:
        return engine.Exemption(
            period=self.period,
            kind=self.kind,
            months=self.months,
            ratio=Decimal(self.ratio) if self.ratio is not None else None,
            reason=self.reason,
        )


def period_date(period: int) -> dt.date:
    """The day whose rule-set version judges a period: its first day. A version dated mid-year
    first judges the next year, so a year is never judged by rules that changed under it."""
    return dt.date(period, 1, 1)
