"""Evaluation and feedback: a trainee's answers to the class's questionnaire (once, after the
class) and to the follow-up (once, when it is due), kept apart from who gave them; peer reviews
by other teachers (听课评课)."""

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xuefen.accounts import scope
from xuefen.accounts.roles import Cap
from xuefen.audit.actions import record
from xuefen.audit.models import AuditEvent
from xuefen.core.actors import Actor, user_of
from xuefen.training import queries
from xuefen.training.errors import Code, TrainingError
from xuefen.training.models import (
    ClassStatus,
    EnrolmentStatus,
    PeerReview,
    QuestionnaireKind,
    Response,
    ResponseReceipt,
    Score,
    Session,
    Teacher,
    TrainingClass,
)
from xuefen.training.questionnaires import answer_key, score_items, text_items

if TYPE_CHECKING:
    pass

MAX_TEXT = 1000


def class_teachers(klass: TrainingClass) -> list[Teacher]:
    """The teachers of the class's sessions, in the order they first teach."""
    seen: dict[int, Teacher] = {}
    for session in klass.sessions.select_related("teacher").order_by("date", "starts_at"):
        if session.teacher is not None:
            seen.setdefault(session.teacher.pk, session.teacher)
    return list(seen.values())


def due(klass: TrainingClass, kind: str, today: dt.date) -> bool:
    """The evaluation opens once the class has had its last day; the follow-up when it is due."""
    if klass.status == ClassStatus.CANCELLED or klass.last_day is None:
        return False
    if kind == QuestionnaireKind.EVALUATION:
        return klass.evaluation_id is not None and klass.last_day <= today
    due_on = klass.follow_up_due_on()
    return klass.status == ClassStatus.COMPLETED and due_on is not None and due_on <= today


@transaction.atomic
def respond(actor: Actor, klass: TrainingClass, kind: str, answers: Mapping[str, Any]) -> None:
    """Records a trainee's answers ({answer_key: value}): every score item 1 to 5, text at most
    1,000 characters. One response per trainee and questionnaire; the response keeps no trace of
    who gave it (the receipt says only that they answered)."""
    person_id: int = getattr(actor, "person_id", None) or 0
    on_roster = klass.enrolments.filter(
        person_id=person_id, status=EnrolmentStatus.ENROLLED
    ).exists()
    if not on_roster:
        raise TrainingError(Code.NOT_ENROLLED, _("Only the class's trainees answer."))
    questionnaire = klass.evaluation if kind == QuestionnaireKind.EVALUATION else klass.follow_up
    if questionnaire is None or not due(klass, kind, timezone.localdate()):
        raise TrainingError(Code.NOT_YET, _("This questionnaire is not open now."))
    teachers = class_teachers(klass)
    scores: list[Score] = []
    for item in score_items(questionnaire):
        for teacher in teachers if item["about"] == "teacher" else [None]:
            raw = answers.get(answer_key(item["code"], teacher))
            try:
                value = int(str(raw))
            except (TypeError, ValueError):
                value = 0
            if not 1 <= value <= 5:
                raise TrainingError(
                    Code.ANSWER_MISSING,
                    _("Give a score from 1 to 5 for “%(item)s”.") % {"item": item["text"]},
                    field=answer_key(item["code"], teacher),
                )
            scores.append(Score(item=item["code"], teacher=teacher, score=value))
    comments = {
        i["code"]: str(answers.get(i["code"]) or "").strip()[:MAX_TEXT]
        for i in text_items(questionnaire)
        if str(answers.get(i["code"]) or "").strip()
    }
    try:
        with transaction.atomic():
            ResponseReceipt.objects.create(klass=klass, person_id=person_id, kind=kind)
    except IntegrityError:
        raise TrainingError(
            Code.ALREADY_ANSWERED, _("You have already answered; nothing was changed.")
        ) from None
    response = Response.objects.create(
        klass=klass,
        questionnaire=questionnaire,
        kind=kind,
        submitted_on=timezone.localdate(),
        comments=comments,
    )
    for score in scores:
        score.response = response
    Score.objects.bulk_create(scores)


@transaction.atomic
def review_peer(
    actor: Actor, session: Session, *, content: int, method: int, effect: int, comment: str = ""
) -> PeerReview:
    """A teacher records sitting in on a colleague's session (听课评课): three scores from 1 to
    5 and a comment; not their own session, once per session."""
    reviewer = queries.teacher_of(actor)
    if reviewer is None:
        raise TrainingError(Code.NOT_A_TEACHER, _("Only a teacher records a peer review."))
    provider_node = session.klass.course.provider.node
    if not scope.may(actor, Cap.TEACHING, provider_node):
        raise TrainingError(Code.FORBIDDEN, _("You may not review this session."))
    if session.teacher is None or session.teacher_id == reviewer.pk:
        raise TrainingError(Code.OWN_SESSION, _("Review a colleague's session, not your own."))
    values = {"content": content, "method": method, "effect": effect}
    for name, value in values.items():
        if not isinstance(value, int) or not 1 <= value <= 5:
            raise TrainingError(Code.BAD_INPUT, _("Give each score from 1 to 5."), field=name)
    try:
        with transaction.atomic():
            review = PeerReview.objects.create(
                session=session,
                teacher=session.teacher,
                reviewer=reviewer,
                comment=comment.strip()[:MAX_TEXT],
                created_by=user_of(actor),
                **values,
            )
    except IntegrityError:
        raise TrainingError(
            Code.ALREADY_REVIEWED, _("You have already reviewed this session.")
        ) from None
    record(
        actor,
        AuditEvent.Action.CREATE,
        review,
        changes={"session": session.pk, "teacher": session.teacher_id, **values},
        node_path=provider_node.path,
    )
    return review
