"""Evaluation and feedback: configurable questionnaires (after the class, and a follow-up some
weeks later), one response per trainee, anonymous to the teacher; peer reviews (听课评课).

Who answered (`ResponseReceipt`) and what was answered (`Response`, with its `Score` rows) are kept
apart: a response carries no person, a random id and only its date, so no page or query can join
an answer to the trainee who gave it."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class QuestionnaireKind(models.TextChoices):
    EVALUATION = "evaluation", _("Evaluation after the class")
    FOLLOW_UP = "follow_up", _("Follow-up some weeks later")


class Questionnaire(models.Model):
    """Items: [{"code", "text", "type": "score" | "text", "about": "class" | "teacher"}]; a score
    is 1 to 5; an item about teachers is asked once for each teacher of the class."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=QuestionnaireKind.choices)
    items = models.JSONField(_("items"), default=list)
    is_default = models.BooleanField(_("default for new classes"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class ResponseReceipt(models.Model):
    """That a trainee has answered a class's questionnaire (never what): one response each."""

    klass = models.ForeignKey("training.TrainingClass", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("orgs.Person", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=QuestionnaireKind.choices)

    class Meta:
        verbose_name = _("questionnaire receipt")
        verbose_name_plural = _("questionnaire receipts")
        constraints = [
            models.UniqueConstraint(
                fields=["klass", "person", "kind"], name="training_one_response_each"
            )
        ]

    def __str__(self) -> str:
        return f"{self.klass_id}:{self.kind}"


class Response(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    klass = models.ForeignKey(
        "training.TrainingClass", on_delete=models.PROTECT, related_name="responses"
    )
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=QuestionnaireKind.choices)
    submitted_on = models.DateField()
    comments = models.JSONField(default=dict, blank=True)  # item code -> text

    class Meta:
        verbose_name = _("questionnaire answer")
        verbose_name_plural = _("questionnaire answers")
        indexes = [models.Index(fields=["klass", "kind"])]

    def __str__(self) -> str:
        return f"{self.klass_id}:{self.kind} {self.submitted_on}"


class Score(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="scores")
    item = models.CharField(max_length=40)
    teacher = models.ForeignKey(
        "training.Teacher", null=True, blank=True, on_delete=models.PROTECT, related_name="scores"
    )
    score = models.PositiveSmallIntegerField()

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=1) & Q(score__lte=5), name="training_score_1_to_5"
            ),
        ]
        indexes = [models.Index(fields=["teacher", "item"])]

    def __str__(self) -> str:
        return f"{self.item}={self.score}"


class PeerReview(models.Model):
    """A teacher's record of sitting in on a colleague's session (听课评课)."""

    session = models.ForeignKey(
        "training.Session",
        verbose_name=pgettext_lazy("training", "session"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    teacher = models.ForeignKey(
        "training.Teacher",
        verbose_name=_("teacher observed"),
        on_delete=models.PROTECT,
        related_name="peer_reviews",
    )
    reviewer = models.ForeignKey(
        "training.Teacher",
        verbose_name=_("reviewer"),
        on_delete=models.PROTECT,
        related_name="reviews_given",
    )
    content = models.PositiveSmallIntegerField(_("content"))
    method = models.PositiveSmallIntegerField(_("method"))
    effect = models.PositiveSmallIntegerField(_("effect"))
    comment = models.TextField(_("comment"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("peer review")
        verbose_name_plural = _("peer reviews")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "reviewer"], name="training_review_once"),
            models.CheckConstraint(
                condition=~Q(teacher=models.F("reviewer")), name="training_review_not_own"
            ),
            models.CheckConstraint(
                condition=Q(content__gte=1, content__lte=5)
                & Q(method__gte=1, method__lte=5)
                & Q(effect__gte=1, effect__lte=5),
                name="training_review_scores_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}: {self.reviewer_id} → {self.teacher_id}"
