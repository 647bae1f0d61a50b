"""Roll-ups of a subtree for one period, set-based from Standing and Total; nobody is judged here.

Figures per group: people, participants (any credit in the period), people who met the target, the
sum of counted credits; rates and the average derive from them. People are grouped by unit in the
database; units are then added up under the child nodes of the node shown by path prefix.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    Exists,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.utils.translation import gettext_lazy as _

from xuefen.accounts import scope
from xuefen.accounts.roles import Cap
from xuefen.ledger.models import OVERALL, Standing, Total
from xuefen.orgs.models import OrgNode, Person
from xuefen.policy.engine import RequirementResult
from xuefen.policy.models import RuleSet
from xuefen.reports.compliance import evaluate_many

ZERO = Decimal(0)
COUNTED_STATUSES = (Person.Status.ACTIVE, Person.Status.LEAVE)
NO_GRADE = ""

GRADE_LABELS = {
    "excellent": _("Excellent"),
    "good": _("Good"),
    "pass": _("Pass"),
    "fail": _("Fail"),
    "exempt": _("Exempt"),
    NO_GRADE: _("Not judged"),
}
GRADE_ORDER = ["excellent", "good", "pass", "fail", "exempt", NO_GRADE]


def grade_label(code: str, extra: dict[str, str] | None = None) -> str:
    if code in GRADE_LABELS:
        return str(GRADE_LABELS[code])
    return (extra or {}).get(code, code)


def tier_labels() -> dict[str, str]:
    """Labels of the grade tiers that rule sets define beyond the usual ones (one query)."""
    labels: dict[str, str] = {}
    for ruleset in RuleSet.objects.all():
        grades = ruleset.data.grades
        for tier in grades.tiers if grades else ():
            labels.setdefault(tier.code, str(tier.label))
    return labels


@dataclass
class Figures:
    people: int = 0
    participants: int = 0
    met: int = 0
    earned: Decimal = ZERO

    def add(self, other: "Figures") -> None:
        self.people += other.people
        self.participants += other.participants
        self.met += other.met
        self.earned += other.earned

    @staticmethod
    def _share(part: int, whole: int) -> Decimal:
        return (Decimal(part) * 100 / whole).quantize(Decimal("0.1")) if whole else ZERO

    @property
    def participation_rate(self) -> Decimal:
        return self._share(self.participants, self.people)

    @property
    def met_rate(self) -> Decimal:
        return self._share(self.met, self.people)

    @property
    def average(self) -> Decimal:
        return (self.earned / self.people).quantize(Decimal("0.01")) if self.people else ZERO


@dataclass
class Row:
    node: OrgNode
    figures: Figures


@dataclass
class Rollup:
    node: OrgNode
    period: int
    figures: Figures
    children: list[Row] = field(default_factory=list)
    grades: list[tuple[str, str, int]] = field(default_factory=list)  # code, label, people

    def chart_data(self) -> dict[str, Any]:
        """What the page's charts draw (embedded with json_script)."""
        return {
            "grades": {
                "codes": [code for code, _label, _n in self.grades],
                "labels": [label for _code, label, _n in self.grades],
                "values": [n for _code, _label, n in self.grades],
            },
            "children": {
                "labels": [row.node.name for row in self.children],
                "values": [float(row.figures.met_rate) for row in self.children],
            },
        }


@dataclass(frozen=True)
class PersonRow:
    person: Person
    standing: Standing | None
    grade_label: str
    gaps: list[RequirementResult]  # binding requirements not met


def person_rows(people: list[Person], period: int) -> list[PersonRow]:
    """A page of people with their standing and, judged now in a fixed number of queries, the
    requirements they fall short of (advisory ones do not make a person short)."""
    standings = standings_of(people, period)
    evaluations = evaluate_many(people, period)
    extra = tier_labels() if any(s.grade not in GRADE_LABELS for s in standings.values()) else {}
    rows = []
    for p in people:
        standing = standings.get(p.pk)
        evaluation = evaluations[p.pk]
        gaps = [r for r in evaluation.requirements if r.binding and not r.met] if evaluation else []
        grade = standing.grade if standing else NO_GRADE
        rows.append(PersonRow(p, standing, grade_label(grade, extra), gaps))
    return rows


