"""Catching bad claims before a reviewer sees them. Each check returns (code, reason) pairs; the
action stores them on the claim when it is submitted or resubmitted.

The duplicate check looks at other people's claims of single-author types (that is its point), so
it reads claims unscoped; its reason names only the claim number, never the other person.
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from xuefen.claims import pricing
from xuefen.claims.models import Claim, Flag, Status
from xuefen.ledger.models import Entry
from xuefen.policy.engine import fmt
from xuefen.policy.schema import RuleSetData

Found = tuple[str, str]
LIVE = (Status.SUBMITTED, Status.UNIT_CHECKED, Status.CREDITED)
DEFAULT_HOURS_PER_DAY = Decimal(8)


def evidence_missing(claim: Claim) -> list[Found]:
    have = {e.requirement for e in claim.evidence_files.all()}
    return [
        (Flag.Code.EVIDENCE_MISSING, _("No file for “%(label)s”.") % {"label": spec["label_text"]})
        for spec in claim.claim_type.evidence_specs()
        if spec["required"] and spec["code"] not in have
    ]


def late(claim: Claim, deadline_text: str) -> list[Found]:
    if not claim.is_late:
        return []
    return [(Flag.Code.LATE, _("Submitted after the deadline %(d)s.") % {"d": deadline_text})]


def unscoped_duplicates(claim: Claim) -> list[Found]:
    """The same artefact in another live claim: the person's own, or anybody's for single-author
    types."""
    if not claim.artefact_key:
        return []
    others = Claim.objects.filter(artefact_key=claim.artefact_key, status__in=LIVE).exclude(
        pk=claim.pk
    )
    if not claim.claim_type.single_author:
        others = others.filter(person_id=claim.person_id)
    found: list[Found] = []
    for other_id, person_id in others.values_list("pk", "person_id").order_by("pk")[:5]:
        if person_id == claim.person_id:
            text = _("The same artefact is already claimed in claim #%(n)s.") % {"n": other_id}
        else:
            text = _(
                "The same artefact is claimed by another person in claim #%(n)s "
                "(a single-author item counts for one person only)."
            ) % {"n": other_id}
        found.append((Flag.Code.DUPLICATE, text))
    return found


def _full_day_kinds(rules: RuleSetData | None) -> set[str]:
    """Ledger kinds that fill whole days: the conversions of full-day claim types and, from the
    person's rule set, every conversion counted per day."""
    from xuefen.claims.models import ClaimType

    kinds = set(
        ClaimType.objects.filter(full_day=True)
        .exclude(conversion_kind="")
        .values_list("conversion_kind", flat=True)
    )
    if rules is not None:
        kinds |= {k for k, c in rules.conversions.items() if c.method == "per_day"}
    return kinds


def _full_days_in_ledger(
    claim: Claim, kinds: set[str], days: set[dt.date]
) -> list[tuple[dt.date, str]]:
    """(day, description) of each of the claim's days that a ledger entry of a full-day kind fills:
    every day of the entry's span, unless it says it took fewer days than its span (a part-time
    class over weeks: which days is not known, so none is claimed)."""
    rows = Entry.objects.filter(
        person_id=claim.person_id,
        first_day__lte=claim.end_date,
        last_day__gte=claim.start_date,
        kind__in=sorted(kinds),
        reverses__isnull=True,
        reversals__isnull=True,
    ).values_list("first_day", "last_day", "days", "description")
    out: list[tuple[dt.date, str]] = []
    for first, last, taken, description in rows:
        span = (last - first).days + 1
        if taken is not None and taken < span:
            continue
        for offset in range(span):
            day = first + dt.timedelta(days=offset)
            if day in days:
                out.append((day, description))
    return out


