"""Online learning: resources (videos, articles), online courses made of them, learning sessions,
and what the server decided of each person's watching — merged watched intervals per person and
resource, every interval that did not count with its reason, and every refused event."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xuefen.elearning.reasons import Reason, Refusal


class Resource(models.Model):
    """A video or an article. A video's file is stored under MEDIA_ROOT/elearning/ with a random
    name and served only through the application's check; an article's length is its reading
    time."""

    class Kind(models.TextChoices):
        VIDEO = "video", _("Video")
        ARTICLE = "article", _("Article")

    owner = models.ForeignKey(
        "orgs.OrgNode", verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    stored_name = models.CharField(_("stored file"), max_length=64, blank=True)
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(_("content type"), max_length=60, blank=True)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    duration_seconds = models.PositiveIntegerField(_("length (seconds)"))
    views = models.PositiveIntegerField(_("views"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # A retired resource stays in the courses that have it (learners keep what they watched) but
    # is offered for no new course.
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    class Meta:
        verbose_name = _("learning resource")
        verbose_name_plural = _("learning resources")
        ordering = ["title", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_seconds__gt=0), name="elearning_resource_has_length"
            )
        ]

    def __str__(self) -> str:
        return self.title


class OnlineCourse(models.Model):
    """Resources grouped into a course; completing it credits the learner once, by the learner's
    rule set (`online_course` by its length, `online_test` for a passed test)."""

    owner = models.ForeignKey(
        "orgs.OrgNode", verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    catalogue_course = models.ForeignKey(
        "training.Course",
        verbose_name=_("course in the catalogue"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="online_courses",
    )
    categories = models.JSONField(_("categories"), default=list, blank=True)
    rule_code = models.CharField(_("completion rule"), max_length=40)
    complete_share = models.DecimalField(_("share to watch"), max_digits=4, decimal_places=3)
    needs_test = models.BooleanField(_("needs a passed test"), default=False)
    test_pass_mark = models.DecimalField(
        _("pass mark"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    test_attempts = models.PositiveSmallIntegerField(
        _("test attempts allowed"), null=True, blank=True
    )
    is_published = models.BooleanField(_("published"), default=False)
    resources = models.ManyToManyField(
        Resource, verbose_name=_("resources"), through="CourseItem", related_name="courses"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("online course")
        verbose_name_plural = _("online courses")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(complete_share__gt=0) & Q(complete_share__lte=1),
                name="elearning_course_share_in_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class CourseItem(models.Model):
    course = models.ForeignKey(
        OnlineCourse,
        verbose_name=_("online course"),
        on_delete=models.CASCADE,
        related_name="items",
    )
    resource = models.ForeignKey(
        Resource, verbose_name=_("learning resource"), on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("course item")
        verbose_name_plural = _("course items")
        ordering = ["course_id", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["course", "resource"], name="elearning_item_once")
        ]

    def __str__(self) -> str:
        return f"{self.course_id}:{self.resource_id}"


class LearningSession(models.Model):
    """A server-issued session of one person on one resource of a course. One active session per
    person: opening another ends this one. Every event names the token and the next number."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUPERSEDED = "superseded", _("Replaced by a newer session")
        ENDED = "ended", _("Ended: logged out or account deactivated")

    token = models.CharField(_("token"), max_length=64, unique=True)
    person = models.ForeignKey(
        "orgs.Person", verbose_name=_("person"), on_delete=models.CASCADE, related_name="+"
    )
    course = models.ForeignKey(
        OnlineCourse, verbose_name=_("online course"), on_delete=models.CASCADE, related_name="+"
    )
    resource = models.ForeignKey(
        Resource, verbose_name=_("learning resource"), on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    started_at = models.DateTimeField(_("started at"))
    seq = models.PositiveIntegerField(_("last sequence number"), default=0)
    position = models.FloatField(_("position (seconds)"), default=0)
    hidden = models.BooleanField(_("page hidden"), default=False)
    rate = models.FloatField(_("playback rate"), default=1)
    last_event_at = models.DateTimeField(_("last event at"))
    interaction_at = models.DateTimeField(_("last interaction at"))
    prompt = models.CharField(_("open prompt"), max_length=32, blank=True)
    lag = models.FloatField(_("seconds ahead of time"), default=0)
    counted_seconds = models.FloatField(_("seconds counted"), default=0)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    device = models.CharField(_("device"), max_length=64, blank=True)
    rhythm = models.CharField(_("event rhythm"), max_length=16, blank=True)
    # The log-in (a digest of its session key) the player page was opened in: an event must come
    # with the same log-in cookie as well as the token.
    login_key = models.CharField(_("log-in key"), max_length=64)
    # Kept with the session so that an event reads one row: what the person watched of the
    # resource, and their counted time on the day of the last event (one active session per
    # person, so nothing else moves them meanwhile).
    watched = models.ForeignKey(
        "Watched", verbose_name=_("watched part"), on_delete=models.PROTECT, related_name="+"
    )
    day = models.DateField(_("day"), null=True, blank=True)
    day_seconds = models.FloatField(_("seconds counted that day"), default=0)

    class Meta:
        verbose_name = _("learning session")
        verbose_name_plural = _("learning sessions")
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status="active"),
                name="elearning_one_active_session",
            )
        ]
        indexes = [models.Index(fields=["started_at"], name="elearning_session_started")]

    def __str__(self) -> str:
        return f"{self.person_id}:{self.resource_id}@{self.started_at:%Y-%m-%d %H:%M}"


