"""The results notice (成绩通报) of a closed period for a unit (or any node's subtree): how many
people reached each grade, and every person's fixed grade, as XLSX and PDF. Read from the grades
fixed at the close, worded by the rule sets that gave them."""

from collections import Counter, defaultdict
from collections.abc import Iterator
from decimal import Decimal
from itertools import groupby
from operator import itemgetter
from typing import Any, NamedTuple

from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from xuefen.closing import queries
from xuefen.closing.models import FixedGrade, PeriodClose
from xuefen.core.pdf import FONT, document
from xuefen.core.tabular import Sheet, write_workbook
from xuefen.ledger.models import Standing
from xuefen.orgs import idnumber
from xuefen.orgs.models import OrgNode, Person
from xuefen.policy.engine import fmt, grade_label
from xuefen.policy.services import rules_by_ref

CHUNK = 2000


class Line(NamedTuple):
    unit: str
    name: str
    id_number: str  # masked
    category: str
    earned: Decimal
    status: str
    grade: str


class Wording:
    """Grade and status labels of fixed grades, each rule set read once, each label worded once."""

    def __init__(self) -> None:
        self._rules: dict[str, Any] = {}
        self._labels: dict[tuple[str, str], str] = {}

    def grade(self, ruleset: str, code: str) -> str:
        key = (ruleset, code)
        if key not in self._labels:
            if ruleset and ruleset not in self._rules:
                self._rules[ruleset] = rules_by_ref([ruleset]).get(ruleset)
            self._labels[key] = grade_label(self._rules.get(ruleset), code)
        return self._labels[key]

    def status(self, code: str) -> str:
        key = ("", "status:" + code)
        if key not in self._labels:
            self._labels[key] = str(Standing.Status(code).label)
        return self._labels[key]


def lines(close: PeriodClose, node: OrgNode, wording: Wording | None = None) -> Iterator[Line]:
    """Every person's fixed grade of the node's subtree, by unit and name. Plain rows: the fixed
    grades through their (close, unit) index, then their people by id in chunks (a join lets
    PostgreSQL scan every person for one unit's thousand)."""
    words = wording or Wording()
    categories = {code: str(label) for code, label in Person.Category.choices}
    fixed = list(
        queries.unit_lines(close, node)
        .order_by()
        .values_list("person_id", "unit_id", "earned", "status", "grade", "ruleset")
    )
    units = dict(OrgNode.objects.filter(pk__in={row[1] for row in fixed}).values_list("pk", "path"))
    names = dict(OrgNode.objects.filter(pk__in=list(units)).values_list("pk", "name"))
    people: dict[int, tuple[str, str, str]] = {}
    ids = [row[0] for row in fixed]
    for start in range(0, len(ids), CHUNK):
        rows = Person.objects.filter(pk__in=ids[start : start + CHUNK]).values_list(
            "pk", "name", "id_number", "category"
        )
        people.update((pk, (name, number, category)) for pk, name, number, category in rows)
    fixed.sort(key=lambda row: (units[row[1]], people[row[0]][0], row[0]))
    for person_id, unit_id, earned, status, grade, ruleset in fixed:
        name, number, category = people[person_id]
        yield Line(
            names[unit_id],
            name,
            idnumber.mask(number),
            categories.get(category, category),
            earned,
            words.status(status),
            words.grade(ruleset, grade),
        )


def summary(
    close: PeriodClose, node: OrgNode | None, wording: Wording | None = None
) -> list[tuple[str, int]]:
    """(grade or status, people) of the subtree, most people first (one GROUP BY)."""
    words = wording or Wording()
    counts: Counter[str] = Counter()
    for row in queries.grade_counts(close, node):
        label = (
            words.grade(row["ruleset"], row["grade"])
            if row["grade"]
            else words.status(row["status"])
        )
        counts[label] += row["people"]
    return counts.most_common()


class UnitNotice(NamedTuple):
    unit_id: int
    summary: list[tuple[str, int]]  # as `summary` for the unit
    lines: list[Line]  # as `lines` for the unit


def _notice_rows_sql() -> str:
    """Every fixed grade of a close under a path, with its person and unit; each row begins with
    the notices' order (unit path, name, person). Unsorted: sorted by the caller (the database
    would sort 100,000 rows on disk past its work_mem; Python sorts them by code point, as
    `lines` does, whatever the database's collation)."""
    qn = connection.ops.quote_name
    # Table names from the models, values as parameters.
    return (
        "SELECT n.path, p.name, f.person_id, f.unit_id, n.name, p.id_number, p.category,"  # noqa: S608
        " f.earned, f.status, f.grade, f.ruleset"
        f" FROM {qn(FixedGrade._meta.db_table)} f"
        f" JOIN {qn(Person._meta.db_table)} p ON p.id = f.person_id"
        f" JOIN {qn(OrgNode._meta.db_table)} n ON n.id = f.unit_id"
        " WHERE f.close_id = %s AND n.path LIKE %s"
    )


