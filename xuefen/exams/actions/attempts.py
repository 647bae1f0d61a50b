"""Sitting the paper: starting an attempt (one open attempt per person), autosaving answers (each
submission logged with its address and device), the server's clock (a lost connection resumes with
the time it had left), submitting, grading short answers, and the credit of a pass — posted once
through the ledger's one writer, keyed on (person, "exam", "<exam>:<person>"), where a make-up
exam keys on the exam it makes up for."""

import datetime as dt
import random
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xuefen.audit.models import AuditEvent
from xuefen.core.actors import SYSTEM, Actor, is_system, user_of
from xuefen.exams import credit, grading
from xuefen.exams.actions.bank import question_pool
from xuefen.exams.actions.common import audit, require_manage
from xuefen.exams.errors import Code, ExamError
from xuefen.exams.models import (
    Answer,
    AnswerLog,
    Attempt,
    AttemptStatus,
    Candidate,
    PaperMode,
    Question,
    QuestionKind,
)
from xuefen.ledger.bulk import NewEntry, post_entries
from xuefen.policy.services import RuleSetIndex

EXAM_SOURCE = "exam"
LEDGER_LANGUAGE = "zh-hans"
MAX_DEVICE = 300


def _paper_for(candidate: Candidate) -> list[dict[str, str]]:
    """The paper as this candidate sits it: a fixed paper's questions, or questions drawn by the
    paper's rules (seeded by the candidate: the same draw if asked again)."""
    paper = candidate.exam.paper
    if paper.mode == PaperMode.FIXED:
        return [
            {"id": str(item.question_id), "points": str(item.points)}
            for item in paper.items.order_by("position")
        ]
    pool = question_pool(paper.node)
    drawn = grading.draw(grading.parse_rules(paper.rules), pool, random.Random(candidate.pk))
    return [{"id": str(qid), "points": str(points)} for qid, points in drawn]


@transaction.atomic
def start_attempt(candidate: Candidate, *, now: dt.datetime | None = None) -> Attempt:
    """Opens the paper for an admitted candidate while the exam is open; the candidate's own open
    attempt is resumed. Refused: not admitted by the proctor, exam not open, already sat, or
    another attempt of the same person open (a second exam, a second device's session)."""
    now = now or timezone.now()
    candidate = (
        Candidate.objects.select_for_update(of=("self",))
        .select_related("exam__paper__node")
        .get(pk=candidate.pk)
    )
    existing = Attempt.objects.filter(candidate=candidate).first()
    if existing is not None:
        if existing.status == AttemptStatus.OPEN:
            return existing
        raise ExamError(Code.ALREADY_TAKEN, gettext_lazy("You have already sat this exam."))
    if candidate.admitted_at is None:
        raise ExamError(
            Code.NOT_ADMITTED,
            gettext_lazy("The proctor has not confirmed your check-in yet."),
        )
    if not candidate.exam.is_open(now):
        raise ExamError(Code.NOT_OPEN, gettext_lazy("The exam is not open now."))
    if Attempt.objects.filter(person_id=candidate.person_id, status=AttemptStatus.OPEN).exists():
        raise _other_open()
    try:
        with transaction.atomic():
            attempt = Attempt.objects.create(
                candidate=candidate,
                person_id=candidate.person_id,
                questions=_paper_for(candidate),
                limit_seconds=candidate.exam.duration_minutes * 60,
                started_at=now,
                last_seen_at=now,
            )
    except IntegrityError:  # a second attempt opened at the same moment elsewhere
        raise _other_open() from None
    return attempt


def _other_open() -> ExamError:
    return ExamError(
        Code.OTHER_ATTEMPT_OPEN,
        gettext_lazy("You have another exam attempt open: finish it before starting this one."),
    )


def remaining_seconds(attempt: Attempt, now: dt.datetime) -> int:
    """Time left: the limit less the time used, and never past the exam's close."""
    closes = (attempt.candidate.exam.ends_at - now).total_seconds()
    return max(0, int(min(attempt.limit_seconds - attempt.used_seconds, closes)))


def _lock(attempt: Attempt) -> Attempt:
    return (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("candidate__exam__node", "person__unit")
        .get(pk=attempt.pk)
    )


