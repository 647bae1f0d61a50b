"""Exam certificates: the verification code (derived from the attempt with the site's secret key,
so a certificate cannot be made up and anyone can check one they are shown), the PDF of a passed
attempt (Chinese, the fonts the app ships, a QR code of the public verification page), and the
lookup that page does — showing only what the certificate itself shows, the ID number masked."""

import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from xuefen.core.pdf import FONT, document, qr_png
from xuefen.exams.models import Attempt, AttemptStatus
from xuefen.orgs.idnumber import mask

SALT = "xuefen.exams.certificate"
CODE = re.compile(r"^KS(\d{6,})-([0-9A-F]{10})$")


def code_for(attempt: Attempt) -> str:
    digest = salted_hmac(
        SALT, f"{attempt.pk}:{attempt.person_id}:{attempt.score}", algorithm="sha256"
    ).hexdigest()
    return f"KS{attempt.pk:06d}-{digest[:10].upper()}"


def verify_path(attempt: Attempt) -> str:
    return reverse("exams:verify") + f"?code={code_for(attempt)}"


@dataclass(frozen=True)
class Verified:
    """What a certificate shows, for the public verification page."""

    code: str
    name: str
    id_number: str  # masked
    exam: str
    exam_kind: str
    score: Decimal
    day: str


def verify(raw: str) -> Verified | None:
    """The passed attempt the code was issued for, or None (unknown, made up, or not a pass)."""
    code = re.sub(r"\s+", "", raw or "").upper()[:40]
    match = CODE.match(code)
    if match is None:
        return None
    attempt = (
        Attempt.objects.filter(pk=int(match.group(1)), status=AttemptStatus.GRADED, passed=True)
        .select_related("person", "candidate__exam")
        .first()
    )
    if attempt is None or not hmac.compare_digest(code_for(attempt), code):
        return None
    exam = attempt.candidate.exam
    return Verified(
        code=code,
        name=attempt.person.name,
        id_number=mask(attempt.person.id_number),
        exam=exam.name,
        exam_kind=str(exam.get_kind_display()),
        score=attempt.score or Decimal(0),
        day=_day(attempt),
    )


def _day(attempt: Attempt) -> str:
    when = timezone.localtime(attempt.submitted_at or attempt.started_at)
    return f"{when.year}年{when.month}月{when.day}日"


def certificate_pdf(attempts: Iterable[Attempt], *, site: str | None = None) -> bytes:
    """One A4 page per passed attempt (others are skipped): the candidate, the exam, the score,
    the verification code and a QR code of the public verification page at `site` (an absolute
    base such as "https://xuefen.example.gov.cn"; the page's path alone without it). Chinese, as
    the office hands it out; the fonts are the app's own, subset to the glyphs used."""
    pdf = document()
    pdf.set_title("考试合格证书")
    base = (site or "").rstrip("/")
    pages = 0
    for attempt in attempts:
        if not attempt.passed or attempt.status != AttemptStatus.GRADED:
            continue
        pages += 1
        exam = attempt.candidate.exam
        person = attempt.person
        code = code_for(attempt)
        url = base + verify_path(attempt)
        pdf.add_page()
        pdf.set_font(FONT, "B", 24)
        pdf.cell(0, 20, "考试合格证书", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(8)
        top = pdf.get_y()
        pdf.image(qr_png(url), x=pdf.w - pdf.r_margin - 36, y=top, w=36, h=36)
        pdf.set_font(FONT, "", 12)
        for label, value in (
            ("姓名", person.name),
            ("身份证号", mask(person.id_number)),
            ("考试", exam.name),
            ("考试类型", str(exam.get_kind_display())),
            ("成绩", f"{attempt.score:.2f}".rstrip("0").rstrip(".") + " 分"),
            ("合格分数", f"{exam.pass_mark:.2f}".rstrip("0").rstrip(".") + " 分"),
            ("日期", _day(attempt)),
        ):
            pdf.set_font(FONT, "B", 12)
            pdf.cell(30, 10, label)
            pdf.set_font(FONT, "", 12)
            pdf.cell(0, 10, value, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(10)
        pdf.set_font(FONT, "", 10)
        pdf.multi_cell(
            0,
            6,
            f"证书编号（验证码）：{code}\n扫描二维码或访问 {url} 核验本证书。",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    if not pages:
        raise ValueError("no passed attempt to certify")
    return bytes(pdf.output())
