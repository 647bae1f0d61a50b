"""Scoped reads of planning (through accounts.scope) and the figures computed from the records:
plan versus actual, spending and budgets, survey results."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from xuefen.accounts import scope
from xuefen.accounts.roles import Cap
from xuefen.ledger.models import Entry, Unit
from xuefen.orgs.models import OrgNode, Person
from xuefen.planning.models import (
    Budget,
    Plan,
    PlanClass,
    PlanLine,
    Reminder,
    Source,
    Spending,
    Survey,
    SurveyAnswer,
)
from xuefen.training.models import ClassStatus, Enrolment, Result, TrainingClass

ZERO = Decimal(0)


def plans(user: Any) -> QuerySet[Plan]:
    return scope.filter_by_node(user, Plan.objects.all(), Cap.REPORTS_VIEW).select_related("node")


def access_plan(user: Any, plan_id: Any) -> Plan:
    try:
        return plans(user).get(pk=int(plan_id))
    except (Plan.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def may_manage(user: Any, node: OrgNode) -> bool:
    return scope.has_capability(user, Cap.PLANNING_MANAGE, node)


def access_line(user: Any, line_id: Any) -> PlanLine:
    try:
        line = PlanLine.objects.select_related("plan__node").get(pk=int(line_id))
    except (PlanLine.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not may_manage(user, line.plan.node):
        raise Http404
    return line


def access_link(user: Any, link_id: Any) -> PlanClass:
    try:
        link = PlanClass.objects.select_related("line__plan__node", "klass").get(pk=int(link_id))
    except (PlanClass.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not may_manage(user, link.line.plan.node):
        raise Http404
    return link


def linkable_classes(plan: Plan) -> QuerySet[TrainingClass]:
    """Classes of the plan's year not yet carrying out a plan line."""
    return (
        TrainingClass.objects.filter(plan_link__isnull=True)
        .filter(Q(first_day__year=plan.year) | Q(first_day__isnull=True))
        .exclude(status=ClassStatus.CANCELLED)
        .order_by("code")
    )


