"""Read-outs of evaluation: a class's report (response rate, the mean of each item, each
teacher's means, the comments) and a teacher's scores over time. Grouped in the database; a
teacher's means of a class are shown only once enough trainees answered that no score can be
traced to one of them (XUEFEN_TRAINING_RATING_MIN_RESPONSES)."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Avg, Count

from xuefen.training.models import (
    EnrolmentStatus,
    PeerReview,
    Questionnaire,
    QuestionnaireKind,
    Response,
    ResponseReceipt,
    Score,
    Teacher,
    TrainingClass,
)
from xuefen.training.questionnaires import score_items, text_items

TENTH = Decimal("0.1")


def _mean(value: float | Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(TENTH, ROUND_HALF_UP)


@dataclass
class ItemMean:
    text: str
    mean: Decimal | None
    answers: int


@dataclass
class TeacherMeans:
    teacher: Teacher
    items: list[ItemMean]


@dataclass
class Part:
    """One questionnaire of a class, read out."""

    kind: str
    questionnaire: Questionnaire | None
    trainees: int
    responses: int
    items: list[ItemMean] = field(default_factory=list)
    teachers: list[TeacherMeans] = field(default_factory=list)
    comments: list[tuple[str, list[str]]] = field(default_factory=list)

    @property
    def rate(self) -> int:
        return round(self.responses * 100 / self.trainees) if self.trainees else 0


def _part(klass: TrainingClass, kind: str, trainees: int) -> Part:
    questionnaire = klass.evaluation if kind == QuestionnaireKind.EVALUATION else klass.follow_up
    responses = ResponseReceipt.objects.filter(klass=klass, kind=kind).count()
    part = Part(kind, questionnaire, trainees, responses)
    if questionnaire is None or not responses:
        return part
    texts = {i["code"]: i["text"] for i in questionnaire.items}
    scores = Score.objects.filter(response__klass=klass, response__kind=kind)
    class_means: dict[str, tuple[Decimal | None, int]] = {
        row["item"]: (_mean(row["mean"]), row["n"])
        for row in scores.filter(teacher__isnull=True)
        .values("item")
        .annotate(mean=Avg("score"), n=Count("id"))
    }
    part.items = [
        ItemMean(i["text"], *class_means.get(i["code"], (None, 0)))
        for i in score_items(questionnaire, "class")
    ]
    by_teacher: dict[int, dict[str, tuple[Decimal | None, int]]] = defaultdict(dict)
    for row in (
        scores.filter(teacher__isnull=False)
        .values("teacher", "item")
        .annotate(mean=Avg("score"), n=Count("id"))
    ):
        by_teacher[row["teacher"]][row["item"]] = (_mean(row["mean"]), row["n"])
    people = Teacher.objects.in_bulk(list(by_teacher))
    for teacher_id, rows in sorted(by_teacher.items(), key=lambda kv: people[kv[0]].name):
        part.teachers.append(
            TeacherMeans(
                people[teacher_id],
                [ItemMean(texts.get(code, code), *got) for code, got in rows.items()],
            )
        )
    comments: dict[str, list[str]] = defaultdict(list)
    # Random ids: the order says nothing about who wrote what.
    for answer in Response.objects.filter(klass=klass, kind=kind).order_by("id"):
        for code, text in (answer.comments or {}).items():
            comments[code].append(text)
    part.comments = [(i["text"], comments[i["code"]]) for i in text_items(questionnaire)]
    return part


def class_report(klass: TrainingClass) -> list[Part]:
    trainees = klass.enrolments.filter(status=EnrolmentStatus.ENROLLED).count()
    return [_part(klass, kind, trainees) for kind in QuestionnaireKind.values]


@dataclass
class ClassScores:
    klass: TrainingClass
    responses: int
    shown: bool
    items: list[ItemMean]
    mean: Decimal | None


def teacher_scores(teacher: Teacher) -> list[ClassScores]:
    """The teacher's mean scores by trainees, class by class, newest first; a class with fewer
    answers than the minimum shows how many answered, not what they said."""
    minimum = settings.TRAINING_RATING_MIN_RESPONSES
    rows = (
        Score.objects.filter(teacher=teacher, response__kind=QuestionnaireKind.EVALUATION)
        .values("response__klass", "item")
        .annotate(mean=Avg("score"), answers=Count("response", distinct=True))
    )
    by_class: dict[int, dict[str, tuple[float, int]]] = defaultdict(dict)
    for row in rows:
        by_class[row["response__klass"]][row["item"]] = (row["mean"], row["answers"])
    classes = TrainingClass.objects.filter(pk__in=list(by_class)).select_related("evaluation")
    out: list[ClassScores] = []
    for klass in sorted(classes, key=lambda k: (k.last_day, k.pk), reverse=True):
        items = by_class[klass.pk]
        answers = max(n for _mean_value, n in items.values())
        shown = answers >= minimum
        texts = {i["code"]: i["text"] for i in (klass.evaluation.items if klass.evaluation else [])}
        means = [
            ItemMean(texts.get(code, code), _mean(mean) if shown else None, n if shown else 0)
            for code, (mean, n) in items.items()
        ]
        overall = (
            _mean(sum(Decimal(str(m)) for m, _n in items.values()) / len(items)) if shown else None
        )
        out.append(ClassScores(klass, answers, shown, means, overall))
    return out


def peer_reviews(teacher: Teacher) -> list[PeerReview]:
    return list(
        PeerReview.objects.filter(teacher=teacher)
        .select_related("session__klass", "reviewer")
        .order_by("-session__date", "-id")
    )
