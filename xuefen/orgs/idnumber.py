"""Chinese resident identity numbers (GB 11643-1999): 18 characters, the last a check character.

Layout: 6-digit area code, 8-digit birth date (YYYYMMDD), 3-digit sequence whose last digit is odd
for men and even for women, and a check character computed over the first 17 digits
(ISO 7064 MOD 11-2).
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from xuefen.core.errors import CodedError
from xuefen.orgs.errors import Code

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
_PATTERN = re.compile(r"^\d{17}[\dX]$")


class IdNumberError(CodedError):
    pass


@dataclass(frozen=True)
class IdNumber:
    value: str
    birth_date: dt.date
    sex: str  # "M" or "F", as Person.Sex

    @property
    def masked(self) -> str:
        return mask(self.value)


def check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def normalize(raw: str) -> str:
    """Strips spaces (also full-width ones Excel users paste) and upper-cases a trailing x."""
    return "".join(str(raw).split()).replace("\u3000", "").upper()


def parse(raw: str, *, today: dt.date | None = None) -> IdNumber:
    """Validates an 18-character ID number and returns it with the birth date and sex it encodes.

    Raises IdNumberError with a stable code and a message that says what is wrong.
    """
    value = normalize(raw)
    if not value:
        raise IdNumberError(Code.ID_EMPTY, _("The ID number is empty."))
    if len(value) == 15 and value.isdigit():
        raise IdNumberError(
            Code.ID_15_DIGIT,
            _("Old 15-digit ID numbers are no longer accepted; enter the 18-digit number."),
        )
    if len(value) != 18:
        raise IdNumberError(
            Code.ID_LENGTH,
            _("An ID number has 18 characters; this one has %(n)d.") % {"n": len(value)},
        )
    if not _PATTERN.match(value):
        raise IdNumberError(
            Code.ID_CHARACTERS,
            _("An ID number is 17 digits followed by a digit or X."),
        )
    try:
        birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise IdNumberError(
            Code.ID_BIRTH_DATE,
            _("The birth date in the ID number (%(digits)s) is not a real date.")
            % {"digits": value[6:14]},
        ) from None
    today = today or dt.date.today()
    if birth > today or birth.year < 1900:
        raise IdNumberError(
            Code.ID_BIRTH_DATE,
            _("The birth date in the ID number (%(digits)s) is impossible.")
            % {"digits": value[6:14]},
        )
    expected = check_char(value[:17])
    if value[17] != expected:
        raise IdNumberError(
            Code.ID_CHECK_DIGIT,
            _("The check character of the ID number is wrong (expected %(expected)s).")
            % {"expected": expected},
        )
    sex = "M" if int(value[16]) % 2 else "F"
    return IdNumber(value=value, birth_date=birth, sex=sex)


def mask(value: str) -> str:
    """Shows the first four and last four characters: 3101**********1234."""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def make(area: str, birth: dt.date, sequence: int, sex: str) -> str:
    """Builds a valid ID number (for demo data and tests).

    sequence is 0..499; sex fixes the parity.
    """
    seq = sequence * 2 + (1 if sex == "M" else 0)
    if seq > 999:
        raise ValueError("sequence out of range")
    first17 = f"{area}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_char(first17)
