"""What a certificate states (its payload, built once at issue and frozen) and how it is printed.

The payload is plain JSON in Chinese (certificates are official paper); the PDF is rendered from the
payload alone, so the paper, the stored row and the public verification page always agree.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
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

from xuefen.ledger.models import Entry
from xuefen.orgs.models import OrgNode, Person
from xuefen.policy.engine import (
    CreditLine,
    Evaluation,
    RequirementResult,
    State,
    Status,
    fmt,
    unit_label,
)
from xuefen.reports.models import Certificate, format_code
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


def issuer(person: Person) -> str:
    """The issuing office as the certificate names it: the setting, with {region} the name of the
    region the person's unit lies in (the nearest one above it)."""
    region = (
        person.unit.ancestors()
        .filter(kind=OrgNode.Kind.REGION)
        .order_by("-depth")
        .values_list("name", flat=True)
        .first()
    )
    return str(settings.CERTIFICATE_ISSUER).format(region=region or "")


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
        known = list(evaluation.category_labels)

        def order(code: str) -> tuple[int, str]:
            return (known.index(code) if code in known else len(known), code)

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
                # In the rule set's order, which keeps each dimension's categories together.
                for category, amount in sorted(totals.items(), key=lambda kv: order(kv[0]))
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
            "issuer": issuer(person),
            "seal": str(settings.CERTIFICATE_SEAL),
        }


@dataclass(frozen=True)
class Drift:
    """How the person's standing differs today from what their latest certificate states."""

    then_total: str
    then_status: str
    now_total: str
    now_status: str
    entries_since: int


def drift(certificate: Certificate, evaluation: Evaluation | None) -> Drift | None:
    """None when the certificate still states the standing as it is; otherwise what moved: credits
    entered or reversed since it was issued (for its period or an earlier one a window reaches
    back to), or a total or result that differs today (a rule set or an exemption changed)."""
    payload = certificate.payload if isinstance(certificate.payload, dict) else {}
    entries_since = Entry.objects.filter(
        person_id=certificate.person_id,
        period__lte=certificate.period,
        created_at__gt=certificate.issued_at,
    ).count()
    if evaluation is None:
        now_total, now_status = "0", ""
    else:
        now_total, now_status = (
            fmt(evaluation.total_counted),
            of_evaluation(evaluation).status_label,
        )
    then_total, then_status = str(payload.get("total", "")), str(payload.get("status", ""))
    if not entries_since and (then_total, then_status) == (now_total, now_status):
        return None
    return Drift(then_total, then_status, now_total, now_status, entries_since)


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


def _note(pdf: FPDF, text: str) -> None:
    pdf.set_font(FONT, "", 8.5)
    pdf.set_text_color(97, 110, 124)
    pdf.multi_cell(0, 4.8, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(31, 41, 51)


def _clip(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def overlaps(payload: dict[str, Any]) -> bool:
    """True when the category amounts add up to more than the total (an entry counts in each of
    its categories)."""
    try:
        added = sum(Decimal(t["amount"]) for t in payload["totals"])
        return added > Decimal(payload["total"])
    except (ArithmeticError, KeyError, TypeError, ValueError):
        return False


def chinese_date(iso: str) -> str:
    """2026-12-02 as a signed document dates it: 2026年12月2日."""
    day = dt.date.fromisoformat(iso)
    return f"{day.year}年{day.month}月{day.day}日"


def _signature(pdf: FPDF, payload: dict[str, Any]) -> None:
    """The issuing office, the place for its seal and the date, at the foot on the right; kept on
    one page."""
    if pdf.get_y() + 36 > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.ln(8)
    x = pdf.w - pdf.r_margin - 80
    pdf.set_font(FONT, "", 11)
    for text in (
        payload.get("issuer") or "出具单位：____________________",
        payload.get("seal") or "",
        chinese_date(payload["issued_on"]),
    ):
        pdf.set_x(x)
        pdf.cell(80, 8, text, align="C", new_x="LMARGIN", new_y="NEXT")


def render_pdf(payload: dict[str, Any], verify_url: str) -> bytes:
    """The certificate as a PDF (Chinese, fonts subset to the glyphs used)."""
    pdf = _document()
    pdf.set_title(f"学时证明 {payload['name']} {payload['period']}")
    pdf.set_subject(payload["code"])
    pdf.set_creator("Xuefen")
    draw(pdf, payload, verify_url)
    return bytes(pdf.output())


def draw(pdf: FPDF, payload: dict[str, Any], verify_url: str) -> None:
    """The certificate on a new page of `pdf` (a document with the shipped fonts, as
    core.pdf.document makes): one certificate alone, or one of a unit's in bulk (archive)."""
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
    if overlaps(payload):
        example = next((e for e in payload["entries"] if len(e["categories"]) > 1), None)
        such = (
            f"如“{_clip(example['description'], 16)}”既计入"
            + "又计入".join(example["categories"][:2])
            if example
            else "如既是必修又是面授培训"
        )
        _note(
            pdf,
            f"注：一条学时记录在其所属的每个类别中各计一次（{such}），"
            f"故各类别相加大于计入总量（{payload['total']} {unit}）。",
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
    if any(not r.get("binding", True) for r in payload["requirements"]):
        _note(pdf, "注：标“参考”的要求仅供参考，是否完成不影响年度是否达标及等次。")
    pdf.ln(3)
    pdf.set_font(FONT, "B", 12)
    pdf.cell(0, 8, "计入的学时记录", new_x="LMARGIN", new_y="NEXT")
    _table(
        pdf,
        ["日期", "内容", "类别", "计入"],
        [
            [e["date"], _clip(e["description"], 22), _clip("、".join(e["categories"]), 12),
             e["counted"]]
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
        f"验证码：{format_code(payload['code'])}\n"
        f"扫描二维码或访问 {verify_url} 核验本证明的真实性。",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    _signature(pdf, payload)
