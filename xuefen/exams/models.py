"""Exams: a question bank tagged by subject, papers (fixed or drawn by rule), scheduled exam
sessions with seats and a time limit (the annual unified exam, its make-up exam), candidates with
a registered photo and a proctor-confirmed check-in, attempts timed by the server, answers with a
log of the device and address of every submission, and results that credit a pass once."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xuefen.ledger.models import Unit


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TRUE_FALSE = "true_false", _("True or false")
    SHORT = "short", _("Short answer")


class Question(models.Model):
    """A question of the bank. `options` are the choices' texts (choice kinds); `answer` is the
    indices of the right options (choice kinds), true or false, or a model answer the grader reads
    (short answers)."""

    node = models.ForeignKey(
        "orgs.OrgNode", verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    subject = models.CharField(_("subject"), max_length=60, db_index=True)
    kind = models.CharField(_("question type"), max_length=16, choices=QuestionKind.choices)
    text = models.TextField(_("question"))
    options = models.JSONField(_("options"), default=list, blank=True)
    answer = models.JSONField(_("answer"))
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=2, default=Decimal(1))
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["subject", "id"]

    def __str__(self) -> str:
        return f"{self.subject} · {self.text[:40]}"

    # For templates, which cannot name the enum.
    @property
    def is_single(self) -> bool:
        return self.kind == QuestionKind.SINGLE

    @property
    def is_multiple(self) -> bool:
        return self.kind == QuestionKind.MULTIPLE

    @property
    def is_true_false(self) -> bool:
        return self.kind == QuestionKind.TRUE_FALSE


class PaperMode(models.TextChoices):
    FIXED = "fixed", _("Fixed questions")
    DRAWN = "drawn", _("Drawn by rule")


class Paper(models.Model):
    """A paper: fixed questions in order, or drawn per candidate by its rules — each rule a
    subject, a question type, a count and the points of each question drawn."""

    node = models.ForeignKey(
        "orgs.OrgNode", verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=120)
    mode = models.CharField(_("paper type"), max_length=16, choices=PaperMode.choices)
    rules = models.JSONField(_("drawing rules"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("exam paper")
        verbose_name_plural = _("exam papers")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_fixed(self) -> bool:
        return self.mode == PaperMode.FIXED


class PaperQuestion(models.Model):
    paper = models.ForeignKey(
        Paper, verbose_name=_("exam paper"), on_delete=models.CASCADE, related_name="items"
    )
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveIntegerField(_("position"))
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("question of a paper")
        verbose_name_plural = _("questions of a paper")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "question"], name="exams_paper_question_once")
        ]

    def __str__(self) -> str:
        return f"{self.paper_id}#{self.position}"


class ExamKind(models.TextChoices):
    ANNUAL = "annual", _("Annual unified exam")
    MAKE_UP = "make_up", _("Make-up exam")
    REGULAR = "regular", _("Exam")


class Exam(models.Model):
    """A scheduled exam session. Candidates start within [starts_at, ends_at); each has
    `duration_minutes` of answering, counted by the server, and never past `ends_at`. A pass
    (score ≥ pass_mark) earns what the candidate's rule set gives for `credit_kind` (a conversion
    of the rule set, e.g. a lump sum), or else the credit stated here; both are data."""

    node = models.ForeignKey(
        "orgs.OrgNode", verbose_name=_("organiser"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("exam type"), max_length=16, choices=ExamKind.choices)
    make_up_of = models.ForeignKey(
        "self",
        verbose_name=_("make-up of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="make_ups",
    )
    paper = models.ForeignKey(
        Paper, verbose_name=_("exam paper"), on_delete=models.PROTECT, related_name="exams"
    )
    place = models.CharField(_("place"), max_length=120, blank=True)
    starts_at = models.DateTimeField(_("opens at"))
    ends_at = models.DateTimeField(_("closes at"))
    duration_minutes = models.PositiveIntegerField(_("time limit (minutes)"))
    seats = models.PositiveIntegerField(_("seats"))
    pass_mark = models.DecimalField(_("pass mark"), max_digits=6, decimal_places=2)
    credit_kind = models.CharField(_("credit conversion"), max_length=40, blank=True)
    credit_amount = models.DecimalField(
        _("credit value"), max_digits=6, decimal_places=2, default=Decimal(0)
    )
    credit_unit = models.CharField(
        _("unit"), max_length=16, choices=Unit.choices, default=Unit.HOURS
    )
    credit_categories = models.JSONField(_("credit categories"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("exam session")
        verbose_name_plural = _("exam sessions")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="exams_exam_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(seats__gt=0), name="exams_exam_has_seats"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def root(self) -> "Exam":
        """The exam a make-up makes up for (itself for any other): a pass credits once per root."""
        return self.make_up_of if self.make_up_of_id and self.make_up_of else self

    def is_open(self, now: dt.datetime) -> bool:
        return self.starts_at <= now < self.ends_at


class Candidate(models.Model):
    """A person registered for an exam session, on a seat. The one-time code is derived from the
    candidate (keyed with the site's secret, nothing stored) and is spent when the proctor admits
    them."""

    exam = models.ForeignKey(
        Exam, verbose_name=_("exam session"), on_delete=models.PROTECT, related_name="candidates"
    )
    person = models.ForeignKey(
        "orgs.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    seat = models.PositiveIntegerField(_("seat"))
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    admitted_at = models.DateTimeField(_("admitted at"), null=True, blank=True)
    admitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proctor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Too many wrong one-time codes lock the check-in until the proctor unlocks it; the wrong codes
    # counted are those since the last unlock.
    checkin_locked_at = models.DateTimeField(_("check-in locked at"), null=True, blank=True)
    checkin_unlocked_at = models.DateTimeField(_("check-in unlocked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        ordering = ["seat"]
        constraints = [
            models.UniqueConstraint(fields=["exam", "person"], name="exams_candidate_once"),
            models.UniqueConstraint(fields=["exam", "seat"], name="exams_seat_once"),
        ]

    def __str__(self) -> str:
        return f"{self.exam_id}:{self.seat}"


class RegisteredPhoto(models.Model):
    """A person's registered photo (JPEG or PNG with exactly one face), the proctor's reference."""

    person = models.OneToOneField(
        "orgs.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    image = models.BinaryField(_("photo"))
    content_type = models.CharField(_("file type"), max_length=20)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now=True)

    class Meta:
        verbose_name = _("registered photo")
        verbose_name_plural = _("registered photos")

    def __str__(self) -> str:
        return str(self.person_id)


class WrongCode(models.Model):
    """A check-in with a wrong one-time code: when, from which address and device (the code given
    is not kept). Enough of them within the policy's window lock the candidate's check-in."""

    candidate = models.ForeignKey(
        Candidate, verbose_name=_("candidate"), on_delete=models.PROTECT, related_name="wrong_codes"
    )
    at = models.DateTimeField(_("time"))
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    device = models.CharField(_("device"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("wrong one-time code")
        verbose_name_plural = _("wrong one-time codes")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["candidate", "at"], name="exams_wrongcode_cand_at")]

    def __str__(self) -> str:
        return f"{self.candidate_id}@{self.at}"


class CheckInStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the proctor")
    CONFIRMED = "confirmed", _("Confirmed by the proctor")
    REFUSED = "refused", _("Refused by the proctor")


class CheckIn(models.Model):
    """A live photo taken by the candidate's camera at check-in (exactly one face found), waiting
    for the proctor to compare it with the registered photo."""

    candidate = models.ForeignKey(
        Candidate, verbose_name=_("candidate"), on_delete=models.PROTECT, related_name="checkins"
    )
    image = models.BinaryField(_("photo"))
    status = models.CharField(
        _("status"), max_length=16, choices=CheckInStatus.choices, default=CheckInStatus.PENDING
    )
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    device = models.CharField(_("device"), max_length=300, blank=True)
    taken_at = models.DateTimeField(_("taken at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proctor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("check-in photo")
        verbose_name_plural = _("check-in photos")
        ordering = ["-taken_at", "-id"]

    def __str__(self) -> str:
        return f"{self.candidate_id}:{self.pk}"


class AttemptStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("exam attempt", "In progress")
    SUBMITTED = "submitted", _("Waiting for grading")
    GRADED = "graded", _("Graded")


class Attempt(models.Model):
    """A candidate's sitting of the paper. The server keeps its clock: `used_seconds` grows by the
    time between two requests of the attempt's page, at most the resume grace for a gap (a lost
    connection), so a resumed attempt has the time it had left. `questions` is the paper as drawn
    for this candidate: [{"id": question id, "points": "2"}]."""

    candidate = models.OneToOneField(
        Candidate, verbose_name=_("candidate"), on_delete=models.PROTECT, related_name="attempt"
    )
    person = models.ForeignKey(
        "orgs.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=AttemptStatus.choices, default=AttemptStatus.OPEN
    )
    questions = models.JSONField(_("questions"), default=list)
    limit_seconds = models.PositiveIntegerField(_("time limit (seconds)"))
    used_seconds = models.PositiveIntegerField(_("time used (seconds)"), default=0)
    started_at = models.DateTimeField(_("started at"))
    last_seen_at = models.DateTimeField(_("last seen at"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    score = models.DecimalField(_("score"), max_digits=7, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    entry = models.ForeignKey(
        "ledger.Entry",
        verbose_name=_("ledger entry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    credit_note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("exam attempt")
        verbose_name_plural = _("exam attempts")
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status=AttemptStatus.OPEN),
                name="exams_one_open_attempt_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == AttemptStatus.OPEN

    @property
    def is_submitted(self) -> bool:
        return self.status == AttemptStatus.SUBMITTED


class Answer(models.Model):
    """A candidate's latest answer to one question (autosaved) and its points once graded."""

    attempt = models.ForeignKey(
        Attempt, verbose_name=_("exam attempt"), on_delete=models.PROTECT, related_name="answers"
    )
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="+"
    )
    response = models.JSONField(_("answer"), null=True, blank=True)
    saved_at = models.DateTimeField(_("saved at"))
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=2, null=True, blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("grader"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    graded_at = models.DateTimeField(_("graded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("exam answer")
        verbose_name_plural = _("exam answers")
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="exams_answer_once")
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}:{self.question_id}"


class AnswerLog(models.Model):
    """Every answer submission as it arrived: what, when, from which address and device."""

    attempt = models.ForeignKey(
        Attempt, verbose_name=_("exam attempt"), on_delete=models.PROTECT, related_name="log"
    )
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="+"
    )
    response = models.JSONField(_("answer"), null=True, blank=True)
    at = models.DateTimeField(_("time"))
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    device = models.CharField(_("device"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("answer submission")
        verbose_name_plural = _("answer submissions")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.attempt_id}:{self.question_id}@{self.at}"
