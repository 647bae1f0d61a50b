"""The archive on paper: an archive is turned into plain data (every code already worded, every
date and amount a string), then drawn into an A4 document with the shipped Chinese font. The same
data serves one person's PDF and a unit's bulk print (where it is kept, one line per person, while
the worker goes)."""

import datetime as dt
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from fpdf import FPDF

from xuefen.archive.queries import Archive
from xuefen.core.pdf import FONT, document

# Archives are official paper, printed in Chinese whatever the reader's page language.
PDF_LANGUAGE = "zh-hans"


def _text(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(_("Passed") if value else _("Not passed"))
    return str(value)


def _span(first: Any, last: Any) -> str:
    if not first and not last:
        return "—"
    if first == last or not last:
        return _text(first)
    return f"{_text(first)}—{_text(last)}"


def to_data(archive: Archive) -> dict[str, Any]:
    """The archive as the paper states it, in the active language: sections of (title, headings,
    widths, rows), all strings."""
    person = archive.person
    sections = [
        (
            _("Classes"),
            [_("Year"), pgettext("class", "Name"), _("Dates"), _("Status"), _("Result"),
             _("Credit")],
            [14, 58, 40, 20, 20, 18],
            [[_text(r["year"]), r["name"], _span(r["first_day"], r["last_day"]), r["status"],
              _text(r["result"]), r["credit"]] for r in archive.classes],
        ),
        (
            _("Online courses"),
            [_("Year"), _("Course"), _("Completed on"), _("Test score"), _("Credit")],
            [14, 86, 30, 20, 20],
            [[_text(r["year"]), r["title"], _text(r["completed_at"]), _text(r["test_score"]),
              r["credit"]] for r in archive.courses],
        ),
        (
            _("Exams"),
            [_("Year"), _("Exam"), _("Date"), _("Score"), _("Result"), _("Credit")],
            [14, 60, 26, 20, 24, 26],
            [[_text(r["year"]), f"{r['name']}（{r['kind']}）", _text(r["date"]),
              _text(r["score"]), _text(r["passed"]) if r["passed"] is not None else r["status"],
              r["credit"]] for r in archive.exams],
        ),
        (
            _("Claims"),
            [_("Year"), _("Claim type"), _("Title"), _("Status"), _("Amount")],
            [14, 34, 64, 34, 24],
            [[_text(r["year"]), r["type"], r["title"], r["status"], r["amount"]]
             for r in archive.claims],
        ),
        (
            _("Credits per year and category"),
            [_("Year"), _("Category"), _("Amount")],
            [20, 100, 50],
            [
                row
                for y in archive.credits
                for row in (
                    [[str(y.year), str(_("Total")), "、".join(f"{a} {u}" for a, u in y.total)]]
                    + [["", label, f"{amount} {unit}"] for label, amount, unit in y.categories]
                )
            ],
        ),
        (
            _("Grades"),
            [_("Year"), _("Unit"), _("Counted"), _("Status"), _("Grade")],
            [14, 66, 26, 34, 30],
            [[_text(r["year"]), r["unit"], r["earned"], r["status"], r["grade"]]
             for r in archive.grades],
        ),
        (
            _("Objections"),
            [_("Year"), _("Credit objected to"), _("Reason"), _("Status"), _("Decision")],
            [14, 40, 50, 26, 40],
            [[_text(r["year"]), r["credit"], r["reason"], r["status"], _text(r["decision"])]
             for r in archive.objections],
        ),
    ]  # fmt: skip
    return {
        "title": str(_("Training archive")),
        "fields": [
            [str(pgettext("person", "Name")), person.name],
            [str(_("ID number")), person.masked_id_number],
            [str(_("Unit")), person.unit.name],
            [str(_("Personnel category")), str(person.get_category_display())],
        ],
        "transfers": [
            str(_("%(on)s: from %(from)s to %(to)s") % {**t, "on": _text(t["on"])})
            for t in archive.transfers
        ],
        "horizon": (
            str(
                _(
                    "Years before %(year)s are left out: they lie with the unit the person came "
                    "from until this unit pulls the archive."
                )
                % {"year": archive.horizon.first_year}
            )
            if archive.horizon.first_year is not None and archive.hidden
            else ""
        ),
        "sections": [
            {"title": str(t), "headings": [str(h) for h in hs], "widths": ws, "rows": rows}
            for t, hs, ws, rows in sections
        ],
        "printed_on": dt.date.today().isoformat(),
        "none": str(_("None")),
        "transfers_title": str(_("Transfers")),
        "printed_label": str(_("Printed on %(day)s") % {"day": dt.date.today().isoformat()}),
    }


def _clip(text: str, width: float, pdf: FPDF) -> str:
    if pdf.get_string_width(text) <= width - 2:
        return text
    while text and pdf.get_string_width(text + "…") > width - 2:
        text = text[:-1]
    return text + "…"


def draw(pdf: FPDF, data: dict[str, Any]) -> None:
    """One archive, from a new page on."""
    pdf.add_page()
    pdf.set_font(FONT, "B", 18)
    pdf.cell(0, 12, data["title"], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    for label, value in data["fields"]:
        pdf.set_font(FONT, "B", 10.5)
        pdf.cell(30, 7, label)
        pdf.set_font(FONT, "", 10.5)
        pdf.cell(0, 7, value, new_x="LMARGIN", new_y="NEXT")
    if data["transfers"]:
        pdf.set_font(FONT, "B", 10.5)
        pdf.cell(30, 7, data["transfers_title"])
        pdf.set_font(FONT, "", 10.5)
        pdf.multi_cell(0, 7, "\n".join(data["transfers"]), new_x="LMARGIN", new_y="NEXT")
    if data["horizon"]:
        pdf.set_font(FONT, "", 9)
        pdf.multi_cell(0, 5, data["horizon"], new_x="LMARGIN", new_y="NEXT")
    for section in data["sections"]:
        pdf.ln(3)
        pdf.set_font(FONT, "B", 12)
        pdf.cell(0, 8, section["title"], new_x="LMARGIN", new_y="NEXT")
        if not section["rows"]:
            pdf.set_font(FONT, "", 9.5)
            pdf.cell(0, 6, data["none"], new_x="LMARGIN", new_y="NEXT")
            continue
        widths = section["widths"]
        pdf.set_font(FONT, "B", 9)
        pdf.set_fill_color(240, 244, 248)
        for heading, width in zip(section["headings"], widths, strict=True):
            pdf.cell(width, 7, _clip(heading, width, pdf), border=1, fill=True)
        pdf.ln()
        pdf.set_font(FONT, "", 9)
        for row in section["rows"]:
            for value, width in zip(row, widths, strict=True):
                pdf.cell(width, 6.5, _clip(value, width, pdf), border=1)
            pdf.ln()
    pdf.ln(4)
    pdf.set_font(FONT, "", 8.5)
    pdf.cell(0, 6, data["printed_label"], align="R", new_x="LMARGIN", new_y="NEXT")


def render(archive_data: dict[str, Any]) -> bytes:
    pdf = document()
    pdf.set_title(archive_data["title"])
    draw(pdf, archive_data)
    return bytes(pdf.output())


def person_pdf(build: Any) -> bytes:
    """One person's archive PDF: `build()` reads the archive, in the PDF's language."""
    with translation.override(PDF_LANGUAGE):
        return render(to_data(build()))