def time_conflicts(claim: Claim, rules: RuleSetData | None) -> list[Found]:
    """Two full-day activities on one day, and more than 24 hours of activity in one day, against
    the person's other live claims and their ledger entries of full-day kinds (that person only).
    A claim or entry that took fewer days than its span fills none of them whole."""
    hours_per_day = rules.hours_per_day if rules is not None else DEFAULT_HOURS_PER_DAY
    days = set(claim.days)
    others = list(
        Claim.objects.filter(
            person_id=claim.person_id,
            status__in=LIVE,
            start_date__lte=claim.end_date,
            end_date__gte=claim.start_date,
        )
        .exclude(pk=claim.pk)
        .select_related("claim_type")
    )
    entries = _full_days_in_ledger(claim, _full_day_kinds(rules), days)
    found: list[Found] = []
    if claim.full_days:
        for other in others:
            if other.full_days:
                first = max(claim.start_date, other.start_date)
                found.append(
                    (
                        Flag.Code.OVERLAP,
                        _("%(day)s is also a full day of claim #%(n)s.")
                        % {"day": first.isoformat(), "n": other.pk},
                    )
                )
        for day, description in entries:
            found.append(
                (
                    Flag.Code.OVERLAP,
                    _("%(day)s is also a full day of “%(what)s” in the ledger.")
                    % {"day": day.isoformat(), "what": description},
                )
            )
    hours: dict = defaultdict(Decimal)
    for item in [claim, *others]:
        per_day = pricing.daily_hours(item, hours_per_day)
        for day in item.days:
            if day in days:
                hours[day] += per_day
    for day, _description in entries:
        hours[day] += hours_per_day
    for day in sorted(hours):
        if hours[day] > 24:
            found.append(
                (
                    Flag.Code.OVER_24H,
                    _("%(day)s adds up to %(h)s hours of activity.")
                    % {"day": day.isoformat(), "h": fmt(hours[day])},
                )
            )
    return found


def caps(claim: Claim, rules: RuleSetData | None, price: pricing.Pricing) -> list[Found]:
    """A conversion cap that cut the amount, and a rule-set cap per item or per period that the
    claim (with the person's credits of the same kind that period) goes over."""
    found: list[Found] = []
    if price.capped:
        found.append((Flag.Code.CAPPED, price.note))
    kind = claim.claim_type.conversion_kind
    if rules is None or price.amount is None or not kind:
        return found
    for cap in rules.caps:
        if cap.kinds and kind not in cap.kinds:
            continue
        if not cap.kinds or cap.per == "day":
            continue
        label = str(cap.label)
        if cap.per == "item" and price.amount > cap.max:
            found.append(
                (
                    Flag.Code.CAPPED,
                    _("%(amount)s is above “%(cap)s”: at most %(max)s per item.")
                    % {"amount": fmt(price.amount), "cap": label, "max": fmt(cap.max)},
                )
            )
        if cap.per == "period":
            for part in price.parts:
                period = rules.calendar.period_of(part.last_day)
                already = _period_sum(claim, kind, period)
                if already + part.amount > cap.max:
                    found.append(
                        (
                            Flag.Code.CAPPED,
                            _(
                                "%(period)s: %(total)s with this claim, above “%(cap)s”: "
                                "at most %(max)s a year."
                            )
                            % {
                                "period": period,
                                "total": fmt(already + part.amount),
                                "cap": label,
                                "max": fmt(cap.max),
                            },
                        )
                    )
    return found


def _period_sum(claim: Claim, kind: str, period: int) -> Decimal:
    """The person's ledger credits of `kind` in `period` plus their other live claims not yet
    credited (credited ones are in the ledger already)."""
    ledger = sum(
        Entry.objects.filter(person_id=claim.person_id, period=period, kind=kind).values_list(
            "amount", flat=True
        ),
        Decimal(0),
    )
    pending = sum(
        (
            c.amount or Decimal(0)
            for c in Claim.objects.filter(
                Q(status=Status.SUBMITTED) | Q(status=Status.UNIT_CHECKED),
                person_id=claim.person_id,
                period=period,
                claim_type__conversion_kind=kind,
            ).exclude(pk=claim.pk)
        ),
        Decimal(0),
    )
    return ledger + pending


def no_rule(claim: Claim, price: pricing.Pricing) -> list[Found]:
    if price.amount is not None:
        return []
    reason = _("No rule of the person's rule set prices “%(type)s”; the office sets the amount.")
    reason = reason % {"type": claim.claim_type.name}
    if price.note:
        reason = f"{reason} ({price.note})"
    return [(Flag.Code.NO_RULE, reason)]
