"""Scoped reads of the exams app, built only from `accounts.scope`. What a user may not see is a
404, the same as what does not exist.

- The credit office runs exams (credits.approve on the exam's organising node): the bank, papers,
  sessions, candidates, proctoring and grading.
- Who may read credits on the organising node (an auditor) reads sessions and results.
- Within a session, candidates are shown only where the reader may see the person.
- A learner sees their own candidacies and attempts only."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from xuefen.accounts import scope
from xuefen.accounts.roles import Cap
from xuefen.exams.models import Attempt, Candidate, CheckIn, Exam, Paper, Question

MANAGE = Cap.CREDITS_APPROVE
VIEW = Cap.CREDITS_VIEW


def _get(queryset: QuerySet[Any], pk: Any) -> Any:
    try:
        return queryset.get(pk=int(pk))
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def may_manage(user: Any) -> bool:
    return bool(scope.paths_with(user, MANAGE))


def exams(user: Any, capability: str = VIEW) -> QuerySet[Exam]:
    return scope.filter_by_node(user, Exam.objects.all(), capability).select_related(
        "node", "paper", "make_up_of"
    )


def access_exam(user: Any, exam_id: Any, capability: str = VIEW) -> Exam:
    return _get(exams(user, capability), exam_id)


def questions(user: Any) -> QuerySet[Question]:
    return scope.filter_by_node(user, Question.objects.all(), MANAGE)


def papers(user: Any) -> QuerySet[Paper]:
    return scope.filter_by_node(user, Paper.objects.all(), MANAGE)


def access_question(user: Any, question_id: Any) -> Question:
    return _get(questions(user).select_related("node"), question_id)


def access_paper(user: Any, paper_id: Any) -> Paper:
    return _get(papers(user).select_related("node"), paper_id)


def candidates(user: Any, exam: Exam) -> QuerySet[Candidate]:
    """The session's candidates whose person the reader may see."""
    return scope.filter_by_person(user, exam.candidates.all(), VIEW).select_related(
        "person__unit", "attempt"
    )


def access_candidate(user: Any, candidate_id: Any, capability: str = MANAGE) -> Candidate:
    """A candidate of a session the user runs (capability on its node) and may see."""
    found = scope.filter_by_node(user, Candidate.objects.all(), capability, prefix="exam__node__")
    found = scope.filter_by_person(user, found, VIEW)
    return _get(found.select_related("exam__paper", "person__unit"), candidate_id)


def access_checkin(user: Any, checkin_id: Any) -> CheckIn:
    found = scope.filter_by_node(
        user, CheckIn.objects.all(), MANAGE, prefix="candidate__exam__node__"
    )
    found = found.filter(candidate__person__in=scope.people(user, VIEW))
    return _get(found.select_related("candidate__exam", "candidate__person"), checkin_id)


# ------------------------------------------------------------------------------------ learners


def my_candidacies(user: Any) -> QuerySet[Candidate]:
    person_id = getattr(user, "person_id", None)
    if person_id is None:
        return Candidate.objects.none()
    return (
        Candidate.objects.filter(person_id=person_id)
        .select_related("exam__paper", "attempt")
        .order_by("-exam__starts_at")
    )


def my_candidacy(user: Any, candidate_id: Any) -> Candidate:
    return _get(my_candidacies(user), candidate_id)


def my_attempt(user: Any, attempt_id: Any) -> Attempt:
    person_id = getattr(user, "person_id", None)
    if person_id is None:
        raise Http404
    return _get(
        Attempt.objects.filter(person_id=person_id).select_related("candidate__exam"), attempt_id
    )


def readable_attempt(user: Any, attempt_id: Any) -> Attempt:
    """An attempt its candidate or a reader of the session's results may see."""
    person_id = getattr(user, "person_id", None)
    found = Attempt.objects.select_related("candidate__exam", "person__unit", "entry")
    mine = found.filter(person_id=person_id) if person_id is not None else found.none()
    staff = scope.filter_by_person(
        user, scope.filter_by_node(user, found, VIEW, prefix="candidate__exam__node__"), VIEW
    )
    return _get(mine | staff, attempt_id)


def may_view(user: Any) -> bool:
    """Reads exam sessions and results: who reads credits and the audit trail (an auditor)."""
    return bool(scope.paths_with(user, VIEW)) and bool(scope.paths_with(user, Cap.AUDIT_VIEW))