def _tick(attempt: Attempt, now: dt.datetime) -> None:
    """Counts the time since the attempt's page was last heard from: all of it up to the resume
    grace, no more (beyond it the connection was lost and the clock stood still)."""
    gap = max(0.0, (now - attempt.last_seen_at).total_seconds())
    attempt.used_seconds = min(
        attempt.limit_seconds,
        attempt.used_seconds + int(min(gap, settings.EXAMS_RESUME_GRACE_SECONDS)),
    )
    attempt.last_seen_at = max(now, attempt.last_seen_at)
    attempt.save(update_fields=["used_seconds", "last_seen_at"])


@transaction.atomic
def touch(attempt: Attempt, *, now: dt.datetime | None = None) -> tuple[Attempt, int]:
    """The attempt's page is there (opened, resumed or its heartbeat): the clock moves; an attempt
    out of time is submitted. Returns the attempt and its seconds left."""
    now = now or timezone.now()
    attempt = _lock(attempt)
    if attempt.status != AttemptStatus.OPEN:
        return attempt, 0
    _tick(attempt, now)
    left = remaining_seconds(attempt, now)
    if left <= 0:
        _finish(SYSTEM, attempt, now)
    return attempt, left


def save_answer(
    attempt: Attempt,
    question_id: Any,
    response: Any,
    *,
    address: str | None = None,
    device: str = "",
    now: dt.datetime | None = None,
) -> int:
    """Autosaves one answer (the latest counts) and logs the submission with its address and
    device. Refused once the time is up (the attempt is then handed in, and stays so). Returns the
    seconds left."""
    now = now or timezone.now()
    with transaction.atomic():
        attempt = _lock(attempt)
        left = 0
        if attempt.status == AttemptStatus.OPEN:
            _tick(attempt, now)
            left = remaining_seconds(attempt, now)
            if left <= 0:
                _finish(SYSTEM, attempt, now)
        if left > 0:
            _store(attempt, question_id, response, address, device, now)
    if left <= 0:  # raised after the commit: the hand-in is kept
        raise _time_up()
    return left


def _store(
    attempt: Attempt,
    question_id: Any,
    response: Any,
    address: str | None,
    device: str,
    now: dt.datetime,
) -> None:
    ids = {item["id"] for item in attempt.questions}
    if str(question_id) not in ids:
        raise ExamError(Code.NOT_IN_PAPER, gettext_lazy("The question is not on your paper."))
    question = Question.objects.get(pk=int(question_id))
    value = grading.normalise(question.kind, question.options, response)
    Answer.objects.update_or_create(
        attempt=attempt, question=question, defaults={"response": value, "saved_at": now}
    )
    AnswerLog.objects.create(
        attempt=attempt,
        question=question,
        response=value,
        at=now,
        address=address,
        device=device[:MAX_DEVICE],
    )


def _time_up() -> ExamError:
    return ExamError(Code.TIME_UP, gettext_lazy("The time is up: the paper has been handed in."))


@transaction.atomic
def submit_attempt(actor: Actor, attempt: Attempt, *, now: dt.datetime | None = None) -> Attempt:
    """Hands the paper in: choice and true-or-false questions are graded at once; with no short
    answer to grade the result is final and a pass is credited. Handing in again changes
    nothing."""
    now = now or timezone.now()
    attempt = _lock(attempt)
    if attempt.status != AttemptStatus.OPEN:
        return attempt
    _tick(attempt, now)
    _finish(actor, attempt, now)
    return attempt


def _finish(actor: Actor, attempt: Attempt, now: dt.datetime) -> None:
    points = {int(item["id"]): Decimal(item["points"]) for item in attempt.questions}
    questions = Question.objects.in_bulk(list(points))
    answers = {a.question_id: a for a in attempt.answers.all()}
    for qid, worth in points.items():
        question = questions[qid]
        answer = answers.get(qid)
        if answer is None:
            answer = Answer(attempt=attempt, question=question, response=None, saved_at=now)
        earned = grading.auto_points(question.kind, question.answer, answer.response, worth)
        if question.kind == QuestionKind.SHORT and answer.response is None:
            earned = Decimal(0)  # nothing to grade
        answer.points = earned
        answer.save()
    attempt.status = AttemptStatus.SUBMITTED
    attempt.submitted_at = now
    attempt.save(update_fields=["status", "submitted_at"])
    exam = attempt.candidate.exam
    audit(
        actor,
        AuditEvent.Action.SUBMIT,
        attempt,
        exam.node,
        {"exam": exam.name, "used_seconds": attempt.used_seconds},
        person_id=attempt.person_id,
        node_path=attempt.person.unit.path,
    )
    if not attempt.answers.filter(points__isnull=True).exists():
        _conclude(actor, attempt)


