"""Archive pulls (a unit taking up the earlier years of a person who transferred in) and bulk
print jobs (every certificate or archive of a unit as one PDF, made by the background worker)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# A job claimed more often than this without finishing is failed for good (see printing._claim).
MAX_ATTEMPTS = 3


class ArchivePull(models.Model):
    """The unit a person transferred into took up their archive from before the transfer: from
    then on the unit's administrators see the person's earlier years too (see horizon.visible_from).
    """

    person = models.ForeignKey(
        "orgs.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    transfer = models.OneToOneField(
        "orgs.Transfer",
        verbose_name=_("transfer"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        "orgs.OrgNode", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    pulled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("pulled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    pulled_at = models.DateTimeField(_("pulled at"))

    class Meta:
        verbose_name = _("archive pull")
        verbose_name_plural = _("archive pulls")
        ordering = ["-pulled_at", "-id"]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.unit_id}"


class PrintJob(models.Model):
    """Every certificate (of one period) or every archive of a unit's people, as one PDF. The
    worker writes each person's part to a lines file beside the PDF and advances `done` in the
    same step, so a job whose worker died resumes after the last person written."""

    class Kind(models.TextChoices):
        CERTIFICATES = "certificates", _("Certificates")
        ARCHIVES = "archives", _("Training archives")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", pgettext_lazy("job", "Running")
        DONE = "done", pgettext_lazy("job", "Done")
        FAILED = "failed", pgettext_lazy("job", "Failed")

    unit = models.ForeignKey(
        "orgs.OrgNode", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("what is printed"), max_length=16, choices=Kind.choices)
    period = models.PositiveSmallIntegerField(_("period"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    people = models.JSONField(_("people"), default=list, editable=False)  # ids, fixed at start
    done = models.PositiveIntegerField(_("people done"), default=0)
    skipped = models.PositiveIntegerField(_("people skipped"), default=0)
    file_path = models.CharField(max_length=300, blank=True, editable=False)  # under MEDIA_ROOT
    failure_code = models.CharField(max_length=40, blank=True)
    failure = models.CharField(_("reason"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("started at"), auto_now_add=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    task_id = models.CharField(max_length=64, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("print job")
        verbose_name_plural = _("print jobs")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.unit_id}"

    @property
    def total(self) -> int:
        return len(self.people)

    @property
    def percent(self) -> int:
        return 100 if not self.people else int(100 * self.done / len(self.people))

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
