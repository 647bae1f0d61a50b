"""The question bank and papers."""

import random
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from xuefen.audit.models import AuditEvent
from xuefen.core.actors import Actor, user_of
from xuefen.exams.actions.common import audit, require_manage
from xuefen.exams.errors import Code, ExamError
from xuefen.exams.grading import draw, parse_rules
from xuefen.exams.models import (
    Answer,
    Attempt,
    AttemptStatus,
    Paper,
    PaperMode,
    PaperQuestion,
    Question,
    QuestionKind,
)
from xuefen.orgs.models import OrgNode

SUBJECT_LENGTH = 60


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


def question_fields(
    *,
    subject: str,
    kind: str,
    text: str,
    options: Sequence[str] = (),
    answer: Any = None,
    points: Decimal | int | str = 1,
) -> dict[str, Any]:
    """A question's fields as stored, each checked (ExamError naming the field)."""
    options = [o.strip() for o in options if o and o.strip()]
    if kind in (QuestionKind.TRUE_FALSE, QuestionKind.SHORT):
        options = []
    if not subject.strip() or not text.strip():
        raise ExamError(
            Code.QUESTION_INVALID, _("A question needs a subject and a text."), field="text"
        )
    if len(subject.strip()) > SUBJECT_LENGTH:
        raise ExamError(
            Code.QUESTION_INVALID,
            _("A subject has at most %(max)s characters.") % {"max": SUBJECT_LENGTH},
            field="subject",
        )
    try:
        value = Decimal(str(points))
    except (InvalidOperation, ValueError):
        value = Decimal(0)
    if not value.is_finite() or value <= 0 or value > 100:
        raise ExamError(
            Code.QUESTION_INVALID, _("Points must be above 0 and at most 100."), field="points"
        )
    return {
        "subject": subject.strip(),
        "kind": kind,
        "text": text.strip(),
        "options": options,
        "answer": _check_question(kind, options, answer),
        "points": value.quantize(Decimal("0.01")),
    }


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
    fields = question_fields(
        subject=subject, kind=kind, text=text, options=options, answer=answer, points=points
    )
    question = Question.objects.create(node=node, created_by=user_of(actor), **fields)
    audit(actor, AuditEvent.Action.CREATE, question, node, {"subject": question.subject})
    return question


def question_in_use(question: Question) -> bool:
    """Whether candidates have sat (or are sitting) the question: answered, on a paper of an exam
    session, or drawn into an open attempt."""
    if Answer.objects.filter(question=question).exists():
        return True
    if PaperQuestion.objects.filter(question=question, paper__exams__isnull=False).exists():
        return True
    open_papers = Attempt.objects.filter(status=AttemptStatus.OPEN).values_list(
        "questions", flat=True
    )
    return any(
        str(item.get("id")) == str(question.pk) for drawn in open_papers for item in drawn or []
    )


@transaction.atomic
def edit_question(
    actor: Actor,
    question: Question,
    *,
    subject: str,
    kind: str,
    text: str,
    options: Sequence[str] = (),
    answer: Any = None,
    points: Decimal | int | str = 1,
) -> Question:
    """Changes a question of the bank. A question candidates have sat is not changed: the change
    becomes a new question (the old one leaves the bank, inactive, as the record of what was
    sat), and papers no session has used yet take the new one. Returns the question as it now
    stands."""
    question = Question.objects.select_for_update().select_related("node").get(pk=question.pk)
    require_manage(actor, question.node)
    fields = question_fields(
        subject=subject, kind=kind, text=text, options=options, answer=answer, points=points
    )
    if not question_in_use(question):
        for name, value in fields.items():
            setattr(question, name, value)
        question.save(update_fields=list(fields))
        audit(
            actor, AuditEvent.Action.UPDATE, question, question.node, {"subject": question.subject}
        )
        return question
    new = Question.objects.create(node=question.node, created_by=user_of(actor), **fields)
    question.active = False
    question.save(update_fields=["active"])
    PaperQuestion.objects.filter(question=question, paper__exams__isnull=True).update(question=new)
    audit(
        actor,
        AuditEvent.Action.UPDATE,
        new,
        question.node,
        {"subject": new.subject, "replaces": question.pk},
    )
    return new


