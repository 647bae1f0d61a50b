"""Attendance of a session: a check-in and a check-out through the rotating code on the classroom
screen (from one device per person, a device for one person), a mark set by the class
administrator with a reason, or a mark from the signed paper sheet (its scan kept)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Mark(models.TextChoices):
    NONE = "", _("By the code")
    PRESENT = "present", _("Present")
    ABSENT = "absent", _("Absent")


class Source(models.TextChoices):
    CODE = "code", _("Rotating code")
    MANUAL = "manual", _("Corrected by the class administrator")
    SHEET = "sheet", _("Paper sign-in sheet")


class Attendance(models.Model):
    session = models.ForeignKey(
        "training.Session",
        verbose_name=pgettext_lazy("training", "session"),
        on_delete=models.PROTECT,
        related_name="attendance",
    )
    person = models.ForeignKey(
        "orgs.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    # A keyed hash of the device cookie that checked in: the same device must check out, and it
    # checks in no one else for the session.
    device = models.CharField(max_length=64, blank=True)
    mark = models.CharField(_("mark"), max_length=16, choices=Mark.choices, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    note = models.CharField(_("reason"), max_length=300, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="training_attendance_once"),
            models.UniqueConstraint(
                fields=["session", "device"],
                condition=~Q(device=""),
                name="training_attendance_one_person_per_device",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}:{self.person_id}"

    def is_present(self, checkout_required: bool) -> bool:
        """A mark decides; otherwise checked in, and out where the class asks for it."""
        if self.mark:
            return self.mark == Mark.PRESENT
        if self.checked_in_at is None:
            return False
        return self.checked_out_at is not None or not checkout_required


class SignInSheet(models.Model):
    """The scan of a signed paper sheet (PDF, JPEG or PNG by content), stored outside the web root
    and served only through the scoped view."""

    session = models.ForeignKey("training.Session", on_delete=models.PROTECT, related_name="sheets")
    stored_name = models.CharField(max_length=32, unique=True)
    original_name = models.CharField(_("file name"), max_length=120)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("sign-in sheet")
        verbose_name_plural = _("sign-in sheets")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.original_name
