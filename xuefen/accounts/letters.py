"""Activation letters on paper: one A4 page per person, in Chinese (official paper), printed by
the unit in bulk and handed over in person. The code appears only here, once."""

from collections.abc import Sequence

from django.utils import timezone

from xuefen.accounts.actions import IssuedLetter, format_code
from xuefen.core.pdf import FONT, document, qr_png


def render_letters(letters: Sequence[IssuedLetter], activate_url: str, unit_name: str) -> bytes:
    pdf = document()
    pdf.set_title(f"账号激活通知书 {unit_name}")
    for letter in letters:
        person = letter.person
        pdf.add_page()
        pdf.set_font(FONT, "B", 20)
        pdf.cell(0, 14, "学分管理系统账号激活通知书", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(6)
        top = pdf.get_y()
        pdf.image(qr_png(activate_url), x=pdf.w - pdf.r_margin - 34, y=top, w=34, h=34)
        pdf.set_font(FONT, "", 12)
        for label, value in (
            ("姓名", person.name),
            ("身份证号", person.masked_id_number),
            ("工作单位", person.unit.name),
        ):
            pdf.cell(30, 9, label)
            pdf.cell(0, 9, value, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(8)
        pdf.set_font(FONT, "", 12)
        pdf.cell(0, 8, "激活码", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, "B", 26)
        pdf.cell(0, 16, format_code(letter.code), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, "", 11)
        expires = timezone.localtime(letter.expires_at).strftime("%Y-%m-%d")
        purpose = "找回本人账号、重新设置密码" if letter.has_account else "开通本人账号"
        pdf.ln(4)
        pdf.multi_cell(
            0,
            7,
            f"本通知书用于{purpose}。请访问 {activate_url}（或扫描右上方二维码），"
            "输入本人身份证号和上面的激活码，设置只有本人知道的密码。\n"
            f"激活码只能使用一次，有效期至 {expires}；此前发放的激活码随即作废。\n"
            "登录时可使用身份证号或系统生成的用户名，以及您设置的密码。\n"
            "请本人妥善保管，不要交给他人，也不要拍照转发。如遗失，请联系本单位专管员重新发放。",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.ln(10)
        pdf.set_font(FONT, "", 9)
        pdf.cell(0, 6, f"{unit_name} · 发放日期 {timezone.localdate():%Y-%m-%d}")
    return bytes(pdf.output())
