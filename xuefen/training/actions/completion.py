"""Completing a class: each learner on its roster is judged by the class's completion rule, and
the credit of everyone who completed — and the teaching credit of its teachers who are people of
the county — goes into the ledger at once, through the one writer, in the same transaction.

Idempotent: the ledger keys each credit on (person, "class", "<class id>:<person id>") (teachers:
"teaching", "<class id>:<teacher id>"), and a completed class cannot be completed again."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xuefen.audit.models import AuditEvent
from xuefen.closing.guard import post_open_entries
from xuefen.core.actors import Actor
from xuefen.ledger.bulk import NewEntry
from xuefen.orgs.models import Person
from xuefen.policy.services import RuleSetIndex
from xuefen.training import credit, progress
from xuefen.training.actions.classes import record_step
from xuefen.training.actions.common import audit_class, lock, require_manage
from xuefen.training.errors import Code, TrainingError
from xuefen.training.models import Enrolment, Result, Session, Teacher, TrainingClass
from xuefen.training.rules import Reason
from xuefen.training.workflow import Step, transition

if TYPE_CHECKING:
    pass

CLASS_SOURCE = "class"
TEACHING_SOURCE = "teaching"
LEDGER_LANGUAGE = "zh-hans"


@dataclass(frozen=True)
class Completion:
    passed: int
    failed: int
    credited: int
    not_credited: int
    teachers_credited: int


def facts_of(klass: TrainingClass) -> credit.ClassFacts:
    sessions = list(klass.sessions.all())
    assert klass.first_day is not None and klass.last_day is not None
    days = klass.credited_days or Decimal(1)
    return credit.ClassFacts(
        kind=klass.course.kind,
        categories=tuple(klass.course.categories),
        amount=klass.course.amount,
        unit=klass.course.unit,
        full_time=klass.full_time,
        first_day=klass.first_day,
        last_day=klass.last_day,
        days=days,
        hours=klass.hours,
        minutes=sum(s.minutes for s in sessions),
    )


def _learner_items(
    klass: TrainingClass, facts: credit.ClassFacts, people: list[Person], index: RuleSetIndex
) -> list[NewEntry]:
    with translation.override(LEDGER_LANGUAGE):
        description = _("Class %(name)s (%(code)s)") % {"name": klass.name, "code": klass.code}
    items = []
    for person in people:
        path, category = person.unit.path, person.category
        rules = index.rules(path, category, index.period_of(path, category, facts.last_day))
        earned = credit.for_learner(facts, rules)
        items.append(
            NewEntry(
                person_id=person.pk,
                first_day=facts.first_day,
                last_day=facts.last_day,
                days=earned.days,
                categories=earned.categories,
                amount=earned.amount,
                unit=earned.unit,
                source_type=CLASS_SOURCE,
                source_id=f"{klass.pk}:{person.pk}",
                kind=earned.kind,
                description=description[:300],
                evidence=f"class:{klass.code}",
            )
        )
    return items


def _teacher_items(
    klass: TrainingClass, sessions: list[Session], index: RuleSetIndex
) -> list[NewEntry]:
    taught: dict[int, list[Session]] = defaultdict(list)
    for session in sessions:
        if session.teacher is not None and session.teacher.person_id is not None:
            taught[session.teacher.pk].append(session)
    items = []
    with translation.override(LEDGER_LANGUAGE):
        description = _("Teaching in class %(name)s (%(code)s)") % {
            "name": klass.name,
            "code": klass.code,
        }
    for mine in taught.values():
        teacher: Teacher = mine[0].teacher  # type: ignore[assignment]
        person = teacher.person
        assert person is not None
        first, last = min(s.date for s in mine), max(s.date for s in mine)
        path, category = person.unit.path, person.category
        rules = index.rules(path, category, index.period_of(path, category, last))
        earned = credit.for_teacher(sum((s.hours for s in mine), Decimal(0)), rules)
        if earned is None:
            continue
        items.append(
            NewEntry(
                person_id=person.pk,
                first_day=first,
                last_day=last,
                categories=earned.categories,
                amount=earned.amount,
                unit=earned.unit,
                source_type=TEACHING_SOURCE,
                source_id=f"{klass.pk}:{teacher.pk}",
                kind=earned.kind,
                description=description[:300],
                evidence=f"class:{klass.code}",
            )
        )
    return items


@transaction.atomic
def complete_class(actor: Actor, klass: TrainingClass) -> Completion:
    """Completes a class whose last session has ended: decides every enrolled learner's result
    by its rule (with the reasons of a failure, e.g. leave over 1/7 of the hours), posts the
    credit of each who completed and the teaching credit of its teachers, then marks the class
    completed. A credit the ledger refuses is recorded on the learner's result with its reason."""
    klass = lock(klass)
    require_manage(actor, klass)
    transition(klass.status, Step.COMPLETE)
    sessions = list(klass.sessions.select_related("teacher__person__unit"))
    if not sessions:
        raise TrainingError(Code.NO_SESSIONS, gettext_lazy("The class has no sessions."))
    last_end = max(s.ends() for s in sessions)
    if last_end > timezone.now():
        raise TrainingError(
            Code.NOT_FINISHED,
            gettext_lazy("The class's last session ends at %(end)s; complete it after that.")
            % {"end": timezone.localtime(last_end).strftime("%Y-%m-%d %H:%M")},
        )
    standings = progress.standings(klass, sessions)
    passed = [s for s in standings if s.passes]
    people = [s.enrolment.person for s in passed]
    teacher_people = [s.teacher.person for s in sessions if s.teacher and s.teacher.person]
    index = RuleSetIndex.for_paths(p.unit.path for p in [*people, *teacher_people])
    facts = facts_of(klass)
    learner_items = _learner_items(klass, facts, people, index)
    teacher_items = _teacher_items(klass, sessions, index)
    # A class ending in a closed year credits only with the office's late-report approval.
    items = [*learner_items, *teacher_items]
    result = post_open_entries(actor, items, note=f"class {klass.code}")
    now = timezone.now()
    changed: list[Enrolment] = []
    credited = 0
    for i, standing in enumerate(passed):
        enrolment = standing.enrolment
        enrolment.result = Result.PASSED
        entry_id = result.posted.get(i) or result.duplicates.get(i)
        if entry_id is not None:
            enrolment.entry_id = entry_id
            enrolment.reasons = []
            credited += 1
        else:
            error = result.errors[i]
            enrolment.reasons = [
                Reason("credit_refused", {"message": str(error.message)}).as_dict()
            ]
        enrolment.decided_at = now
        changed.append(enrolment)
    for standing in standings:
        if standing.passes:
            continue
        enrolment = standing.enrolment
        enrolment.result = Result.FAILED
        enrolment.reasons = [r.as_dict() for r in standing.reasons]
        enrolment.decided_at = now
        changed.append(enrolment)
    Enrolment.objects.bulk_update(changed, ["result", "reasons", "entry", "decided_at"])
    offset = len(learner_items)
    teachers_credited = sum(
        1
        for j in range(len(teacher_items))
        if (offset + j) in result.posted or (offset + j) in result.duplicates
    )
    record_step(actor, klass, Step.COMPLETE, transition(klass.status, Step.COMPLETE).target)
    outcome = Completion(
        passed=len(passed),
        failed=len(standings) - len(passed),
        credited=credited,
        not_credited=len(passed) - credited,
        teachers_credited=teachers_credited,
    )
    audit_class(
        actor,
        AuditEvent.Action.APPROVE,
        klass,
        {
            "completed": {
                "passed": outcome.passed,
                "failed": outcome.failed,
                "credited": outcome.credited,
                "not_credited": outcome.not_credited,
                "teachers_credited": outcome.teachers_credited,
            }
        },
    )
    return outcome