def _conclude(actor: Actor, attempt: Attempt) -> None:
    exam = attempt.candidate.exam
    total = sum((a.points or Decimal(0) for a in attempt.answers.all()), Decimal(0))
    attempt.score = total
    attempt.passed = total >= exam.pass_mark
    attempt.status = AttemptStatus.GRADED
    attempt.save(update_fields=["score", "passed", "status"])
    if attempt.passed:
        # A candidate never posts their own credit: an auto-graded pass is the system's entry, a
        # hand-graded one the grader's.
        poster: Actor = (
            SYSTEM
            if is_system(actor) or getattr(actor, "person_id", None) == attempt.person_id
            else actor
        )
        _credit(poster, attempt)


def _credit(actor: Actor, attempt: Attempt) -> None:
    exam = attempt.candidate.exam
    root = exam.root
    person = attempt.person
    day = timezone.localdate(attempt.submitted_at or timezone.now())
    path, category = person.unit.path, person.category
    index = RuleSetIndex.for_paths([path])
    rules = index.rules(path, category, index.period_of(path, category, day))
    earned = credit.for_pass(
        exam.credit_kind,
        exam.credit_amount,
        exam.credit_unit,
        tuple(exam.credit_categories),
        rules,
    )
    if earned is None:
        attempt.credit_note = _("The exam carries no credit.")
        attempt.save(update_fields=["credit_note"])
        return
    with translation.override(LEDGER_LANGUAGE):
        description = _("Exam passed: %(name)s") % {"name": exam.name}
    result = post_entries(
        actor,
        [
            NewEntry(
                person_id=person.pk,
                last_day=day,
                categories=earned.categories,
                amount=earned.amount,
                unit=earned.unit,
                source_type=EXAM_SOURCE,
                source_id=f"{root.pk}:{person.pk}",
                kind=earned.kind,
                description=description[:300],
                evidence=f"exam:{exam.pk}",
            )
        ],
        note=f"exam {exam.pk}",
    )
    entry_id = result.posted.get(0) or result.duplicates.get(0)
    if entry_id is not None:
        attempt.entry_id = entry_id
        attempt.credit_note = ""
    else:
        attempt.credit_note = str(result.errors[0].message)[:300]
    attempt.save(update_fields=["entry", "credit_note"])


@transaction.atomic
def grade_answer(actor: Actor, answer: Answer, points: Any) -> Answer:
    """A grader's points for a short answer of a handed-in paper (0 to the question's points on
    the paper). When the last short answer is graded the result is final and a pass credited."""
    answer = Answer.objects.select_related("question").get(pk=answer.pk)
    attempt = _lock(answer.attempt)
    exam = attempt.candidate.exam
    require_manage(actor, exam.node)
    if answer.question.kind != QuestionKind.SHORT:
        raise ExamError(
            Code.NOT_SHORT_ANSWER, gettext_lazy("Only short answers are graded by hand.")
        )
    if attempt.status != AttemptStatus.SUBMITTED:
        raise ExamError(
            Code.ALREADY_DECIDED, gettext_lazy("This paper is not waiting for grading.")
        )
    worth = next(
        Decimal(i["points"]) for i in attempt.questions if int(i["id"]) == answer.question_id
    )
    try:
        value = Decimal(str(points))
    except (InvalidOperation, ValueError):
        value = Decimal(-1)
    if not value.is_finite() or not 0 <= value <= worth:
        raise ExamError(
            Code.POINTS_INVALID,
            gettext_lazy("Points must be between 0 and %(max)s.") % {"max": worth},
            field="points",
        )
    answer.points = value
    answer.graded_by = user_of(actor)
    answer.graded_at = timezone.now()
    answer.save(update_fields=["points", "graded_by", "graded_at"])
    audit(
        actor,
        AuditEvent.Action.UPDATE,
        answer,
        exam.node,
        {"points": str(value)},
        person_id=attempt.person_id,
        node_path=attempt.person.unit.path,
    )
    if not attempt.answers.filter(points__isnull=True).exists():
        _conclude(actor, attempt)
    return answer
