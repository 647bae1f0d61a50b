"""URL cases for the project-wide scoping test: an exam session of the credit office of region R
with person A of unit A as a candidate (registered photo, a pending check-in, an open attempt)."""

from tests.exams import helpers as h
from xuefen.exams import actions, codes
from xuefen.exams.models import Candidate, CheckIn, Exam


def _exam(cast):
    return Exam.objects.filter(name="甲单位考试").first() or h.exam(cast, name="甲单位考试")


def _candidate(cast):
    exam = _exam(cast)
    found = Candidate.objects.filter(exam=exam, person=cast.person_a).first()
    if found is None:
        (found,) = actions.register_candidates(cast.carol, exam, [cast.person_a])
        actions.register_photo(cast.carol, cast.person_a, h.face(), exam.node)
    return found


def _checkin(cast):
    candidate = _candidate(cast)
    return CheckIn.objects.filter(candidate=candidate).first() or actions.check_in(
        candidate, codes.code_for(candidate.pk, candidate.exam_id), h.face()
    )


def _attempt(cast):
    candidate = _candidate(cast)
    if candidate.admitted_at is None:
        actions.decide_checkin(cast.carol, _checkin(cast), True)
    return actions.start_attempt(Candidate.objects.get(pk=candidate.pk))


def _question_id(cast):
    return {"question_id": _exam(cast).paper.items.first().question_id}


def _exam_id(cast):
    return {"exam_id": _exam(cast).pk}


def _candidate_id(cast):
    return {"candidate_id": _candidate(cast).pk}


def _attempt_id(cast):
    return {"attempt_id": _attempt(cast).pk}


CASES = {
    "exams:mine": lambda cast: None,
    "exams:checkin": _candidate_id,
    "exams:status": _candidate_id,
    "exams:start": _candidate_id,
    "exams:take": _attempt_id,
    "exams:save": _attempt_id,
    "exams:submit": _attempt_id,
    "exams:result": _attempt_id,
    "exams:certificate": _attempt_id,
    "exams:certificate_pdf": _attempt_id,
    "exams:exams": lambda cast: None,
    "exams:exam_new": lambda cast: None,
    "exams:exam_detail": _exam_id,
    "exams:register": _exam_id,
    "exams:proctor": _exam_id,
    "exams:grading": _exam_id,
    "exams:photo": _candidate_id,
    "exams:unlock": _candidate_id,
    "exams:checkin_photo": lambda cast: {"checkin_id": _checkin(cast).pk},
    "exams:decide": lambda cast: {"checkin_id": _checkin(cast).pk},
    "exams:questions": lambda cast: None,
    "exams:question_import": lambda cast: None,
    "exams:question_edit": lambda cast: {
        "question_id": _exam(cast).paper.items.first().question_id
    },
    "exams:papers": lambda cast: None,
    "exams:paper_new": lambda cast: None,
    "exams:paper": lambda cast: {"paper_id": _exam(cast).paper_id},
    "exams:paper_edit": lambda cast: {"paper_id": _exam(cast).paper_id},
}

PUBLIC = {
    "exams:verify": (
        "the public check of an exam certificate by its code: shows only what the certificate "
        "shows, the ID number masked"
    ),
}
