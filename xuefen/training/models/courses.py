"""Courses: what a provider offers (its completions become credit), and how the course menu
shows it to learners — its tags (the rule-set categories it counts in: 必修/选修, 公需/专业,
面授/网络), level, the people it is meant for and its teachers.

The table is still `intake_course`: the model moved here from the bulk-reporting app with its
rows, and rosters and the API still name courses by (provider, code)."""

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xuefen.ledger.models import Unit
from xuefen.policy.schema import DEFAULT_AGE_BRACKETS

AGE_BRACKETS = [(b.code, b.label.zh) for b in DEFAULT_AGE_BRACKETS]


class Level(models.TextChoices):
    COUNTY = "county", _("County level")
    CITY = "city", _("City level")
    PROVINCE = "province", _("Provincial level")
    NATIONAL = "national", _("National level")


class Course(models.Model):
    """A course or class a provider runs; its completions become ledger entries."""

    provider = models.ForeignKey(
        "intake.Provider",
        verbose_name=_("provider"),
        on_delete=models.PROTECT,
        related_name="courses",
    )
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("activity kind"), max_length=40, blank=True)
    categories = models.JSONField(_("categories"), default=list)
    amount = models.DecimalField(_("credit value"), max_digits=7, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=16, choices=Unit.choices, default=Unit.HOURS)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # The course menu (菜单式选学)
    on_menu = models.BooleanField(
        _("on the course menu"),
        default=False,
        help_text=_("Learners it is meant for see it and may sign up for its open classes."),
    )
    level = models.CharField(_("level"), max_length=16, choices=Level.choices, blank=True)
    audience_categories = models.JSONField(
        _("for personnel categories"), default=list, blank=True
    )  # Person.Category values; empty: everyone
    audience_brackets = models.JSONField(
        _("for age brackets"), default=list, blank=True
    )  # codes of DEFAULT_AGE_BRACKETS; empty: every age
    description = models.TextField(_("description"), blank=True)
    teachers = models.ManyToManyField(
        "training.Teacher",
        verbose_name=_("teachers"),
        through="training.CourseTeacher",
        related_name="courses",
        blank=True,
    )

    class Meta:
        db_table = "intake_course"
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["provider_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "code"], name="intake_course_code_once"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="intake_course_amount_positive"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="intake_course_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def is_meant_for(self, category: str, birth_date: dt.date, on: dt.date) -> bool:
        """Whether a person of this personnel category, born then, is in the course's audience."""
        if self.audience_categories and category not in self.audience_categories:
            return False
        if not self.audience_brackets:
            return True
        years = (
            on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
        )
        for bracket in DEFAULT_AGE_BRACKETS:
            low = bracket.min_age if bracket.min_age is not None else 0
            high = bracket.max_age if bracket.max_age is not None else 200
            if low <= years <= high:
                return bracket.code in self.audience_brackets
        return False


class CourseTeacher(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    teacher = models.ForeignKey("training.Teacher", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("course teacher")
        verbose_name_plural = _("course teachers")
        constraints = [
            models.UniqueConstraint(
                fields=["course", "teacher"], name="training_course_teacher_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.course_id}:{self.teacher_id}"