def _stored_rules(rules: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"subject": r.subject, "kind": r.kind, "count": r.count, "points": str(r.points)}
        for r in parse_rules(rules)
    ]


def _paper_items(questions: Sequence[Question]) -> list[Question]:
    if not questions:
        raise ExamError(
            Code.QUESTION_INVALID, _("A fixed paper needs questions."), field="questions"
        )
    return list(dict.fromkeys(questions))


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
        paper = Paper.objects.create(
            node=node, name=name, mode=PaperMode.DRAWN, rules=_stored_rules(rules)
        )
    else:
        items = _paper_items(questions)
        paper = Paper.objects.create(node=node, name=name, mode=PaperMode.FIXED)
        PaperQuestion.objects.bulk_create(
            PaperQuestion(paper=paper, question=q, position=i, points=q.points)
            for i, q in enumerate(items, start=1)
        )
    audit(actor, AuditEvent.Action.CREATE, paper, node, {"name": name})
    return paper


@transaction.atomic
def edit_paper(
    actor: Actor,
    paper: Paper,
    name: str,
    *,
    questions: Sequence[Question] = (),
    rules: Sequence[dict[str, Any]] = (),
) -> Paper:
    """Changes a paper (its name, and its questions or drawing rules). A paper an exam session
    uses is not changed — that would change what its candidates sat or sit — but copied with the
    changes; the copy is returned, and the sessions keep the paper they had."""
    paper = Paper.objects.select_for_update().select_related("node").get(pk=paper.pk)
    require_manage(actor, paper.node)
    if not name.strip():
        raise ExamError(Code.QUESTION_INVALID, _("A paper needs a name."), field="name")
    if paper.exams.exists():
        copy = make_paper(actor, paper.node, name.strip(), questions=questions, rules=rules)
        audit(actor, AuditEvent.Action.CREATE, copy, paper.node, {"copy_of": paper.pk})
        return copy
    if rules:
        paper.mode = PaperMode.DRAWN
        paper.rules = _stored_rules(rules)
        paper.items.all().delete()
    else:
        items = _paper_items(questions)
        paper.mode = PaperMode.FIXED
        paper.rules = []
        paper.items.all().delete()
        PaperQuestion.objects.bulk_create(
            PaperQuestion(paper=paper, question=q, position=i, points=q.points)
            for i, q in enumerate(items, start=1)
        )
    paper.name = name.strip()
    paper.save(update_fields=["name", "mode", "rules"])
    audit(actor, AuditEvent.Action.UPDATE, paper, paper.node, {"name": paper.name})
    return paper


def question_pool(node: OrgNode) -> dict[tuple[str, str], list[int]]:
    """The active questions of the office's bank by subject and type: what a drawn paper draws
    from."""
    pool: dict[tuple[str, str], list[int]] = defaultdict(list)
    for qid, subject, kind in Question.objects.filter(node=node, active=True).values_list(
        "id", "subject", "kind"
    ):
        pool[(subject, kind)].append(qid)
    return pool


def preview_paper(paper: Paper, seed: int = 0) -> list[tuple[Question, Decimal]]:
    """The paper as a candidate would see it: a fixed paper's questions, or one draw by the
    rules (ExamError when the bank cannot fill a rule)."""
    if paper.mode == PaperMode.FIXED:
        return [(item.question, item.points) for item in paper.items.select_related("question")]
    drawn = draw(parse_rules(paper.rules), question_pool(paper.node), random.Random(seed))
    found = Question.objects.in_bulk([qid for qid, _points in drawn])
    return [(found[qid], points) for qid, points in drawn]
