"""What a certificate states (its payload, built once at issue and frozen) and how it is printed.

The payload is plain JSON in Chinese (certificates are official paper); the PDF is rendered from the
payload alone, so the paper, the stored row and the public verification page always agree.
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from functools import cache
from io import BytesIO
from typing import Any

import segno
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from fpdf import FPDF

from xuefen.orgs.models import Person
from xuefen.policy.engine import (
    CreditLine,
    Evaluation,
    RequirementResult,
    State,
    Status,
    fmt,
    unit_label,
)
from xuefen.reports.models import format_code
from xuefen.reports.verdicts import of_evaluation

CERTIFICATE_LANGUAGE = "zh-hans"
COUNTING = (Status.COUNTED, Status.CAPPED)


def category_totals(evaluation: Evaluation) -> dict[str, Decimal]:
    """Counted amount per category tag in the evaluated period (an entry counts for each tag)."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for line in evaluation.lines:
        if line.period == evaluation.period and line.status in COUNTING and line.counted:
            for category in line.categories:
                totals[category] += line.counted
    return dict(totals)


def _result(requirement: RequirementResult) -> str:
    """达标 / 未达标 / 进行中, and 参考 for a requirement that is shown but not needed to pass."""
    word = str(
        {
            State.MET: pgettext("requirement", "Met"),
            State.IN_PROGRESS: pgettext("requirement", "In progress"),
        }.get(requirement.state, pgettext("requirement", "Not met"))
    )
    if requirement.binding:
        return word
    return _("%(result)s (for reference)") % {"result": word}


def _span(line: CreditLine) -> str:
    if line.first_day == line.last_day:
        return line.last_day.isoformat()
    return f"{line.first_day.isoformat()}—{line.last_day.isoformat()}"


def build_payload(
    person: Person,
    evaluation: Evaluation,
    *,
    code: str,
    issued_on: dt.date,
    descriptions: dict[int, str],
) -> dict[str, Any]:
    """The certificate's statement, with every label in Chinese and every amount a string."""
    with translation.override(CERTIFICATE_LANGUAGE):
        verdict = of_evaluation(evaluation)
        unit = str(unit_label(evaluation.unit))
        totals = category_totals(evaluation)
        return {
            "code": code,
            "period": evaluation.period,
            "name": person.name,
            "id_number": person.masked_id_number,
            "unit": person.unit.name,
            "personnel_category": str(person.get_category_display()),
            "amount_unit": unit,
            "total": fmt(evaluation.total_counted),
            "totals": [
                {
                    "category": category,
                    "label": evaluation.category_labels.get(category, category),
                    "amount": fmt(amount),
                }
                for category, amount in sorted(totals.items())
            ],
            "requirements": [
                {
                    "label": r.label,
                    "required": fmt(r.required),
                    "earned": fmt(r.earned),
                    "unit": str(unit_label(r.unit)),
                    "met": r.met,
                    "binding": r.binding,
                    "result": _result(r),
                    "gap": r.gap_text(),
                }
                for r in evaluation.requirements
            ],
            "met": evaluation.met,
            "status": verdict.status_label,
            "grade": evaluation.grade_label,
            "age_bracket": evaluation.age_bracket_label,
            "ruleset": evaluation.ruleset_label,
            "entries": [
                {
                    "date": _span(line),
                    "description": descriptions.get(line.entry_id, line.kind),
                    "categories": [evaluation.category_labels.get(c, c) for c in line.categories],
                    "counted": fmt(line.counted),
                }
                for line in evaluation.lines
                if line.period == evaluation.period and line.status in COUNTING and line.counted
            ],
            "issued_on": issued_on.isoformat(),
        }


def today() -> dt.date:
    return timezone.localdate()


# --- printing --------------------------------------------------------------------------------

FONT = "noto"


@cache
def _font_paths() -> tuple[str, str]:
    base = settings.FONT_DIR
    return str(base / "NotoSansSC-Regular.ttf"), str(base / "NotoSansSC-Bold.ttf")


def _document() -> FPDF:
    # fpdf2 subsets a font by editing its parsed tables in place when it writes the PDF, so a loaded
    # font cannot be shared between documents; each document parses the (lazily read) TTF afresh.
    pdf = FPDF(format="A4")
    regular, bold = _font_paths()
    pdf.add_font(FONT, "", regular)
    pdf.add_font(FONT, "B", bold)
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(True, margin=18)
    return pdf