def people_under(user: Any, node: OrgNode) -> QuerySet[Person]:
    """The people of `node`'s subtree the user may see in reports, who are held to targets."""
    return scope.people(user, Cap.REPORTS_VIEW).filter(
        unit__path__startswith=node.path, status__in=COUNTED_STATUSES
    )


def _participated(period: int) -> Exists:
    return Exists(
        Total.objects.filter(person=OuterRef("pk"), period=period, category=OVERALL, amount__gt=0)
    )


def by_unit(people: QuerySet[Person], period: int) -> list[tuple[str, Figures]]:
    """(unit path, figures) per unit: one GROUP BY query."""
    rows = (
        people.annotate(st=FilteredRelation("standings", condition=Q(standings__period=period)))
        .values("unit__path")
        .annotate(
            n=Count("id"),
            participants=Count("id", filter=_participated(period)),
            met_count=Count("id", filter=Q(st__met=True)),
            earned_sum=Sum("st__earned"),
        )
        .order_by()
    )
    return [
        (
            r["unit__path"],
            Figures(r["n"], r["participants"], r["met_count"], r["earned_sum"] or ZERO),
        )
        for r in rows
    ]


def grade_distribution(people: QuerySet[Person], period: int) -> list[tuple[str, str, int]]:
    """(grade code, label, people) with people not yet judged under "Not judged"; one query."""
    counts: dict[str, int] = defaultdict(int)
    rows = (
        people.annotate(st=FilteredRelation("standings", condition=Q(standings__period=period)))
        .values("st__grade")
        .annotate(n=Count("id"))
        .order_by()
    )
    for r in rows:
        counts[r["st__grade"] or NO_GRADE] += r["n"]
    ordered = sorted(
        counts, key=lambda c: (GRADE_ORDER.index(c) if c in GRADE_ORDER else len(GRADE_ORDER), c)
    )
    extra = tier_labels() if any(code not in GRADE_LABELS for code in counts) else {}
    return [(code, grade_label(code, extra), counts[code]) for code in ordered]


def rollup(user: Any, node: OrgNode, period: int) -> Rollup:
    """The node's figures, its child nodes' figures (for drill-down) and its grade distribution,
    in three queries after the node itself."""
    people = people_under(user, node)
    units = by_unit(people, period)
    total = Figures()
    for _path, figures in units:
        total.add(figures)
    children = list(scope.nodes(user, Cap.REPORTS_VIEW).filter(parent=node).order_by("code"))
    rows = []
    for child in children:
        figures = Figures()
        for path, unit_figures in units:
            if path.startswith(child.path):
                figures.add(unit_figures)
        rows.append(Row(child, figures))
    return Rollup(node, period, total, rows, grade_distribution(people, period))


def short_of_target(user: Any, node: OrgNode, period: int) -> QuerySet[Person]:
    """People of the subtree whose standing for `period` is not met (or who have none yet), ordered
    by unit and name."""
    return (
        people_under(user, node)
        .annotate(st=FilteredRelation("standings", condition=Q(standings__period=period)))
        .filter(Q(st__met=False) | Q(st__id__isnull=True))
        .select_related("unit")
        .order_by("unit__path", "name", "id")
    )


def everyone(user: Any, node: OrgNode, period: int) -> QuerySet[Person]:
    return (
        people_under(user, node)
        .annotate(st=FilteredRelation("standings", condition=Q(standings__period=period)))
        .select_related("unit")
        .order_by("unit__path", "name", "id")
    )


def standings_of(people: list[Person], period: int) -> dict[int, Standing]:
    return {
        s.person_id: s
        for s in Standing.objects.filter(person_id__in=[p.pk for p in people], period=period)
    }
