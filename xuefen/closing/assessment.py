"""The export for annual assessment (年度考核): per person and period, the credits per category
(the ledger's totals), the status and the grade — the grade fixed at the close where the period is
closed for the person's region, the current standing otherwise. The XLSX download and the REST API
read the same rows."""

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from xuefen.closing.models import FixedGrade
from xuefen.closing.results import Wording
from xuefen.ledger.models import OVERALL, Standing, Total
from xuefen.ledger.standings import settle
from xuefen.orgs.models import Person
from xuefen.policy.services import known_categories

CHUNK = 2000


@dataclass
class Row:
    person: Person
    totals: dict[str, Decimal] = field(default_factory=dict)  # category code -> amount
    earned: Decimal = Decimal(0)
    status: str = Standing.Status.SHORT
    grade: str = ""
    ruleset: str = ""
    fixed: bool = False


def rows_for(people: Sequence[Person], period: int) -> list[Row]:
    """The rows of `people` (units selected), in three queries."""
    ids = [p.pk for p in people]
    out = {p.pk: Row(p) for p in people}
    for total in Total.objects.filter(person_id__in=ids, period=period).exclude(category=OVERALL):
        row = out[total.person_id]
        row.totals[total.category] = row.totals.get(total.category, Decimal(0)) + total.amount
    for s in Standing.objects.filter(person_id__in=ids, period=period):
        row = out[s.person_id]
        row.status, row.grade, row.earned, row.ruleset = s.status, s.grade, s.earned, s.ruleset
    fixed = FixedGrade.objects.filter(person_id__in=ids, close__period=period).order_by(
        "close__region__path"
    )
    for f in fixed:
        row = out[f.person_id]
        row.status, row.grade, row.earned, row.ruleset = f.status, f.grade, f.earned, f.ruleset
        row.fixed = True
    return [out[pk] for pk in ids]


def stream(people: QuerySet[Person], period: int) -> Iterator[Row]:
    """Every row of `people` (settled first), in chunks."""
    settle(people, period)
    ids = list(people.order_by("unit__path", "name", "id").values_list("id", flat=True))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        found = Person.objects.filter(pk__in=chunk).select_related("unit").in_bulk()
        yield from rows_for([found[pk] for pk in chunk if pk in found], period)


def category_columns(rows: Sequence[Row]) -> list[tuple[str, str]]:
    """(code, label) of the categories any row has credits in, in the usual order."""
    labels = dict(known_categories())
    present = {code for row in rows for code in row.totals}
    ordered = [code for code in labels if code in present]
    ordered += sorted(present - set(ordered))
    return [(code, str(labels.get(code, code))) for code in ordered]


def sheet(rows: list[Row], show_id: bool) -> tuple[list[Any], list[list[Any]]]:
    """Headers and rows of the XLSX."""
    words = Wording()
    columns = category_columns(rows)
    headers: list[Any] = [
        _("ID number"), pgettext("person", "Name"), _("Unit"), _("Personnel category"),
        *[label for _code, label in columns],
        _("Counted"), _("Status"), _("Grade"), _("Fixed at the close"),
    ]  # fmt: skip
    out: list[list[Any]] = []
    by_code: dict[str, int] = defaultdict(int)
    for row in rows:
        p = row.person
        out.append(
            [
                p.id_number if show_id else p.masked_id_number,
                p.name,
                p.unit.name,
                str(p.get_category_display()),
                *[float(row.totals.get(code, 0)) for code, _label in columns],
                float(row.earned),
                words.status(row.status),
                words.grade(row.ruleset, row.grade),
                _("Yes") if row.fixed else _("No"),
            ]
        )
        by_code[row.status] += 1
    return headers, out
