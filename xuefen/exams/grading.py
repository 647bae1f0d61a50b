"""Checking answers and drawing papers (pure: no database).

A choice question scores its points only when exactly the right options are chosen (a multiple
choice with one right option missing or one wrong option added scores nothing); true-or-false
when it agrees; a short answer waits for a person (None)."""

import random
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from xuefen.exams.errors import Code, ExamError
from xuefen.exams.models import QuestionKind

MAX_SHORT_ANSWER = 5000


def normalise(kind: str, options: Sequence[str], response: Any) -> Any:
    """The candidate's answer in its stored form (sorted option indices, a bool, or text);
    None for no answer; ExamError for an answer the question cannot have."""
    if response in (None, "", []):
        return None
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        values = response if isinstance(response, list) else [response]
        try:
            chosen = sorted({int(v) for v in values})
        except (TypeError, ValueError):
            chosen = [-1]
        if any(not 0 <= i < len(options) for i in chosen) or (
            kind == QuestionKind.SINGLE and len(chosen) != 1
        ):
            raise ExamError(
                Code.ANSWER_INVALID, _("The answer is not one of the question's options.")
            )
        return chosen
    if kind == QuestionKind.TRUE_FALSE:
        if response in (True, "true", "1", 1):
            return True
        if response in (False, "false", "0", 0):
            return False
        raise ExamError(Code.ANSWER_INVALID, _("The answer must be true or false."))
    text = str(response).strip()
    if len(text) > MAX_SHORT_ANSWER:
        raise ExamError(
            Code.ANSWER_INVALID,
            _("The answer is longer than %(max)s characters.") % {"max": MAX_SHORT_ANSWER},
        )
    return text or None


def auto_points(kind: str, answer: Any, response: Any, points: Decimal) -> Decimal | None:
    """The points a stored response earns; None for a short answer (a grader decides)."""
    if kind == QuestionKind.SHORT:
        return None
    if response is None:
        return Decimal(0)
    if kind == QuestionKind.TRUE_FALSE:
        return points if bool(answer) is response else Decimal(0)
    right = sorted(int(i) for i in (answer if isinstance(answer, list) else [answer]))
    return points if response == right else Decimal(0)


@dataclass(frozen=True)
class Rule:
    subject: str
    kind: str
    count: int
    points: Decimal


def parse_rules(data: Any) -> list[Rule]:
    """A paper's drawing rules, each checked."""
    rules = []
    for i, row in enumerate(data or [], start=1):
        try:
            rule = Rule(
                subject=str(row["subject"]).strip(),
                kind=str(row["kind"]),
                count=int(row["count"]),
                points=Decimal(str(row["points"])),
            )
        except (KeyError, TypeError, ValueError, ArithmeticError):
            rule = Rule("", "", 0, Decimal(0))
        if (
            not rule.subject
            or rule.kind not in QuestionKind.values
            or rule.count < 1
            or (rule.points <= 0)
        ):
            raise ExamError(
                Code.QUESTION_INVALID,
                _("Drawing rule %(n)s needs a subject, a question type, a count and points.")
                % {"n": i},
                field="rules",
            )
        rules.append(rule)
    return rules


def draw(
    rules: Sequence[Rule], pool: dict[tuple[str, str], list[int]], rng: random.Random
) -> list[tuple[int, Decimal]]:
    """Question ids and points drawn by the rules from the pool of active questions (by subject
    and type); ExamError naming the rule the bank cannot fill."""
    drawn: list[tuple[int, Decimal]] = []
    for rule in rules:
        ids = pool.get((rule.subject, rule.kind), [])
        if len(ids) < rule.count:
            raise ExamError(
                Code.NOT_ENOUGH_QUESTIONS,
                _("The bank has %(have)s questions of subject %(subject)s of this type; the "
                  "paper draws %(count)s.")
                % {"have": len(ids), "subject": rule.subject, "count": rule.count},
            )  # fmt: skip
        drawn += [(qid, rule.points) for qid in rng.sample(sorted(ids), rule.count)]
    return drawn
