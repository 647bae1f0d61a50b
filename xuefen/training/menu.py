"""The course menu a learner sees (菜单式选学, 缺什么补什么): the classes open to them — their unit
served, their personnel category and age meant, sign-up open — each with what it would earn them
by their rule set, the requirements of theirs still short that it would help close, and its free
seats. Classes that close a gap come first. A fixed handful of queries whatever the menu's size."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q

from xuefen.ledger.judging import Loader
from xuefen.orgs.models import Person
from xuefen.policy.engine import Evaluation
from xuefen.policy.schema import RuleSetData
from xuefen.training import credit, queries
from xuefen.training.models import Enrolment, EnrolmentStatus, TrainingClass


@dataclass
class MenuEntry:
    klass: TrainingClass
    earned: credit.Earned
    seats_left: int
    closes: list[str] = field(default_factory=list)  # labels of the requirements it helps close
    enrolment: Enrolment | None = None
    tags: list[str] = field(default_factory=list)  # the category labels of what it earns


@dataclass
class Menu:
    person: Person
    entries: list[MenuEntry]
    evaluation: Evaluation | None
    gaps: list[str]  # the gap texts of the person's requirements still short


def facts(klass: TrainingClass) -> credit.ClassFacts | None:
    """The class's facts from its stored span and hours (None before it has sessions)."""
    if klass.first_day is None or klass.last_day is None:
        return None
    return credit.ClassFacts(
        kind=klass.course.kind,
        categories=tuple(klass.course.categories),
        amount=klass.course.amount,
        unit=klass.course.unit,
        full_time=klass.full_time,
        first_day=klass.first_day,
        last_day=klass.last_day,
        days=klass.credited_days or Decimal(1),
        hours=klass.hours,
        minutes=int(klass.hours * 45),
    )


def _helps(rules: RuleSetData, code: str, earned: credit.Earned) -> bool:
    requirement = next((r for r in rules.requirements if r.code == code), None)
    if requirement is None:
        return False
    for target in requirement.targets:
        if target.unit == "days" and earned.days is None:
            continue
        if all(c in earned.categories for c in target.categories) and (
            not target.kinds or earned.kind in target.kinds
        ):
            return True
    return False


def menu_for(person: Person, today: dt.date, category: str = "") -> Menu:
    """The learner's menu; `category` keeps only classes earning in that category."""
    loader = Loader.for_people([person])
    evaluation = loader.evaluate(person.pk, today.year)
    rules = loader.rules(person.pk, today.year)
    short = [r for r in (evaluation.requirements if evaluation else []) if r.binding and not r.met]
    classes = [
        k
        for k in queries.open_classes_for(person, today).annotate(
            taken=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.ENROLLED))
        )
        if k.course.is_meant_for(person.category, person.birth_date, today)
    ]
    mine = {
        e.klass_id: e
        for e in Enrolment.objects.filter(person=person, klass__in=[k.pk for k in classes])
    }
    labels = evaluation.category_labels if evaluation else {}
    entries: list[MenuEntry] = []
    for k in classes:
        known = facts(k)
        if known is None:
            continue
        earned = credit.for_learner(known, rules)
        if category and category not in earned.categories:
            continue
        closes = [r.label for r in short if rules is not None and _helps(rules, r.code, earned)]
        entries.append(
            MenuEntry(
                klass=k,
                earned=earned,
                seats_left=max(0, k.capacity - getattr(k, "taken", 0)),
                closes=closes,
                enrolment=mine.get(k.pk),
                tags=[labels.get(c, c) for c in earned.categories],
            )
        )
    entries.sort(key=lambda e: (-len(e.closes), e.klass.first_day or today, e.klass.pk))
    return Menu(person, entries, evaluation, [r.gap_text() for r in short])
