"""Chinese PDF documents: an A4 fpdf2 document with the shipped Noto Sans SC fonts (regular and
bold, subset to the glyphs used), and QR codes. The activation letters use it; the certificates
(reports.certificates) set up the same document."""

from io import BytesIO

import segno
from django.conf import settings
from fpdf import FPDF

FONT = "noto"


def document() -> FPDF:
    # fpdf2 subsets a font by editing its parsed tables in place when it writes the PDF, so a loaded
    # font cannot be shared between documents; each document parses the (lazily read) TTF afresh.
    pdf = FPDF(format="A4")
    base = settings.FONT_DIR
    pdf.add_font(FONT, "", str(base / "NotoSansSC-Regular.ttf"))
    pdf.add_font(FONT, "B", str(base / "NotoSansSC-Bold.ttf"))
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_creator("Xuefen")
    return pdf


def qr_png(text: str) -> BytesIO:
    out = BytesIO()
    segno.make(text, error="m").save(out, kind="png", scale=4, border=2)
    out.seek(0)
    return out
