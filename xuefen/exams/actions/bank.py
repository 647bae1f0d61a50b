"""The question bank and papers."""

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from xuefen.audit.models import AuditEvent
from xuefen.core.actors import Actor, user_of
from xuefen.exams.actions.common import audit, require_manage
from xuefen.exams.errors import Code, ExamError
from xuefen.exams.grading import parse_rules
from xuefen.exams.models import Paper, PaperMode, PaperQuestion, Question, QuestionKind
from xuefen.orgs.models import OrgNode


def _check_question(kind: str, options: list[str], answer: Any) -> Any:
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        if len(options) < 2:
            raise ExamError(
                Code.QUESTION_INVALID, _("A choice question needs at least two options."),
                field="options",
            )  # fmt: skip
        right = answer if isinstance(answer, list) else [answer]
        try:
            indices = sorted({int(i) for i in right})
        except (TypeError, ValueError):
            indices = []
        if (
            not indices
            or any(not 0 <= i < len(options) for i in indices)
            or (kind == QuestionKind.SINGLE and len(indices) != 1)
        ):
            raise ExamError(
                Code.QUESTION_INVALID,
                _("The right answer must name the question's options (one for a single choice)."),
                field="answer",
            )
        return indices
    if kind == QuestionKind.TRUE_FALSE:
        return bool(answer)
    if kind == QuestionKind.SHORT:
        return str(answer or "")
    raise ExamError(Code.QUESTION_INVALID, _("Unknown question type."), field="kind")


@transaction.atomic
def add_question(
    actor: Actor,
    node: OrgNode,
    *,
    subject: str,
    kind: str,
    text: str,
    options: Sequence[str] = (),
    answer: Any = None,
    points: Decimal | int | str = 1,
) -> Question:
    """Adds a question to the bank of the office on `node`."""
    require_manage(actor, node)
    options = [o.strip() for o in options if o and o.strip()]
    if kind in (QuestionKind.TRUE_FALSE, QuestionKind.SHORT):
        options = []
    if not subject.strip() or not text.strip():
        raise ExamError(
            Code.QUESTION_INVALID, _("A question needs a subject and a text."), field="text"
        )
    try:
        value = Decimal(str(points))
    except (InvalidOperation, ValueError):
        value = Decimal(0)
    if not value.is_finite() or value <= 0 or value > 100:
        raise ExamError(
            Code.QUESTION_INVALID, _("Points must be above 0 and at most 100."), field="points"
        )
    question = Question.objects.create(
        node=node,
        subject=subject.strip(),
        kind=kind,
        text=text.strip(),
        options=options,
        answer=_check_question(kind, options, answer),
        points=value,
        created_by=user_of(actor),
    )
    audit(actor, AuditEvent.Action.CREATE, question, node, {"subject": question.subject})
    return question


@transaction.atomic
def make_paper(
    actor: Actor,
    node: OrgNode,
    name: str,
    *,
    questions: Sequence[Question] = (),
    rules: Sequence[dict[str, Any]] = (),
) -> Paper:
    """A fixed paper of the given questions (each with its own points), or, with rules, a paper
    drawn per candidate."""
    require_manage(actor, node)
    if rules:
        parse_rules(rules)
        paper = Paper.objects.create(
            node=node, name=name, mode=PaperMode.DRAWN, rules=[dict(r) for r in rules]
        )
    else:
        if not questions:
            raise ExamError(
                Code.QUESTION_INVALID, _("A fixed paper needs questions."), field="questions"
            )
        paper = Paper.objects.create(node=node, name=name, mode=PaperMode.FIXED)
        PaperQuestion.objects.bulk_create(
            PaperQuestion(paper=paper, question=q, position=i, points=q.points)
            for i, q in enumerate(questions, start=1)
        )
    audit(actor, AuditEvent.Action.CREATE, paper, node, {"name": name})
    return paper
