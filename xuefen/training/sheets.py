"""The printed sign-in sheet of a session (签到表): the fallback when the rotating code cannot be
used. One A4 page (or more) in Chinese with the session's facts and a row per learner on the
roster to sign at arrival and departure; the signed sheet is scanned and uploaded with the
people who signed ticked (`actions.record_sheet`)."""

from collections.abc import Sequence

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from xuefen.core.pdf import FONT, document
from xuefen.orgs.models import Person
from xuefen.training.models import Session

SHEET_LANGUAGE = "zh-hans"
WIDTHS = (14, 34, 66, 28, 28)  # 序号, 姓名, 单位, 签到, 签退 (mm; the page is 170 mm wide)
ROW = 9


def render_sheet(session: Session, people: Sequence[Person]) -> bytes:
    klass = session.klass
    with translation.override(SHEET_LANGUAGE):
        pdf = document()
        pdf.set_title(_("Sign-in sheet"))
        headers = (
            _("No."),
            pgettext("person", "Name"),
            _("Unit"),
            _("In (signature)"),
            _("Out (signature)"),
        )
        facts = [
            (_("Class"), f"{klass.name}（{klass.code}）"),
            (
                _("Session"),
                f"{session.date:%Y-%m-%d} {session.get_half_display()} "
                f"{session.starts_at:%H:%M}–{session.ends_at:%H:%M}",
            ),
            (_("Topic"), session.topic),
            (_("Teacher"), session.teacher.name if session.teacher else "—"),
            (_("Place"), session.place or klass.place or "—"),
        ]

        def header() -> None:
            pdf.set_font(FONT, "B", 16)
            pdf.cell(0, 12, _("Sign-in sheet"), align="C", new_x="LMARGIN", new_y="NEXT")
            pdf.set_font(FONT, "", 10.5)
            for label, value in facts:
                pdf.cell(22, 7, label)
                pdf.cell(0, 7, value, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
            pdf.set_font(FONT, "B", 10.5)
            for width, text in zip(WIDTHS, headers, strict=True):
                pdf.cell(width, ROW, text, border=1, align="C")
            pdf.ln(ROW)
            pdf.set_font(FONT, "", 10.5)

        pdf.add_page()
        header()
        for number, person in enumerate(people, start=1):
            if pdf.will_page_break(ROW):
                pdf.add_page()
                header()
            cells = (str(number), person.name, person.unit.name[:24], "", "")
            for width, text in zip(WIDTHS, cells, strict=True):
                pdf.cell(width, ROW, text, border=1, align="C" if width < 20 else "L")
            pdf.ln(ROW)
        pdf.ln(4)
        pdf.set_font(FONT, "", 9)
        pdf.multi_cell(
            0,
            5,
            _(
                "Used when the rotating code cannot be scanned. The class administrator uploads "
                "the scan of the signed sheet and ticks who signed; both are kept in the audit "
                "trail."
            ),
        )
        return bytes(pdf.output())
