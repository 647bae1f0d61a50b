"""Failed log-ins and activations, counted and slowed down.

Every failed try is counted under the identity typed (a username or an ID number, whether or not
an account exists: the count says nothing about existence) and under the client's address. Past a
number of free failures (XUEFEN_LOCKOUT_ATTEMPTS per identity, XUEFEN_LOGIN_ADDRESS_FAILURES per
address) each further failure makes that key wait twice as long as the one before, from one
second up to XUEFEN_LOCKOUT_MINUTES. Failures drain away with time (one an hour per identity, one
every two minutes per address: an office behind one NAT address may mistype thirty passwords an
hour without anyone waiting). There is no lock that
anyone can put on someone else's account for good: a browser the account has logged in from
before carries a signed device cookie, and its tries are counted under that device only, so the
office logs in on deadline day however many wrong passwords others send for `office`.

Keys are keyed hashes (the table holds no ID number and no address in clear).
"""

import datetime as dt
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from xuefen.accounts.models import LoginThrottle

DEVICE_COOKIE = "xuefen_device"
DEVICE_SALT = "xuefen.accounts.device"
DEVICE_DAYS = 180
# How fast counted failures drain away, by kind of key.
DRAIN = {"address": dt.timedelta(minutes=2)}
DRAIN_DEFAULT = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Key:
    kind: str  # "identity", "address" or "device"
    value: str

    @property
    def digest(self) -> str:
        return salted_hmac(
            "xuefen.accounts.throttle", f"{self.kind}:{self.value}", algorithm="sha256"
        ).hexdigest()

    @property
    def free_failures(self) -> int:
        if self.kind == "address":
            return int(settings.LOGIN_ADDRESS_FAILURES)
        return int(settings.LOCKOUT_ATTEMPTS)


def identity(text: str) -> Key:
    return Key("identity", text.strip().casefold())


def keys_for(
    typed: str, address: str | None, device: str | None = None, account: Any = None
) -> list[Key]:
    """The keys a try is counted under: a trusted device's own key alone, or else the identity
    typed, the account it names (so that alternating its username and ID number gains nothing)
    and the client's address. The identity typed comes first."""
    if device is not None:
        return [Key("device", device)]
    keys = [identity(typed)]
    if account is not None:
        keys.append(Key("account", str(account.pk)))
    if address:
        keys.append(Key("address", address))
    return keys


def _fresh(row: LoginThrottle, now: dt.datetime) -> int:
    """The row's failures less those drained away since its last one."""
    drained = int((now - row.last_failure_at) / DRAIN.get(row.kind, DRAIN_DEFAULT))
    return max(0, row.failures - drained)


def waiting_until(keys: Iterable[Key]) -> dt.datetime | None:
    """The moment the latest of these keys may try again, if that is still ahead."""
    now = timezone.now()
    until = (
        LoginThrottle.objects.filter(key__in=[k.digest for k in keys], blocked_until__gt=now)
        .order_by("-blocked_until")
        .values_list("blocked_until", flat=True)
        .first()
    )
    return until


def _delay(failures: int, free: int) -> dt.timedelta | None:
    excess = failures - free
    if excess <= 0:
        return None
    longest = settings.LOCKOUT_MINUTES * 60
    return dt.timedelta(seconds=min(2 ** min(excess - 1, 30), longest))


def fail(keys: Iterable[Key]) -> dt.datetime | None:
    """Counts one failure under every key; returns until when the try's keys must now wait, if
    the failure made any of them wait."""
    latest = None
    for key in keys:
        until = _fail_one(key)
        if until is not None and (latest is None or until > latest):
            latest = until
    return latest


def _fail_one(key: Key) -> dt.datetime | None:
    now = timezone.now()
    for _attempt in range(3):  # a concurrent first failure may insert the row first
        try:
            with transaction.atomic():
                row = LoginThrottle.objects.select_for_update().filter(key=key.digest).first()
                if row is None:
                    row = LoginThrottle(key=key.digest, kind=key.kind, failures=0)
                else:
                    row.failures = _fresh(row, now)
                row.failures += 1
                row.last_failure_at = now
                delay = _delay(row.failures, key.free_failures)
                row.blocked_until = now + delay if delay else None
                row.save()
                return row.blocked_until
        except IntegrityError:
            continue
    return None


def clear(keys: Iterable[Key]) -> None:
    LoginThrottle.objects.filter(key__in=[k.digest for k in keys]).delete()


def failures(key: Key) -> int:
    row = LoginThrottle.objects.filter(key=key.digest).first()
    return _fresh(row, timezone.now()) if row else 0


def account_keys(user: Any) -> list[Key]:
    """The keys of an account's own tries: the account, its username and its ID number."""
    keys = [Key("account", str(user.pk)), identity(user.username)]
    person = getattr(user, "person", None)
    if person is not None:
        keys.append(identity(person.id_number))
    return keys


# ----------------------------------------------------------------------------- trusted devices


def trusted_device(request: HttpRequest, user: Any) -> str | None:
    """The device id of the browser's signed cookie, if it belongs to `user` (who logged in from
    this browser before)."""
    raw = request.COOKIES.get(DEVICE_COOKIE)
    if not raw or user is None:
        return None
    try:
        data = signing.loads(raw, salt=DEVICE_SALT, max_age=DEVICE_DAYS * 86400)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("u") != user.pk:
        return None
    device = str(data.get("d", ""))
    # A device that keeps failing is trusted no more, until its account logs in again elsewhere.
    if failures(Key("device", device)) >= Key("device", device).free_failures:
        return None
    return device or None


def remember_device(response: HttpResponse, user: Any) -> None:
    value = signing.dumps({"u": user.pk, "d": secrets.token_urlsafe(12)}, salt=DEVICE_SALT)
    response.set_cookie(
        DEVICE_COOKIE,
        value,
        max_age=DEVICE_DAYS * 86400,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )
