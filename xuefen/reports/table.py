"""The per-person compliance table of a period (the `xuefen compliance` export): one row a person
with each requirement's earned and required amounts, status and grade.

Streams: people are read and judged in chunks (rule sets, credits and exemptions once per chunk),
so tens of thousands of people need neither much memory nor a query each."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from xuefen.ledger.judging import evaluate_many
from xuefen.orgs.models import OrgNode, Person
from xuefen.policy.services import RuleSetIndex
from xuefen.reports.verdicts import of_evaluation

CHUNK = 1000


@dataclass(frozen=True)
class Column:
    code: str
    label: str


def unscoped_people(unit: OrgNode | None = None) -> QuerySet[Person]:
    """Everyone (of `unit`'s subtree): for the administrator's command line, which has no user."""
    people = Person.objects.exclude(status__in=[Person.Status.RETIRED, Person.Status.LEFT])
    if unit is not None:
        people = people.filter(unit__path__startswith=unit.path)
    return people


def requirement_columns(people: QuerySet[Person], period: int) -> list[Column]:
    """Every requirement of the rule sets that judge these people, in rule-set order, once each."""
    pairs = list(people.values_list("unit__path", "category").distinct().order_by())
    rulesets = RuleSetIndex.for_paths(path for path, _category in pairs)
    seen: dict[str, Column] = {}
    for path, category in pairs:
        rules = rulesets.rules(path, category, period)
        for requirement in rules.requirements if rules else ():
            label = str(requirement.label)
            seen.setdefault(label, Column(requirement.code, label))
    return list(seen.values())


def headers(columns: list[Column]) -> list[str]:
    out = [
        _("ID number"),
        pgettext("person", "Name"),
        _("Unit"),
        _("Personnel category"),
        _("Age bracket"),
    ]
    for column in columns:
        out += [
            _("%(label)s earned") % {"label": column.label},
            _("%(label)s required") % {"label": column.label},
        ]
    return [*out, _("Status"), _("Grade"), _("Gap"), _("Rule set")]


def _row(person: Person, evaluation: Any, columns: list[Column]) -> list[Any]:
    base = [
        person.id_number,
        person.name,
        person.unit.name,
        str(person.get_category_display()),
        evaluation.age_bracket_label if evaluation else "",
    ]
    results = {r.label: r for r in evaluation.requirements} if evaluation else {}
    for column in columns:
        r = results.get(column.label)
        base += [float(r.earned), float(r.required)] if r else [None, None]
    verdict = of_evaluation(evaluation)
    return [
        *base,
        verdict.status_label,
        verdict.grade_label,
        "；".join(verdict.gaps),
        verdict.ruleset_label,
    ]


def compliance_rows(
    people: QuerySet[Person], period: int, columns: list[Column]
) -> Iterator[list[Any]]:
    ids = list(people.order_by("unit__path", "name", "id").values_list("id", flat=True))
    for start in range(0, len(ids), CHUNK):
        chunk_ids = ids[start : start + CHUNK]
        by_id = Person.objects.select_related("unit").in_bulk(chunk_ids)
        chunk = [by_id[i] for i in chunk_ids]
        evaluations = evaluate_many(chunk, period)
        for person in chunk:
            yield _row(person, evaluations[person.pk], columns)
