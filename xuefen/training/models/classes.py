"""Classes (班次): a course held on dates, with its sessions, quotas, roster, wait list, leave and
its completion rule. A class carries its own rule (attendance share, leave share for 脱产 classes,
an optional test), taken from the shipped rules (training/rules.yaml) when it is made and shown
with its source."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ClassStatus(models.TextChoices):
    DRAFT = "draft", _("Being planned")
    OPEN = "open", _("Open for sign-up")
    CLOSED = "closed", _("Sign-up closed")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class TrainingClass(models.Model):
    course = models.ForeignKey(
        "training.Course",
        verbose_name=_("course"),
        on_delete=models.PROTECT,
        related_name="classes",
    )
    code = models.CharField(_("class code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    full_time = models.BooleanField(
        _("full-time (脱产)"),
        default=True,
        help_text=_("A full-time class fails a learner whose leave exceeds its leave share."),
    )
    capacity = models.PositiveIntegerField(_("seats"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    signup_closes_on = models.DateField(_("sign-up closes on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ClassStatus.choices, default=ClassStatus.DRAFT
    )
    # The days the class took (a fact of the activity, never derived from its hours); empty: one
    # for each date that has a session.
    days = models.DecimalField(_("days"), max_digits=6, decimal_places=1, null=True, blank=True)
    # Kept current by the session actions: the span and the hours of every session.
    first_day = models.DateField(_("first day"), null=True, blank=True, editable=False)
    last_day = models.DateField(_("last day"), null=True, blank=True, editable=False)
    hours = models.DecimalField(
        _("hours"), max_digits=7, decimal_places=2, default=Decimal(0), editable=False
    )
    session_dates = models.PositiveSmallIntegerField(default=0, editable=False)
    # The completion rule, as data.
    rule_code = models.CharField(_("completion rule"), max_length=40, blank=True)
    attendance_min = models.CharField(
        _("attendance at least"),
        max_length=16,
        help_text=_("A share of the class's hours, as a fraction (e.g. 6/7) or a decimal."),
    )
    leave_max = models.CharField(
        _("leave at most"),
        max_length=16,
        blank=True,
        help_text=_("Full-time classes: the largest share of the hours on leave (e.g. 1/7)."),
    )
    test_pass_mark = models.DecimalField(
        _("test pass mark"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("Empty: the class has no test."),
    )
    rule_source = models.CharField(_("rule source"), max_length=300, blank=True)
    checkout_required = models.BooleanField(
        _("check-out required"),
        default=True,
        help_text=_("A session counts only for learners who checked in and out."),
    )
    evaluation = models.ForeignKey(
        "training.Questionnaire",
        verbose_name=_("evaluation questionnaire"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    follow_up = models.ForeignKey(
        "training.Questionnaire",
        verbose_name=_("follow-up questionnaire"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    follow_up_days = models.PositiveSmallIntegerField(
        _("follow-up after (days)"),
        default=60,
        help_text=_("Days after the last session when learners are asked the follow-up."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        ordering = ["-first_day", "-id"]
        indexes = [models.Index(fields=["status", "first_day"])]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gt=0), name="training_class_has_seats"),
            models.CheckConstraint(
                condition=Q(days__isnull=True) | Q(days__gt=0), name="training_class_days_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def credited_days(self) -> Decimal | None:
        """The days the class took: as set, or one per session date; None before any session."""
        if self.days is not None:
            return self.days
        return Decimal(self.session_dates) if self.session_dates else None

    @property
    def has_test(self) -> bool:
        return self.test_pass_mark is not None

    def follow_up_due_on(self) -> dt.date | None:
        if self.follow_up_id is None or self.last_day is None:
            return None
        return self.last_day + dt.timedelta(days=self.follow_up_days)


class StatusChange(models.Model):
    klass = models.ForeignKey(TrainingClass, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    step = models.CharField(max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("class status change")
        verbose_name_plural = _("class status changes")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.klass_id}: {self.from_status} → {self.to_status}"


class Quota(models.Model):
    """Seats of a class kept for the people of one org subtree (per-unit quotas of sign-up and
    nomination). A class with quotas takes sign-ups only from the subtrees they name."""

    klass = models.ForeignKey(TrainingClass, on_delete=models.CASCADE, related_name="quotas")
    node = models.ForeignKey(
        "orgs.OrgNode", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    seats = models.PositiveIntegerField(_("seats"))

    class Meta:
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        constraints = [
            models.UniqueConstraint(fields=["klass", "node"], name="training_quota_once"),
            models.CheckConstraint(condition=Q(seats__gt=0), name="training_quota_has_seats"),
        ]

    def __str__(self) -> str:
        return f"{self.klass_id}: {self.node_id} × {self.seats}"


class Half(models.TextChoices):
    MORNING = "morning", pgettext_lazy("half day", "Morning")
    AFTERNOON = "afternoon", pgettext_lazy("half day", "Afternoon")
    EVENING = "evening", pgettext_lazy("half day", "Evening")


class Session(models.Model):
    """One sitting of a class (a half day): its hours (学时), time window, place and teacher."""

    klass = models.ForeignKey(
        TrainingClass, verbose_name=_("class"), on_delete=models.CASCADE, related_name="sessions"
    )
    date = models.DateField(_("date"))
    half = models.CharField(_("half day"), max_length=16, choices=Half.choices)
    starts_at = models.TimeField(_("starts at"))
    ends_at = models.TimeField(_("ends at"))
    hours = models.DecimalField(_("hours (学时)"), max_digits=5, decimal_places=2)
    place = models.CharField(_("place"), max_length=200, blank=True)
    topic = models.CharField(_("topic"), max_length=200)
    teacher = models.ForeignKey(
        "training.Teacher",
        verbose_name=_("teacher"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sessions",
    )

    class Meta:
        verbose_name = pgettext_lazy("training", "session")
        verbose_name_plural = pgettext_lazy("training", "sessions")
        ordering = ["date", "starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="training_session_times_ordered",
            ),
            models.CheckConstraint(
                condition=Q(hours__gt=0), name="training_session_hours_positive"
            ),
            models.UniqueConstraint(fields=["klass", "date", "half"], name="training_session_once"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_half_display()} {self.topic}"

    def starts(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.date, self.starts_at))

    def ends(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.date, self.ends_at))

    @property
    def minutes(self) -> int:
        return int((self.ends() - self.starts()).total_seconds() // 60)


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("Enrolled")
    WAITLISTED = "waitlisted", _("On the wait list")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Route(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned by the office (调训)")
    SIGNUP = "signup", _("Signed up from the menu")
    NOMINATED = "nominated", _("Nominated by the unit")


class Result(models.TextChoices):
    NONE = "", _("Not decided")
    PASSED = "passed", _("Completed")
    FAILED = "failed", _("Not completed")


class Enrolment(models.Model):
    """A person on a class's roster (or its wait list), how they came to it, and the outcome
    decided at completion with its reasons (codes and figures, worded when shown)."""

    klass = models.ForeignKey(
        TrainingClass, verbose_name=_("class"), on_delete=models.PROTECT, related_name="enrolments"
    )
    person = models.ForeignKey(
        "orgs.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=16, choices=EnrolmentStatus.choices)
    route = models.CharField(_("how"), max_length=16, choices=Route.choices)
    position = models.PositiveIntegerField(_("place on the wait list"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    test_score = models.DecimalField(
        _("test score"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    result = models.CharField(
        _("result"), max_length=16, choices=Result.choices, blank=True, default=Result.NONE
    )
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    entry = models.ForeignKey(
        "ledger.Entry",
        verbose_name=_("credit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["klass_id", "status", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["klass", "person"], name="training_enrolment_once"),
        ]
        indexes = [models.Index(fields=["person", "status"])]

    def __str__(self) -> str:
        return f"{self.klass_id}:{self.person_id} {self.status}"


class LeaveStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting decision")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class LeaveRequest(models.Model):
    """Leave from some sessions of a class, asked by the learner and decided by the class's
    administrator; approved leave counts against the class's leave share."""

    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("enrolment"), on_delete=models.PROTECT, related_name="leaves"
    )
    sessions = models.ManyToManyField(
        Session, verbose_name=pgettext_lazy("training", "sessions"), related_name="+"
    )
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=300)
    status = models.CharField(
        _("status"), max_length=16, choices=LeaveStatus.choices, default=LeaveStatus.PENDING
    )
    requested_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("leave request")
        verbose_name_plural = _("leave requests")
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.enrolment_id}: {self.hours} ({self.status})"
