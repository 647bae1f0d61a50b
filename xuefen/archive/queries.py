"""A person's training archive (培训档案) across every year and unit, read through the scoping
helper: the classes, online courses, exams, claims, credits per year and category, fixed grades and
objections — one query each, whatever the number of years.

Who sees which years is the archive's one rule, `horizon.visible_from`: a unit that a person
entered by a transfer sees their earlier years once it pulled the archive.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from xuefen.accounts import scope
from xuefen.accounts.roles import Cap
from xuefen.archive.horizon import Horizon, reads_whole, visible_from
from xuefen.archive.models import PrintJob
from xuefen.claims.models import Claim
from xuefen.closing.models import FixedGrade, Objection
from xuefen.closing.results import Wording
from xuefen.elearning.models import Progress
from xuefen.exams.models import Attempt
from xuefen.ledger.models import Entry
from xuefen.orgs.models import OrgNode, Person, Transfer
from xuefen.policy.engine import fmt, unit_label
from xuefen.policy.services import known_categories
from xuefen.training.models import Enrolment


@dataclass
class YearCredits:
    year: int
    total: list[tuple[str, str]]  # (amount, unit label) per unit of measure
    categories: list[tuple[str, str, str]]  # (category label, amount, unit label)


@dataclass
class Archive:
    person: Person
    horizon: Horizon
    transfers: list[dict[str, Any]]
    classes: list[dict[str, Any]] = field(default_factory=list)
    courses: list[dict[str, Any]] = field(default_factory=list)
    exams: list[dict[str, Any]] = field(default_factory=list)
    claims: list[dict[str, Any]] = field(default_factory=list)
    credits: list[YearCredits] = field(default_factory=list)
    grades: list[dict[str, Any]] = field(default_factory=list)
    objections: list[dict[str, Any]] = field(default_factory=list)
    hidden: int = 0  # records of earlier years left out (see Horizon)

    @property
    def is_empty(self) -> bool:
        return not (
            self.classes
            or self.courses
            or self.exams
            or self.claims
            or self.credits
            or self.grades
            or self.objections
        )


def access(user: Any, person_id: Any) -> Person:
    """The person whose archive the user may read (credits.view on their unit, or themself);
    Http404 otherwise, for "does not exist" and "not yours" alike."""
    return scope.access_person(user, person_id, Cap.CREDITS_VIEW)


def people(user: Any) -> QuerySet[Person]:
    """Everyone whose archive the user may open."""
    return scope.people(user, Cap.CREDITS_VIEW)


def _split(rows: list[dict[str, Any]], horizon: Horizon) -> tuple[list[dict[str, Any]], int]:
    kept = [row for row in rows if horizon.shows(row["year"])]
    return kept, len(rows) - len(kept)


def build(user: Any, person: Person) -> Archive:
    """The person's archive as the user may read it (the person comes from `access`)."""
    horizon = visible_from(user, person)
    archive = Archive(person, horizon, _transfers(person))
    hidden = 0
    for name, rows in (
        ("classes", _classes(user, person)),
        ("courses", _courses(user, person)),
        ("exams", _exams(user, person)),
        ("claims", _claims(user, person)),
        ("grades", _grades(user, person)),
        ("objections", _objections(user, person)),
    ):
        kept, left_out = _split(rows, horizon)
        setattr(archive, name, kept)
        hidden += left_out
    archive.credits, left_out = _credits(user, person, horizon)
    archive.hidden = hidden + left_out
    return archive


def _transfers(person: Person) -> list[dict[str, Any]]:
    moves = (
        Transfer.objects.filter(person=person)
        .order_by("effective_on", "id")
        .values("effective_on", "from_unit__name", "to_unit__name", "reason")
    )
    return [
        {
            "on": move["effective_on"],
            "from": move["from_unit__name"],
            "to": move["to_unit__name"],
            "reason": move["reason"],
        }
        for move in moves
    ]


def _scoped(user: Any, queryset: QuerySet[Any], person: Person) -> QuerySet[Any]:
    if reads_whole(user, person):
        return queryset.filter(person=person)
    return scope.filter_by_person(user, queryset.filter(person=person), Cap.CREDITS_VIEW)


def _amount(amount: Decimal | None, unit: str) -> str:
    if amount is None:
        return "—"
    return f"{fmt(amount)} {unit_label(unit)}"


def _classes(user: Any, person: Person) -> list[dict[str, Any]]:
    rows = (
        _scoped(user, Enrolment.objects.all(), person)
        .select_related("klass", "entry")
        .order_by("klass__first_day", "id")
    )
    found = []
    for row in rows:
        klass = row.klass
        day = klass.last_day or klass.first_day
        found.append(
            {
                "year": day.year if day else None,
                "name": klass.name,
                "code": klass.code,
                "first_day": klass.first_day,
                "last_day": klass.last_day,
                "status": row.get_status_display(),
                "result": row.get_result_display(),
                "credit": _amount(row.entry.amount, row.entry.unit) if row.entry else "—",
            }
        )
    return found


def _courses(user: Any, person: Person) -> list[dict[str, Any]]:
    rows = (
        _scoped(user, Progress.objects.all(), person)
        .select_related("course")
        .order_by("completed_at", "id")
    )
    credits = dict(
        Entry.objects.filter(
            person=person, pk__in=[row.entry_id for row in rows if row.entry_id]
        ).values_list("pk", "amount")
    )
    return [
        {
            "year": row.completed_at.year if row.completed_at else None,
            "title": row.course.title,
            "code": row.course.code,
            "completed_at": row.completed_at,
            "test_score": row.test_score,
            "credit": fmt(credits[row.entry_id]) if row.entry_id in credits else "—",
        }
        for row in rows
    ]


