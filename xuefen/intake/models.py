"""Providers and industry departments, and the batches of completions they report (rosters uploaded
as files, JSON batches sent to the API) with a result per row. Their courses are the training app's
(`training.models.Course`).

A provider acts at its `node` (its staff hold the provider role there or above) and may report
only people inside its `serves` subtree. A batch is processed in chunks by a background worker;
`processed_rows` is the checkpoint a resumed worker continues from.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xuefen.core.actors import SYSTEM, Actor

# The course moved to the training app (its table and rows kept); older imports keep working.
from xuefen.training.models import Course  # noqa: F401

INTERRUPTED = "interrupted"  # Batch.failure_code of a worker that stopped by accident
# Claims of a batch by a worker that made no progress before stopping; past this the batch is
# failed for good ("keeps_stopping") instead of being resumed for ever.
MAX_ATTEMPTS = 3


class Provider(models.Model):
    class Kind(models.TextChoices):
        PROVIDER = "provider", _("Training provider")
        INDUSTRY_DEPARTMENT = "industry_department", _("Industry department")

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices, default=Kind.PROVIDER)
    node = models.ForeignKey(
        "orgs.OrgNode",
        verbose_name=_("org node"),
        on_delete=models.PROTECT,
        related_name="providers",
        help_text=_("Provider staff granted on this node (or above) act for the provider."),
    )
    serves = models.ForeignKey(
        "orgs.OrgNode",
        verbose_name=_("serves"),
        on_delete=models.PROTECT,
        related_name="served_by",
        help_text=_("The provider may report completions of people in this subtree only."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("provider")
        verbose_name_plural = _("providers")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Batch(models.Model):
    """One roster file or JSON batch of completions from one provider."""

    class Source(models.TextChoices):
        UPLOAD = "upload", _("File upload")
        API = "api", _("API")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    provider = models.ForeignKey(
        Provider, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="batches"
    )
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, blank=True)
    payload_sha256 = models.CharField(_("SHA-256 of the payload"), max_length=64, db_index=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    file_path = models.CharField(max_length=300, editable=False)  # relative to MEDIA_ROOT
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    failure_code = models.CharField(max_length=40, blank=True)
    failure = models.CharField(_("reason for failure"), max_length=500, blank=True)
    total_rows = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    posted_rows = models.PositiveIntegerField(_("rows posted"), default=0)
    duplicate_rows = models.PositiveIntegerField(_("duplicate rows"), default=0)
    error_rows = models.PositiveIntegerField(_("rows with errors"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # A batch sent through the REST API names the token that sent it (its actor).
    token = models.ForeignKey(
        "api.ApiToken",
        verbose_name=_("API token"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    # The background task that holds the batch while it runs: when that task is marked dead (its
    # worker process died), another worker takes the batch up at once instead of waiting for the
    # heartbeat to go stale.
    task_id = models.CharField(max_length=64, blank=True, editable=False)
    # Claims since the last committed chunk (see MAX_ATTEMPTS).
    attempts = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("batch")
        verbose_name_plural = _("batches")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="intake_batch_idempotency_key_once",
            ),
            models.CheckConstraint(
                condition=Q(processed_rows__gte=models.F("posted_rows")),
                name="intake_batch_counts_sane",
            ),
        ]
        indexes = [models.Index(fields=["provider", "-created_at"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.filename or self.get_source_display()}"

    @property
    def actor(self) -> Actor:
        """Whom the batch's work is done for: the token or user that sent it, else the system
        (a batch from before tokens were named)."""
        if self.token is not None:
            return self.token
        return self.created_by if self.created_by is not None else SYSTEM

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def interrupted(self) -> bool:
        """Stopped by a crash, not by what it holds: resuming may finish it."""
        return self.status == self.Status.FAILED and self.failure_code == INTERRUPTED

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, self.processed_rows * 100 // self.total_rows)


class BatchRow(models.Model):
    """The outcome of one row of a batch: posted, duplicate (already in the ledger) or error.
    `first_day` and `days` are what was posted (for a row in error: what was sent, if readable)."""

    class Status(models.TextChoices):
        POSTED = "posted", _("Posted")
        DUPLICATE = "duplicate", _("Duplicate")
        ERROR = "error", _("Error")

    # A batch's rows are written only by its processing, in the transaction that validated the
    # person and wrote the entry (people and entries are never deleted; a batch's rows go with
    # it by Django's cascade): the database does not check three foreign keys per row again at
    # commit (on PostgreSQL a trigger and a locking read of the referenced row each), and the
    # batch has no index of its own — the key (batch, row) and (batch, status, row) lead with it.
    batch = models.ForeignKey(
        Batch,
        verbose_name=_("batch"),
        on_delete=models.CASCADE,
        related_name="rows",
        db_constraint=False,
        db_index=False,
    )
    row_number = models.PositiveIntegerField(_("row"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    person = models.ForeignKey(
        "orgs.Person",
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    id_number_masked = models.CharField(_("ID number"), max_length=32, blank=True)
    course_code = models.CharField(_("course code"), max_length=40, blank=True)
    first_day = models.DateField(_("first day"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    days = models.DecimalField(_("days"), max_digits=6, decimal_places=2, null=True, blank=True)
    entry = models.ForeignKey(
        "ledger.Entry",
        verbose_name=_("ledger entry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    errors = models.JSONField(_("errors"), default=list, blank=True)
    # A row in error: its cells as sent (header -> text, the ID number left out: it is kept
    # masked above), so the error file gives the row back to be corrected.
    sent = models.JSONField(_("as sent"), default=dict, blank=True)

    class Meta:
        verbose_name = _("batch row")
        verbose_name_plural = _("batch rows")
        ordering = ["batch_id", "row_number"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "row_number"], name="intake_batchrow_once"),
        ]
        indexes = [models.Index(fields=["batch", "status", "row_number"])]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.row_number} {self.status}"


class StagedRow(models.Model):
    """A row of an uploaded roster as the worker's one pass over the file parsed it (row 0: the
    file's column headers), kept until the batch is done: the chunks validate and post from here
    set-based, and a resumed worker reads on from its checkpoint without parsing the file again.
    `line` is the whole row (`roster.dump_row`), or "" for a plain row whose columns say all it
    said (`roster.plain_reader`); the columns beside it are what validation joins on. `plain`: a
    row with no cell problems that gives no days, amount or categories of its own (the course's
    are posted) — the shape the set-based path takes; any other row is checked one by one."""

    # The worker's scratch, written a whole file at a time (COPY on PostgreSQL): keyed by
    # (batch, position) — every read is a range of positions — with no surrogate id and no
    # other index, and no foreign-key check per row in the database (on PostgreSQL that trigger
    # cost more than the copy). The batch's rows go with it (CASCADE, by the ORM) and when it is
    # done or failed; a batch whose rows are missing is staged again by its next run.
    pk = models.CompositePrimaryKey("batch", "position")
    batch = models.ForeignKey(
        Batch,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,  # the key (batch, position) serves every lookup
    )
    position = models.PositiveIntegerField()  # 1, 2, … in file order (0: the headers)
    row_number = models.PositiveIntegerField()  # as the sender counts it (the BatchRow's)
    id_number = models.TextField(blank=True)
    name = models.TextField(blank=True)
    course_code = models.TextField(blank=True)
    first_day = models.DateField(null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    plain = models.BooleanField(default=False)
    line = models.TextField(blank=True)

    class Meta:
        verbose_name = _("staged row")
        verbose_name_plural = _("staged rows")

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.row_number}"