@dataclass
class Figures:
    """Planned and actual figures of a line or a whole plan."""

    planned_classes: int = 0
    planned_people: int = 0
    planned_hours: Decimal = ZERO
    budget: Decimal = ZERO
    classes_linked: int = 0
    classes_run: int = 0
    people_trained: int = 0
    hours: Decimal = ZERO
    spent: Decimal = ZERO
    spent_by_kind: dict[str, Decimal] = field(default_factory=dict)

    @property
    def cost_per_hour(self) -> Decimal | None:
        """Money per person-hour credited (None before any hour)."""
        if not self.hours:
            return None
        return (self.spent / self.hours).quantize(Decimal("0.01"))

    @property
    def over_budget(self) -> bool:
        return self.spent > self.budget

    def add(self, other: "Figures") -> None:
        for name in (
            "planned_classes",
            "planned_people",
            "planned_hours",
            "budget",
            "classes_linked",
            "classes_run",
            "people_trained",
            "hours",
            "spent",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for kind, amount in other.spent_by_kind.items():
            self.spent_by_kind[kind] = self.spent_by_kind.get(kind, ZERO) + amount


def class_actuals(class_ids: list[int]) -> dict[int, Figures]:
    """Per class: run (completed) or not, trainees who completed it (人次), person-hours credited
    for it in the ledger (net of reversals), and the money spent by kind. Four queries."""
    out = {pk: Figures(classes_linked=1) for pk in class_ids}
    for pk in TrainingClass.objects.filter(
        pk__in=class_ids, status=ClassStatus.COMPLETED
    ).values_list("pk", flat=True):
        out[pk].classes_run = 1
    reversed_amount = Entry.objects.filter(reverses=OuterRef("entry")).values("amount")[:1]
    money = DecimalField(max_digits=12, decimal_places=2)
    passed = (
        Enrolment.objects.filter(klass_id__in=class_ids, result=Result.PASSED)
        .annotate(
            net=Coalesce("entry__amount", Value(ZERO), output_field=money)
            + Coalesce(Subquery(reversed_amount), Value(ZERO), output_field=money),
        )
        .values("klass_id")
        .annotate(people=Count("id"), hours=Sum("net", filter=Q(entry__unit=Unit.HOURS)))
    )
    for row in passed:
        out[row["klass_id"]].people_trained = row["people"]
        out[row["klass_id"]].hours = row["hours"] or ZERO
    spent = (
        Spending.objects.filter(klass_id__in=class_ids)
        .values("klass_id", "kind")
        .annotate(total=Sum("amount"))
        .values_list("klass_id", "kind", "total")
    )
    for klass_id, kind, total in spent:
        figures = out[klass_id]
        figures.spent += total
        figures.spent_by_kind[kind] = total
    return out


@dataclass
class PlanReport:
    plan: Plan
    lines: list[tuple[PlanLine, Figures, list[tuple[TrainingClass, Figures, PlanClass]]]]
    total: Figures
    budgets: list[tuple[str, Decimal, Decimal]]  # (source's label, budget, spent)
    budget_total: Decimal

    @property
    def over_budget(self) -> bool:
        return self.total.spent > self.budget_total

    @property
    def sources_over(self) -> list[str]:
        return [source for source, budget, spent in self.budgets if spent > budget]


def plan_report(plan: Plan) -> PlanReport:
    """Plan versus actual for every line and the whole plan, and spending against the budget by
    source. A fixed number of queries, whatever the plan's size."""
    lines = list(plan.lines.all())
    links = list(
        PlanClass.objects.filter(line__plan=plan).select_related("klass").order_by("klass__code")
    )
    actuals = class_actuals([link.klass_id for link in links])
    by_line: dict[int, list[PlanClass]] = defaultdict(list)
    for link in links:
        by_line[link.line_id].append(link)
    total = Figures()
    rows = []
    for line in lines:
        figures = Figures(
            planned_classes=line.planned_classes,
            planned_people=line.planned_people,
            planned_hours=line.planned_hours,
            budget=line.budget,
        )
        classes = []
        for link in by_line[line.pk]:
            figures.add(actuals[link.klass_id])
            classes.append((link.klass, actuals[link.klass_id], link))
        total.add(figures)
        rows.append((line, figures, classes))
    spent_by_source = dict(
        Spending.objects.filter(klass_id__in=[link.klass_id for link in links])
        .values("source")
        .annotate(total=Sum("amount"))
        .values_list("source", "total")
    )
    budget_of = dict(Budget.objects.filter(plan=plan).values_list("source", "amount"))
    budgets = [
        (str(Source(source).label), budget_of.get(source, ZERO), spent_by_source.get(source, ZERO))
        for source in Source.values
        if source in budget_of or source in spent_by_source
    ]
    return PlanReport(
        plan=plan,
        lines=rows,
        total=total,
        budgets=budgets,
        budget_total=sum(budget_of.values(), ZERO),
    )


def plan_summaries(plan_list: list[Plan]) -> dict[int, tuple[Figures, Decimal]]:
    """Per plan of a list page: its total figures and budget, in a fixed number of queries."""
    plan_ids = [p.pk for p in plan_list]
    lines = list(PlanLine.objects.filter(plan_id__in=plan_ids))
    links = list(
        PlanClass.objects.filter(line__plan_id__in=plan_ids).values_list("line_id", "klass_id")
    )
    actuals = class_actuals([klass for _line, klass in links])
    line_plan = {line.pk: line.plan_id for line in lines}
    out = {pk: Figures() for pk in plan_ids}
    for line in lines:
        out[line.plan_id].add(
            Figures(
                planned_classes=line.planned_classes,
                planned_people=line.planned_people,
                planned_hours=line.planned_hours,
            )
        )
    for line_id, klass in links:
        out[line_plan[line_id]].add(actuals[klass])
    budgets = dict(
        Budget.objects.filter(plan_id__in=plan_ids)
        .values("plan_id")
        .annotate(total=Sum("amount"))
        .values_list("plan_id", "total")
    )
    return {pk: (out[pk], budgets.get(pk, ZERO)) for pk in plan_ids}


# Surveys


def surveys(user: Any) -> QuerySet[Survey]:
    """Surveys whose results the user may read (sent to a subtree the user oversees)."""
    return scope.filter_by_node(user, Survey.objects.all(), Cap.REPORTS_VIEW).select_related(
        "node", "plan"
    )


def access_survey(user: Any, survey_id: Any) -> Survey:
    try:
        return surveys(user).get(pk=int(survey_id))
    except (Survey.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def open_surveys_for(person: Person) -> QuerySet[Survey]:
    """Open surveys sent to a subtree holding the person's unit."""
    ancestors = [int(part) for part in person.unit.path.strip("/").split("/") if part]
    return Survey.objects.filter(status=Survey.Status.OPEN, node_id__in=ancestors)


def access_open_survey(person: Person, survey_id: Any) -> Survey:
    try:
        return open_surveys_for(person).get(pk=int(survey_id))
    except (Survey.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


DIMENSIONS = ("category", "age_bracket", "unit")


def survey_results(survey: Survey, by: str) -> dict[str, Any]:
    """Per question: for scores the mean by group, for choices the count of each option by
    group; the groups are the personnel category, the age bracket or the unit as answered."""
    if by not in DIMENSIONS:
        by = "category"
    column = "unit__name" if by == "unit" else by
    answers = list(survey.answers.values_list(column, "answers"))
    labels = dict(Person.Category.choices)
    groups = sorted({str(group) for group, _a in answers})
    shown = {g: str(labels.get(g, g)) if by == "category" else (g or "—") for g in groups}
    questions = []
    for item in survey.items:
        code = item["code"]
        if item["type"] == "score":
            sums: dict[str, list[int]] = defaultdict(list)
            for group, given in answers:
                if isinstance(given.get(code), int):
                    sums[str(group)].append(given[code])
            rows = [
                (shown[g], len(sums[g]), round(sum(sums[g]) / len(sums[g]), 2) if sums[g] else None)
                for g in groups
            ]
            questions.append({"item": item, "rows": rows})
        elif item["type"] == "choice":
            counts: dict[str, dict[str, int]] = {g: defaultdict(int) for g in groups}
            for group, given in answers:
                if given.get(code) is not None:
                    counts[str(group)][given[code]] += 1
            options = item.get("options", [])
            counted = [(shown[g], [counts[g][o] for o in options]) for g in groups]
            totals = [sum(counts[g][o] for g in groups) for o in options]
            questions.append({"item": item, "rows": counted, "options": options, "totals": totals})
        else:
            texts = [given.get(code) for _g, given in answers if given.get(code)]
            questions.append({"item": item, "texts": texts[:50], "text_count": len(texts)})
    return {
        "by": by,
        "groups": [shown[g] for g in groups],
        "questions": questions,
        "count": len(answers),
    }


def chart_data(results: dict[str, Any]) -> list[dict[str, Any]]:
    """What the page's charts draw (json_script): one bar chart per score or choice question."""
    charts = []
    for number, question in enumerate(results["questions"]):
        item = question["item"]
        if item["type"] == "score":
            charts.append(
                {
                    "id": f"chart-{number}",
                    "kind": "score",
                    "labels": [row[0] for row in question["rows"]],
                    "values": [row[2] or 0 for row in question["rows"]],
                }
            )
        elif item["type"] == "choice":
            charts.append(
                {
                    "id": f"chart-{number}",
                    "kind": "choice",
                    "labels": question["options"],
                    "values": question["totals"],
                }
            )
    return charts


# Reminders


def inbox(user: Any) -> QuerySet[Reminder]:
    return (
        Reminder.objects.filter(user=user)
        .select_related("round")
        .order_by("-round__run_at", "-round_id")
    )


def outbox(user: Any) -> QuerySet[Reminder]:
    """Reminders sent to people and administrators of the user's subtrees."""
    paths = scope.paths_with(user, Cap.REPORTS_VIEW)
    if not paths:
        return Reminder.objects.none()
    q = Q()
    for path in paths:
        q |= Q(node_path__startswith=path)
    return (
        Reminder.objects.filter(q)
        .select_related("round", "user", "user__person")
        .order_by("-round__run_at", "-round_id", "user_id")
    )


def node_names(paths: set[str]) -> dict[str, str]:
    return dict(OrgNode.objects.filter(path__in=paths).values_list("path", "name"))


def may_answer(person: Person, survey: Survey) -> bool:
    return not SurveyAnswer.objects.filter(survey=survey, person=person).exists()
