"""Closing a year: the office's close of a period for a region, the grades it fixed, the late
reports it let in afterwards, and the public notice (公示) of the results with its objections.

The ledger stays the truth: nothing here holds a credit. A close fixes the standings the one judge
gave (`FixedGrade`, a snapshot); an upheld objection reverses a credit through the ledger's own
action and names the objection in the reversal.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xuefen.ledger.models import Standing


class PeriodClose(models.Model):
    """A period closed for a region (and its whole subtree): from now on a credit dated in it
    goes in only through the office's late-report approval or an upheld objection."""

    region = models.ForeignKey(
        "orgs.OrgNode", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    period = models.PositiveSmallIntegerField(_("period"))
    closed_at = models.DateTimeField(_("closed at"), default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    people = models.PositiveIntegerField(pgettext_lazy("count", "People"), default=0)
    regraded_at = models.DateTimeField(_("grades last fixed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("closed period")
        verbose_name_plural = _("closed periods")
        ordering = ["-period", "region__path"]
        constraints = [
            models.UniqueConstraint(fields=["region", "period"], name="closing_close_once"),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.period}"


class FixedGrade(models.Model):
    """A person's verdict for the closed period as the judge gave it when it was closed (or when
    the office fixed the grades again after a late report or an upheld objection)."""

    # A close writes one row per person of its region in one INSERT … SELECT from the standings
    # (whose own keys hold): the database does not check three foreign keys per row again (on
    # PostgreSQL that cost more than the copy itself). People and units are never deleted.
    # The key is (person, close): one fixed grade per person and close is the key itself, not a
    # second unique index beside a surrogate id (each index is an insertion per copied row);
    # person first, as every person-keyed table (a person's grades of every close: the archive,
    # the assessment; the column a distributed database would shard by).
    pk = models.CompositePrimaryKey("person", "close")
    close = models.ForeignKey(
        PeriodClose,
        verbose_name=_("closed period"),
        on_delete=models.CASCADE,
        related_name="fixed",
        db_constraint=False,
        db_index=False,  # the key (person, close) and (close, unit) serve every lookup
    )
    person = models.ForeignKey(
        "orgs.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    unit = models.ForeignKey(
        "orgs.OrgNode",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    status = models.CharField(_("status"), max_length=16, choices=Standing.Status.choices)
    grade = models.CharField(_("grade"), max_length=32, blank=True)
    earned = models.DecimalField(_("earned"), max_digits=11, decimal_places=2, default=0)
    ruleset = models.CharField(_("rule set"), max_length=80, blank=True)
    fixed_at = models.DateTimeField(_("fixed at"))

    class Meta:
        verbose_name = _("fixed grade")
        verbose_name_plural = _("fixed grades")
        # A close's grades by unit (the notices, the results by unit).
        indexes = [models.Index(fields=["close", "unit"], name="closing_fixed_unit")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.grade or self.status}"


class LateApproval(models.Model):
    """The office lets late reports into a closed period: for one person, or for everyone of a
    unit (its subtree), until a day."""

    close = models.ForeignKey(
        PeriodClose,
        verbose_name=_("closed period"),
        on_delete=models.PROTECT,
        related_name="late_approvals",
    )
    person = models.ForeignKey(
        "orgs.Person",
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        "orgs.OrgNode",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=300)
    valid_until = models.DateField(_("valid until"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    granted_at = models.DateTimeField(_("approved at"), default=timezone.now)

    class Meta:
        verbose_name = _("late report approval")
        verbose_name_plural = _("late report approvals")
        ordering = ["-granted_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False) | Q(unit__isnull=False),
                name="closing_late_names_whom",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.close} → {self.valid_until}"


class Notice(models.Model):
    """A public notice (公示) of a closed period's results for a node's subtree, standing from
    `opens_on` to `closes_on` (both included), with its outcome once the window closed and every
    objection was decided."""

    close = models.ForeignKey(
        PeriodClose,
        verbose_name=_("closed period"),
        on_delete=models.PROTECT,
        related_name="notices",
    )
    node = models.ForeignKey(
        "orgs.OrgNode", verbose_name=_("published for"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    opens_on = models.DateField(_("open from"))
    closes_on = models.DateField(_("open until"))
    include_claims = models.BooleanField(_("lists approved claims"), default=False)
    rule_source = models.CharField(_("source"), max_length=300, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    # The outcome, recorded when the office finishes the notice (window over, every objection
    # decided): how many objections were upheld and dismissed.
    upheld = models.PositiveIntegerField(_("objections upheld"), default=0)
    dismissed = models.PositiveIntegerField(_("objections dismissed"), default=0)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("public notice")
        verbose_name_plural = _("public notices")
        ordering = ["-published_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")), name="closing_notice_window"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_open(self, today: object = None) -> bool:
        day = today or timezone.localdate()
        return self.opens_on <= day <= self.closes_on  # type: ignore[operator]


class Objection(models.Model):
    """Someone in the notice's scope objects to one credit on it, with a reason and evidence; the
    office upholds it (the credit is reversed, naming the objection) or dismisses it (with a
    reason)."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("objection", "Awaiting the office")
        UPHELD = "upheld", pgettext_lazy("objection", "Upheld")
        DISMISSED = "dismissed", pgettext_lazy("objection", "Dismissed")

    notice = models.ForeignKey(
        Notice, verbose_name=_("public notice"), on_delete=models.PROTECT, related_name="objections"
    )
    person = models.ForeignKey(
        "orgs.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    entry = models.ForeignKey(
        "ledger.Entry",
        verbose_name=_("ledger entry"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("reason"), max_length=2000)
    evidence_name = models.CharField(_("evidence"), max_length=120, blank=True)
    evidence_file = models.CharField(max_length=64, blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("raised by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    raised_at = models.DateTimeField(_("raised at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.CharField(_("reason for the decision"), max_length=500, blank=True)
    reversal = models.ForeignKey(
        "ledger.Entry",
        verbose_name=_("reversal"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["raised_at", "id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.person_id}"


class NoticeRun(models.Model):
    """The results notices (PDF and XLSX) of every unit of a closed region, produced by the
    background worker one unit after another. `units_done` is the checkpoint: a worker that died
    leaves the units before it written, and the run resumed goes on from there."""

    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("job", "Queued")
        RUNNING = "running", pgettext_lazy("job", "Running")
        DONE = "done", pgettext_lazy("job", "Done")
        FAILED = "failed", pgettext_lazy("job", "Failed")

    close = models.ForeignKey(
        PeriodClose,
        verbose_name=_("closed period"),
        on_delete=models.CASCADE,
        related_name="notice_runs",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    units_total = models.PositiveIntegerField(_("units"), default=0)
    units_done = models.PositiveIntegerField(_("units done"), default=0)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    task_id = models.CharField(_("task"), max_length=64, blank=True)
    failure = models.CharField(_("failure"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("results notice run")
        verbose_name_plural = _("results notice runs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.close} #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def percent(self) -> int:
        if not self.units_total:
            return 100 if self.status == self.Status.DONE else 0
        return self.units_done * 100 // self.units_total