def _qr_png(url: str) -> BytesIO:
    out = BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=4, border=2)
    out.seek(0)
    return out


def _row(pdf: FPDF, label: str, value: str) -> None:
    pdf.set_font(FONT, "", 10)
    pdf.set_text_color(97, 110, 124)
    pdf.cell(32, 7, label)
    pdf.set_text_color(31, 41, 51)
    pdf.set_font(FONT, "", 11)
    pdf.cell(0, 7, value, new_x="LMARGIN", new_y="NEXT")


def _table(pdf: FPDF, headings: list[str], rows: list[list[str]], widths: list[int]) -> None:
    pdf.set_font(FONT, "B", 9.5)
    pdf.set_fill_color(240, 244, 248)
    for heading, width in zip(headings, widths, strict=True):
        pdf.cell(width, 7, heading, border=1, fill=True)
    pdf.ln()
    pdf.set_font(FONT, "", 9.5)
    for row in rows:
        for value, width in zip(row, widths, strict=True):
            pdf.cell(width, 6.5, value, border=1)
        pdf.ln()


def render_pdf(payload: dict[str, Any], verify_url: str) -> bytes:
    """The certificate as a PDF (Chinese, fonts subset to the glyphs used)."""
    pdf = _document()
    pdf.set_title(f"学时证明 {payload['name']} {payload['period']}")
    pdf.set_subject(payload["code"])
    pdf.set_creator("Xuefen")
    pdf.add_page()
    unit = payload["amount_unit"]

    pdf.set_font(FONT, "B", 20)
    pdf.cell(0, 14, "学时证明", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 10)
    pdf.cell(
        0, 6, f"{payload['period']} 年度继续教育培训学时", align="C", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.ln(4)

    top = pdf.get_y()
    pdf.image(_qr_png(verify_url), x=pdf.w - pdf.r_margin - 32, y=top, w=32, h=32)
    _row(pdf, "姓名", payload["name"])
    _row(pdf, "身份证号", payload["id_number"])
    _row(pdf, "工作单位", payload["unit"])
    _row(pdf, "人员类别", payload["personnel_category"])
    _row(pdf, "年度", str(payload["period"]))
    _row(pdf, "计入总量", f"{payload['total']} {unit}")
    status = payload.get("status") or ("达标" if payload["met"] else "未达标")
    _row(pdf, "等次", f"{payload['grade']}（{status}）")
    pdf.ln(3)

    pdf.set_font(FONT, "B", 12)
    pdf.cell(0, 8, "各类别学时", new_x="LMARGIN", new_y="NEXT")
    _table(
        pdf,
        ["类别", f"计入（{unit}）"],
        [[t["label"], t["amount"]] for t in payload["totals"]] or [["—", "0"]],
        [85, 85],
    )
    pdf.ln(3)
    pdf.set_font(FONT, "B", 12)
    pdf.cell(0, 8, "要求完成情况", new_x="LMARGIN", new_y="NEXT")
    _table(
        pdf,
        ["要求", "应完成", "已完成", "结果"],
        [
            [r["label"], f"{r['required']} {r['unit']}", f"{r['earned']} {r['unit']}",
             r.get("result") or ("达标" if r["met"] else "未达标")]
            for r in payload["requirements"]
        ],
        [64, 36, 36, 34],
    )  # fmt: skip
    pdf.ln(3)
    pdf.set_font(FONT, "B", 12)
    pdf.cell(0, 8, "计入的学时记录", new_x="LMARGIN", new_y="NEXT")
    _table(
        pdf,
        ["日期", "内容", "类别", "计入"],
        [
            [e["date"], e["description"][:22], "、".join(e["categories"])[:12], e["counted"]]
            for e in payload["entries"]
        ] or [["—", "—", "—", "0"]],
        [46, 66, 38, 20],
    )  # fmt: skip
    pdf.ln(6)

    pdf.set_font(FONT, "", 9.5)
    pdf.multi_cell(
        0,
        5.5,
        f"执行规则：{payload['ruleset']}    年龄段：{payload['age_bracket'] or '—'}\n"
        f"出具日期：{payload['issued_on']}\n"
        f"验证码：{format_code(payload['code'])}\n"
        f"扫描二维码或访问 {verify_url} 核验本证明的真实性。",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())