def _exams(user: Any, person: Person) -> list[dict[str, Any]]:
    rows = (
        _scoped(user, Attempt.objects.all(), person)
        .select_related("candidate__exam", "entry")
        .order_by("started_at", "id")
    )
    return [
        {
            "year": row.candidate.exam.starts_at.year,
            "name": row.candidate.exam.name,
            "kind": row.candidate.exam.get_kind_display(),
            "date": row.candidate.exam.starts_at.date(),
            "status": row.get_status_display(),
            "score": row.score,
            "passed": row.passed,
            "credit": _amount(row.entry.amount, row.entry.unit) if row.entry else "—",
        }
        for row in rows
    ]


def _claims(user: Any, person: Person) -> list[dict[str, Any]]:
    rows = (
        _scoped(user, Claim.objects.all(), person)
        .select_related("claim_type")
        .order_by("period", "start_date", "id")
    )
    return [
        {
            "year": row.period,
            "type": row.claim_type.name,
            "title": row.title,
            "start_date": row.start_date,
            "end_date": row.end_date,
            "status": row.get_status_display(),
            "amount": _amount(row.amount, row.unit) if row.unit else "—",
        }
        for row in rows
    ]


def _credits(user: Any, person: Person, horizon: Horizon) -> tuple[list[YearCredits], int]:
    """Credits per year and category from the ledger (reversals included: they carry the negated
    amount), in the categories' usual order."""
    labels = dict(known_categories())
    order = {code: index for index, code in enumerate(labels)}
    totals: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    per_category: dict[int, dict[tuple[str, str], Decimal]] = defaultdict(
        lambda: defaultdict(Decimal)
    )
    hidden = 0
    rows = _scoped(user, Entry.objects.all(), person).values_list(
        "period", "categories", "amount", "unit"
    )
    for period, categories, amount, unit in rows:
        if not horizon.shows(period):
            hidden += 1
            continue
        totals[period][unit] += amount
        for category in categories:
            per_category[period][(category, unit)] += amount
    years = [
        YearCredits(
            year,
            [(fmt(amount), str(unit_label(unit))) for unit, amount in sorted(totals[year].items())],
            [
                (labels.get(category, category), fmt(amount), str(unit_label(unit)))
                for (category, unit), amount in sorted(
                    per_category[year].items(),
                    key=lambda item: (order.get(item[0][0], len(order)), item[0][0]),
                )
            ],
        )
        for year in sorted(totals)
    ]
    return years, hidden


def _grades(user: Any, person: Person) -> list[dict[str, Any]]:
    words = Wording()
    rows = (
        _scoped(user, FixedGrade.objects.all(), person)
        .order_by("close__period", "close_id")
        .values(
            "close__period", "close__region__name", "unit__name", "status", "grade", "earned",
            "ruleset",
        )
    )  # fmt: skip
    found = []
    for row in rows:
        found.append(
            {
                "year": row["close__period"],
                "region": row["close__region__name"],
                "unit": row["unit__name"],
                "earned": fmt(row["earned"]),
                "status": words.status(row["status"]),
                "grade": words.grade(row["ruleset"], row["grade"]) if row["grade"] else "—",
            }
        )
    return found


def _objections(user: Any, person: Person) -> list[dict[str, Any]]:
    rows = (
        _scoped(user, Objection.objects.all(), person)
        .select_related("notice__close", "entry")
        .order_by("raised_at", "id")
    )
    return [
        {
            "year": row.notice.close.period,
            "notice": row.notice.title,
            "credit": row.entry.description or _amount(row.entry.amount, row.entry.unit),
            "reason": row.reason,
            "raised_at": row.raised_at,
            "status": row.get_status_display(),
            "decision": row.decision_reason,
        }
        for row in rows
    ]


# What each kind of bulk print needs on the unit.
PRINT_CAPABILITY = {
    PrintJob.Kind.CERTIFICATES: Cap.CERTIFICATES_ISSUE,
    PrintJob.Kind.ARCHIVES: Cap.CREDITS_VIEW,
}


def may_print(actor: Any, unit: OrgNode, kind: str) -> bool:
    capability = PRINT_CAPABILITY.get(PrintJob.Kind(kind)) if kind in PrintJob.Kind.values else None
    return capability is not None and scope.may(actor, capability, unit)


def print_units(user: Any) -> QuerySet[OrgNode]:
    """The units whose people the user may print in bulk (archives at least)."""
    return scope.nodes(user, Cap.CREDITS_VIEW).filter(kind=OrgNode.Kind.UNIT).order_by("path")


def jobs(user: Any) -> QuerySet[PrintJob]:
    """Print jobs of the units the user reads credits of (the kind's own capability is asked
    again when a job is opened: `access_job`)."""
    return scope.filter_by_node(
        user, PrintJob.objects.select_related("unit"), Cap.CREDITS_VIEW, prefix="unit__"
    )


def access_job(user: Any, job_id: Any) -> PrintJob:
    """The print job, if the user may print its kind for its unit; Http404 otherwise."""
    try:
        job = jobs(user).get(pk=int(job_id))
    except (PrintJob.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not may_print(user, job.unit, job.kind):
        raise Http404
    return job
