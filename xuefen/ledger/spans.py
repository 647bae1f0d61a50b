"""What makes an activity's span and days acceptable, said once for every way in (the writer,
claims, rosters, the API): the last day not before the first; days, where given, a positive number
of half days that fits between them; the whole span inside one period of the person's calendar.

Each check raises SpanError with a stable code and the field it concerns ("first_day" or "days");
a way in re-raises it as its own error or names the sender's column."""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_lazy as _

from xuefen.core.errors import CodedError
from xuefen.ledger.errors import Code

HALF_DAY = Decimal("0.5")


class SpanError(CodedError):
    """A span or a number of days that cannot be an activity's."""


def span_days(first: dt.date, last: dt.date) -> int:
    """Calendar days from the first to the last day, both included."""
    return (last - first).days + 1


def check_order(first: dt.date, last: dt.date) -> None:
    if last < first:
        raise SpanError(
            Code.SPAN_REVERSED,
            _("The last day (%(last)s) is before the first day (%(first)s).")
            % {"last": last.isoformat(), "first": first.isoformat()},
            field="first_day",
        )


def check_days(days: Any, first: dt.date, last: dt.date) -> Decimal | None:
    """The days as a Decimal (None when not given), or SpanError: not a positive number of half
    days, or more days than the span has."""
    if days is None or days == "":
        return None
    try:
        value = Decimal(str(days))
    except (InvalidOperation, ValueError):
        value = Decimal(-1)
    if not value.is_finite() or value <= 0 or value % HALF_DAY != 0:
        raise SpanError(
            Code.DAYS_INVALID,
            _("The days must be a positive number in steps of half a day."),
            field="days",
        )
    span = span_days(first, last)
    if value > span:
        raise SpanError(
            Code.DAYS_EXCEED_SPAN,
            _("%(days)s days do not fit between %(first)s and %(last)s (%(span)s days).")
            % {
                "days": value.normalize(),
                "first": first.isoformat(),
                "last": last.isoformat(),
                "span": span,
            },
            field="days",
        )
    return value


def check_period(period_of: Callable[[dt.date], int], first: dt.date, last: dt.date) -> int:
    """The period the last day falls in; SpanError when the first day falls in another."""
    period = period_of(last)
    before = period_of(first)
    if before != period:
        raise SpanError(
            Code.SPAN_CROSSES_PERIODS,
            _(
                "The activity runs from %(first)s to %(last)s, across the years %(a)s and %(b)s; "
                "record the part of each year on its own."
            )
            % {"first": first.isoformat(), "last": last.isoformat(), "a": before, "b": period},
            field="first_day",
        )
    return period
