"""The rotating check-in code: a signed token naming a session, a direction (in or out) and a time
step. The classroom screen shows the code of the current step; a code is accepted during its step
and the next one (so a scan at the turn of a step still works), never before it, never after.

A learner's phone may need to log in after scanning: the scan is then remembered in that browser's
session for XUEFEN_TRAINING_SCAN_GRACE_SECONDS, so the log-in does not make the code go stale,
and the confirmation page carries a signed receipt of the scan for the same time. Forwarding the
link to another phone carries neither."""

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext as _

from xuefen.training.errors import Code, TrainingError

SALT = "xuefen.training.checkin"
RECEIPT_SALT = "xuefen.training.scan"
IN, OUT = "in", "out"
GRACE_STEPS = 1


def step_seconds() -> int:
    return max(1, int(settings.TRAINING_CODE_STEP_SECONDS))


def step_of(moment: dt.datetime) -> int:
    return int(moment.timestamp()) // step_seconds()


def seconds_left(moment: dt.datetime) -> float:
    """Seconds until the step after `moment` begins (when the screen shows the next code)."""
    step = step_seconds()
    return step - (moment.timestamp() % step)


@dataclass(frozen=True)
class CheckCode:
    session_id: int
    direction: str
    step: int

    @property
    def issued_at(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.step * step_seconds(), tz=dt.UTC)


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT, sep="~")


def make(session_id: int, direction: str, moment: dt.datetime | None = None) -> str:
    """The code the screen shows now (or at `moment`) for the session and direction."""
    if direction not in (IN, OUT):
        raise ValueError(direction)
    step = step_of(moment or timezone.now())
    return _signer().sign(f"{session_id}.{direction}.{step}")


def read(token: str) -> CheckCode:
    """The code's contents if its signature holds (whatever its age); TrainingError otherwise."""
    try:
        value = _signer().unsign(token)
        session_id, direction, step = value.split(".")
        code = CheckCode(int(session_id), direction, int(step))
    except (signing.BadSignature, ValueError):
        raise TrainingError(
            Code.CODE_INVALID, _("This is not a check-in code of this site.")
        ) from None
    if code.direction not in (IN, OUT):
        raise TrainingError(Code.CODE_INVALID, _("This is not a check-in code of this site."))
    return code


def is_fresh(code: CheckCode, moment: dt.datetime | None = None) -> bool:
    now = step_of(moment or timezone.now())
    return 0 <= now - code.step <= GRACE_STEPS


def expired() -> TrainingError:
    return TrainingError(
        Code.CODE_EXPIRED,
        _(
            "This code has expired: the screen shows a new one every %(s)s seconds. Scan the "
            "code on the screen again."
        )
        % {"s": step_seconds()},
    )


def receipt(token: str, user_id: int, scanned_at: dt.datetime) -> str:
    """A signed note that this user scanned this code at that time (the confirmation form's)."""
    return signing.dumps([token, user_id, scanned_at.timestamp()], salt=RECEIPT_SALT)


def read_receipt(value: str, token: str, user_id: int) -> dt.datetime | None:
    """When the user scanned the code, if the receipt is theirs, for this code, and recent."""
    try:
        got, uid, at = signing.loads(
            value, salt=RECEIPT_SALT, max_age=settings.TRAINING_SCAN_GRACE_SECONDS
        )
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if got != token or uid != user_id:
        return None
    return dt.datetime.fromtimestamp(float(at), tz=dt.UTC)


def device_key(cookie_value: str) -> str:
    """What is stored of a device cookie: a keyed hash (the cookie itself stays on the phone)."""
    return hmac.new(
        _device_secret(settings.SECRET_KEY), cookie_value.encode(), hashlib.sha256
    ).hexdigest()[:40]


@cache
def _device_secret(secret_key: str) -> bytes:
    return hashlib.sha256(f"{secret_key}:{SALT}".encode()).digest()