class Watched(models.Model):
    """What a person watched of a resource: merged [start, end] intervals of its timeline."""

    person = models.ForeignKey(
        "orgs.Person", verbose_name=_("person"), on_delete=models.CASCADE, related_name="+"
    )
    resource = models.ForeignKey(
        Resource,
        verbose_name=_("learning resource"),
        on_delete=models.CASCADE,
        related_name="watched_by",
    )
    intervals = models.JSONField(_("watched intervals"), default=list)
    seconds = models.FloatField(_("seconds watched"), default=0)
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("watched part")
        verbose_name_plural = _("watched parts")
        constraints = [
            models.UniqueConstraint(fields=["person", "resource"], name="elearning_watched_once")
        ]

    def __str__(self) -> str:
        return f"{self.person_id}:{self.resource_id} {self.seconds:.0f}s"


class Uncounted(models.Model):
    """An interval of a resource that did not count, and why. Consecutive intervals of one
    session with the same reason are one row."""

    person = models.ForeignKey(
        "orgs.Person", verbose_name=_("person"), on_delete=models.CASCADE, related_name="+"
    )
    resource = models.ForeignKey(
        Resource, verbose_name=_("learning resource"), on_delete=models.CASCADE, related_name="+"
    )
    session = models.ForeignKey(
        LearningSession,
        verbose_name=_("learning session"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    start = models.FloatField(_("from (seconds)"))
    end = models.FloatField(_("to (seconds)"))
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("interval not counted")
        verbose_name_plural = _("intervals not counted")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["person", "-at"], name="elearning_uncounted_person")]

    def __str__(self) -> str:
        return f"{self.person_id}:{self.resource_id} {self.start:.0f}–{self.end:.0f} {self.reason}"


class RefusedEvent(models.Model):
    """A playback event the server refused, as it arrived."""

    person = models.ForeignKey(
        "orgs.Person",
        verbose_name=_("person"),
        null=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    session = models.ForeignKey(
        LearningSession,
        verbose_name=_("learning session"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    seq = models.BigIntegerField(_("sequence number"), null=True)
    reason = models.CharField(_("reason"), max_length=20, choices=Refusal.choices)
    payload = models.JSONField(_("event"), default=dict)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("refused event")
        verbose_name_plural = _("refused events")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["person", "-at"], name="elearning_refused_person")]

    def __str__(self) -> str:
        return f"{self.person_id} #{self.seq} {self.reason}"


class Day(models.Model):
    """A person's counted learning time on one calendar day (the daily cap), and the hours of the
    day it fell in (a bit per hour: the auditors' around-the-clock flag)."""

    person = models.ForeignKey(
        "orgs.Person", verbose_name=_("person"), on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("day"))
    seconds = models.FloatField(_("seconds counted"), default=0)
    hours = models.PositiveIntegerField(_("hours with learning"), default=0)

    class Meta:
        verbose_name = _("learning day")
        verbose_name_plural = _("learning days")
        constraints = [models.UniqueConstraint(fields=["person", "day"], name="elearning_day_once")]

    def __str__(self) -> str:
        return f"{self.person_id}:{self.day}"


class Progress(models.Model):
    """A person's standing in an online course: the test score, and the completion once reached
    (with the ledger entry it wrote)."""

    person = models.ForeignKey(
        "orgs.Person", verbose_name=_("person"), on_delete=models.CASCADE, related_name="+"
    )
    course = models.ForeignKey(
        OnlineCourse,
        verbose_name=_("online course"),
        on_delete=models.CASCADE,
        related_name="progress_rows",
    )
    test_score = models.DecimalField(
        _("test score"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    entry_id = models.BigIntegerField(_("ledger entry"), null=True, blank=True)

    class Meta:
        verbose_name = _("course progress")
        verbose_name_plural = _("course progress")
        constraints = [
            models.UniqueConstraint(fields=["person", "course"], name="elearning_progress_once")
        ]

    def __str__(self) -> str:
        return f"{self.person_id}:{self.course_id}"


class QuizQuestion(models.Model):
    """A question of an online course's short test: choices, the right ones among them (one for a
    single choice or a true/false question, several for a multiple choice), graded all or
    nothing by the server."""

    course = models.ForeignKey(
        OnlineCourse,
        verbose_name=_("online course"),
        on_delete=models.CASCADE,
        related_name="test_questions",
    )
    position = models.PositiveIntegerField(_("order"), default=0)
    text = models.TextField(_("question"))
    choices = models.JSONField(_("choices"), default=list)
    correct = models.JSONField(_("right choices"), default=list)  # indexes into `choices`
    points = models.PositiveSmallIntegerField(_("points"), default=1)

    class Meta:
        verbose_name = _("test question")
        verbose_name_plural = _("test questions")
        ordering = ["course_id", "position", "pk"]

    def __str__(self) -> str:
        return self.text[:40]

    @property
    def multiple(self) -> bool:
        return len(self.correct) > 1


class QuizAttempt(models.Model):
    """One submitted attempt at a course's test, as the server graded it."""

    person = models.ForeignKey(
        "orgs.Person", verbose_name=_("person"), on_delete=models.CASCADE, related_name="+"
    )
    course = models.ForeignKey(
        OnlineCourse,
        verbose_name=_("online course"),
        on_delete=models.CASCADE,
        related_name="test_attempts_taken",
    )
    answers = models.JSONField(_("answers"), default=dict)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1)
    passed = models.BooleanField(_("passed"), default=False)
    at = models.DateTimeField(_("submitted at"))

    class Meta:
        verbose_name = _("test attempt")
        verbose_name_plural = _("test attempts")
        ordering = ["person_id", "course_id", "at", "pk"]
        indexes = [models.Index(fields=["person", "course"], name="elearning_attempt_person")]

    def __str__(self) -> str:
        return f"{self.person_id}:{self.course_id}:{self.score}"
