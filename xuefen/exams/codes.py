"""A candidate's one-time code: six digits derived from the candidate with the site's secret key
(so nothing secret is stored and the office can print the seat list again), spent when the proctor
admits the candidate."""

import hmac

from django.utils.crypto import salted_hmac

SALT = "xuefen.exams.candidate-code"
LENGTH = 6


def code_for(candidate_id: int, exam_id: int) -> str:
    digest = salted_hmac(SALT, f"{exam_id}:{candidate_id}", algorithm="sha256").hexdigest()
    return f"{int(digest[:12], 16) % 1_000_000:06d}"


def digits(given: str) -> str:
    return "".join(ch for ch in (given or "") if ch.isdigit())


def well_formed(given: str) -> bool:
    """Six digits: a guess at a code, counted when wrong."""
    return len(digits(given)) == LENGTH


def matches(candidate_id: int, exam_id: int, given: str) -> bool:
    given = digits(given)
    return hmac.compare_digest(given, code_for(candidate_id, exam_id))