def notices(
    close: PeriodClose, node: OrgNode | None = None, wording: Wording | None = None
) -> Iterator[UnitNotice]:
    """The results notices of every unit of the node's subtree (the close's whole region by
    default), unit by unit in the order of their paths: each unit's count per grade and every
    person's line, the same as `summary` and `lines` give for that unit. Set-based: two
    statements for the whole subtree, however many units (the counts per unit and grade in one
    GROUP BY; the lines in one join of the fixed grades with their people and units); each label
    worded once (`Wording`), ID numbers masked as they are read."""
    node = node or close.region
    words = wording or Wording()
    categories = {code: str(label) for code, label in Person.Category.choices}
    counts: defaultdict[int, Counter[str]] = defaultdict(Counter)
    for row in queries.grade_counts(close, node):
        label = (
            words.grade(row["ruleset"], row["grade"])
            if row["grade"]
            else words.status(row["status"])
        )
        counts[row["unit_id"]][label] += row["people"]
    with connection.cursor() as cursor:
        cursor.execute(_notice_rows_sql(), [close.pk, node.path + "%"])
        rows = cursor.fetchall()
    rows.sort()  # (unit path, name, person id, …): the person id is unique, nothing further
    mask = idnumber.mask
    statuses = {code: words.status(code) for code in Standing.Status.values}
    # PostgreSQL gives numerics as Decimal; SQLite as numbers (the field's own conversion).
    cent = Decimal("0.01")
    decimal = (
        (lambda value: value)
        if connection.vendor == "postgresql"
        else (lambda value: Decimal(repr(value)).quantize(cent))
    )
    for unit_id, unit_rows in groupby(rows, key=itemgetter(3)):
        yield UnitNotice(
            unit_id,
            counts[unit_id].most_common(),
            [
                Line(
                    unit,
                    name,
                    mask(number),
                    categories.get(kind, kind),
                    decimal(earned),
                    statuses[status],
                    words.grade(ruleset, grade),
                )
                for _p, name, *_, unit, number, kind, earned, status, grade, ruleset in unit_rows
            ],
        )


def _headers() -> list[str]:
    return [
        _("Unit"),
        pgettext("person", "Name"),
        _("ID number"),
        _("Personnel category"),
        _("Counted"),
        _("Status"),
        _("Grade"),
    ]


def unit_notice(close: PeriodClose, node: OrgNode) -> UnitNotice:
    """The node's count per grade and every person's line, read once for both of its files."""
    words = Wording()
    return UnitNotice(node.pk, summary(close, node, words), list(lines(close, node, words)))


def write_xlsx(
    target: Any, close: PeriodClose, node: OrgNode, notice: UnitNotice | None = None
) -> None:
    """The notice as a workbook (a summary sheet and one row per person); `notice`, when given,
    is the node's notice already read (`unit_notice`)."""
    words = Wording()
    counts = notice.summary if notice else summary(close, node, words)
    people = (
        [line.unit, line.name, line.id_number, line.category, float(line.earned), line.status,
         line.grade]
        for line in (notice.lines if notice else lines(close, node, words))
    )  # fmt: skip
    write_workbook(
        target,
        [
            Sheet(_("Summary"), [_("Grade"), pgettext("count", "People")], counts),
            Sheet(_("People"), _headers(), people),
        ],
    )


def title(close: PeriodClose, node: OrgNode) -> str:
    return _("Results notice of %(period)s: %(node)s") % {"period": close.period, "node": node.name}


def render_pdf(close: PeriodClose, node: OrgNode, notice: UnitNotice | None = None) -> bytes:
    """The notice as an A4 PDF: a title, the count per grade, then one row per person; `notice`,
    when given, is the node's notice already read (`unit_notice`)."""
    words = Wording()
    pdf = document()
    pdf.add_page()
    pdf.set_font(FONT, "B", 16)
    pdf.cell(0, 12, title(close, node), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 10)
    pdf.cell(
        0,
        7,
        _("Grades fixed on %(day)s.") % {"day": (close.regraded_at or close.closed_at).date()},
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(2)
    for label, count in notice.summary if notice else summary(close, node, words):
        pdf.cell(60, 7, label, border=1)
        pdf.cell(30, 7, str(count), border=1, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    widths = (42, 24, 40, 30, 16, 0)
    headings = [_("Unit"), pgettext("person", "Name"), _("ID number"), _("Personnel category"),
                _("Counted"), _("Grade")]  # fmt: skip
    pdf.set_font(FONT, "B", 9)
    for width, heading in zip(widths, headings, strict=True):
        pdf.cell(width, 7, heading, border=1, new_x="RIGHT", new_y="TOP")
    pdf.ln(7)
    pdf.set_font(FONT, "", 9)
    for line in notice.lines if notice else lines(close, node, words):
        values = [line.unit[:14], line.name, line.id_number, line.category[:10],
                  fmt(line.earned), line.grade or line.status]  # fmt: skip
        for width, value in zip(widths, values, strict=True):
            pdf.cell(width, 6, value, border=1, new_x="RIGHT", new_y="TOP")
        pdf.ln(6)
    return bytes(pdf.output())


def count(close: PeriodClose, node: OrgNode) -> int:
    return queries.unit_lines(close, node).count()
