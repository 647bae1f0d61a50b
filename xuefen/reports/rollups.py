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
    OuterRef,
    Q,
    QuerySet,
    Sum,
)

from xuefen.accounts import scope
from xuefen.accounts.roles import Cap
from xuefen.ledger.models import OVERALL, Standing, Total
from xuefen.ledger.standings import standing_of, with_standing
from xuefen.orgs.models import OrgNode, Person
from xuefen.policy.engine import grade_label
from xuefen.policy.services import rules_by_ref
from xuefen.reports.verdicts import VerdictView, of_standings

ZERO = Decimal(0)
COUNTED_STATUSES = (Person.Status.ACTIVE, Person.Status.LEAVE)
S = Standing.Status
MET = (S.MET, S.EXEMPT)
SHORT_OF_TARGET = (S.SHORT, S.IN_PROGRESS)  # and the not yet judged (`short_of_target`)
GRADE_ORDER = ["excellent", "good", "pass", "fail", "exempt", ""]


@dataclass
class Figures:
    people: int = 0
    participants: int = 0
    met: int = 0
    in_progress: int = 0  # not yet met, with years of a multi-year window still to come
    earned: Decimal = ZERO

    def add(self, other: "Figures") -> None:
        self.people += other.people
        self.participants += other.participants
        self.met += other.met
        self.in_progress += other.in_progress
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
    short_of_target: int = 0  # people `short_of_target` lists

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
    verdict: VerdictView | None  # None: not yet judged (a standing is being settled)


def person_rows(people: list[Person], period: int) -> list[PersonRow]:
    """A page of people with their stored verdict in words: status, grade and each binding
    requirement they fall short of (two queries: the standings, their rule sets)."""
    verdicts = of_standings(
        Standing.objects.filter(person_id__in=[p.pk for p in people], period=period)
    )
    return [PersonRow(p, verdicts.get(p.pk)) for p in people]


def people_under(user: Any, node: OrgNode) -> QuerySet[Person]:
    """The people of `node`'s subtree the user may see in reports, who are held to targets."""
    return scope.people(user, Cap.REPORTS_VIEW).filter(
        unit__path__startswith=node.path, status__in=COUNTED_STATUSES
    )


def _participated(period: int) -> Exists:
    return Exists(
        Total.objects.filter(person=OuterRef("pk"), period=period, category=OVERALL, amount__gt=0)
    )


def _grouped(people: QuerySet[Person], period: int) -> list[dict[str, Any]]:
    """One GROUP BY (unit, grade, rule set) over the people and their standings of `period`: the
    counts every figure of a roll-up is added up from."""
    rows = (
        people.annotate(st=standing_of(period))
        .values("unit__path", "st__grade", "st__ruleset")
        .annotate(
            n=Count("id"),
            participants=Count("id", filter=_participated(period)),
            met_count=Count("id", filter=Q(st__status__in=MET)),
            in_progress=Count("id", filter=Q(st__status=S.IN_PROGRESS)),
            short=Count("id", filter=Q(st__status__in=SHORT_OF_TARGET) | Q(st__id__isnull=True)),
            earned_sum=Sum("st__earned"),
        )
        .order_by()
    )
    return [dict(r) for r in rows]


def by_unit(rows: list[dict[str, Any]]) -> list[tuple[str, Figures]]:
    """(unit path, figures) per unit, from `_grouped`'s rows."""
    units: dict[str, Figures] = {}
    for r in rows:
        figures = units.setdefault(r["unit__path"], Figures())
        figures.add(
            Figures(
                r["n"], r["participants"], r["met_count"], r["in_progress"], r["earned_sum"] or ZERO
            )
        )
    return list(units.items())


def grade_distribution(rows: list[dict[str, Any]]) -> list[tuple[str, str, int]]:
    """(grade code, label, people), labelled as the rule set that gave the grade names it; people
    not graded (in progress, no rule set, not yet judged) under "Not graded"; from `_grouped`'s
    rows."""
    rules = rules_by_ref(r["st__ruleset"] for r in rows if r["st__ruleset"])
    counts: dict[str, int] = defaultdict(int)
    labels: dict[str, str] = {}
    for r in rows:
        code = r["st__grade"] or ""
        counts[code] += r["n"]
        labels.setdefault(code, grade_label(rules.get(r["st__ruleset"] or ""), code))
    ordered = sorted(
        counts, key=lambda c: (GRADE_ORDER.index(c) if c in GRADE_ORDER else len(GRADE_ORDER), c)
    )
    return [(code, labels[code], counts[code]) for code in ordered]


def rollup(user: Any, node: OrgNode, period: int) -> Rollup:
    """The node's figures, its child nodes' figures (for drill-down) and its grade distribution,
    in two queries after the node itself (one GROUP BY, the child nodes)."""
    people = people_under(user, node)
    grouped = _grouped(people, period)
    units = by_unit(grouped)
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
    result = Rollup(node, period, total, rows, grade_distribution(grouped))
    result.short_of_target = sum(r["short"] for r in grouped)
    return result


def short_of_target(user: Any, node: OrgNode, period: int) -> QuerySet[Person]:
    """People of the subtree who have not met the target of `period` (not met, or in progress
    through a multi-year window, or not yet judged), ordered by unit and name."""
    return (
        with_standing(people_under(user, node), period)
        .filter(Q(st__status__in=SHORT_OF_TARGET) | Q(st__id__isnull=True))
        .select_related("unit")
        .order_by("unit__path", "name", "id")
    )


def everyone(user: Any, node: OrgNode, period: int) -> QuerySet[Person]:
    return (
        with_standing(people_under(user, node), period)
        .select_related("unit")
        .order_by("unit__path", "name", "id")
    )
