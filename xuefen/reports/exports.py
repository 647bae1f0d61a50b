"""XLSX exports of the roll-up tables (the same figures as the page)."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from xuefen.orgs.models import Person
from xuefen.reports import rollups

CHUNK = 2000


def _figures_row(name: str, code: str, f: rollups.Figures) -> list[Any]:
    return [
        name, code, f.people, f.participants, float(f.participation_rate), f.met,
        float(f.met_rate), f.in_progress, float(f.average),
    ]  # fmt: skip


def _figures_headers() -> list[str]:
    return [
        pgettext("org", "Name"), _("Code"), pgettext("count", "People"), _("Took part"),
        _("Participation rate (%)"), _("Met the target"), _("Rate meeting the target (%)"),
        _("In progress"), _("Average credits"),
    ]  # fmt: skip


def _people_rows(people: QuerySet[Person], period: int) -> Any:
    """Streams people with their stored verdict, in chunks so tens of thousands stay cheap."""
    ids = list(people.values_list("id", flat=True))
    for start in range(0, len(ids), CHUNK):
        batch = list(
            Person.objects.filter(pk__in=ids[start : start + CHUNK])
            .select_related("unit")
            .order_by("unit__path", "name", "id")
        )
        rows = rollups.person_rows(batch, period)
        for row in rows:
            p, v = row.person, row.verdict
            yield [
                p.masked_id_number,
                p.name,
                p.unit.name,
                str(p.get_category_display()),
                float(v.earned) if v else 0.0,
                v.status_label if v else "",
                v.grade_label if v else "",
                "；".join(v.gaps) if v else "",
            ]


def rollup_table(
    table: str, result: rollups.Rollup, people: QuerySet[Person], period: int
) -> HttpResponse | None:
    from xuefen.core.tabular import xlsx_response

    stem = f"{result.node.code}-{period}"
    if table == "summary":
        rows = [_figures_row(result.node.name, result.node.code, result.figures)]
        rows += [_figures_row(r.node.name, r.node.code, r.figures) for r in result.children]
        return xlsx_response(
            f"rollup-{stem}.xlsx", _figures_headers(), rows, sheet_title=_("Roll-up")
        )
    if table == "grades":
        return xlsx_response(
            f"grades-{stem}.xlsx",
            [_("Grade"), pgettext("count", "People")],
            [[label, n] for _code, label, n in result.grades],
            sheet_title=_("Grades"),
        )
    if table == "people":
        return xlsx_response(
            f"people-{stem}.xlsx",
            [
                _("ID number"),
                pgettext("person", "Name"),
                _("Unit"),
                _("Personnel category"),
                _("Counted"),
                _("Status"),
                _("Grade"),
                _("Gap"),
            ],
            _people_rows(people, period),
            sheet_title=_("People"),
        )
    return None
