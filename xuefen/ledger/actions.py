"""Writing the ledger. `post_entry` and `reverse_entry` are the only code that adds ledger rows;
nothing updates or deletes one. Each runs in one transaction that also moves the person's totals,
refreshes their standing and writes the audit record, so the totals are current the moment an
entry lands.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xuefen.audit.actions import record
from xuefen.audit.models import AuditEvent
from xuefen.core.errors import CodedError
from xuefen.ledger.models import OVERALL, Chain, Entry, Standing, Total, Unit
from xuefen.orgs.models import Person

# Sanity bounds on one entry: not policy (rule sets cap what counts), only typo guards.
MAX_AMOUNT = Decimal("1000")
MIN_PERIOD, MAX_PERIOD = 1990, 2100
REVERSAL_SOURCE = "reversal"


class LedgerError(CodedError):
    """A ledger entry that cannot be posted as given."""


def _amount(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise LedgerError(
            "amount_invalid", _("The amount is not a number."), field="amount"
        ) from None
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise LedgerError(
            "amount_invalid", _("The amount must have at most two decimals."), field="amount"
        )
    if amount == 0:
        raise LedgerError("amount_zero", _("The amount must not be zero."), field="amount")
    if abs(amount) > MAX_AMOUNT:
        raise LedgerError(
            "amount_too_large",
            _("The amount %(amount)s is larger than any single activity earns.")
            % {"amount": amount},
            field="amount",
        )
    return amount


def _categories(value: Iterable[Any]) -> list[str]:
    if isinstance(value, str):
        value = [value]
    out: list[str] = []
    for item in value:
        if not isinstance(item, str) or not item.strip() or item.strip() == OVERALL:
            raise LedgerError(
                "category_invalid", _("Each category must be a non-empty code."), field="categories"
            )
        if item.strip() not in out:
            out.append(item.strip())
    if not out:
        raise LedgerError(
            "categories_empty", _("An entry needs at least one category."), field="categories"
        )
    return out


def _validate(
    period: int, activity_date: dt.date, unit: str, source_type: str, source_id: str
) -> None:
    if not isinstance(period, int) or not MIN_PERIOD <= period <= MAX_PERIOD:
        raise LedgerError(
            "period_invalid", _("The period is not a plausible year."), field="period"
        )
    if not isinstance(activity_date, dt.date) or abs(activity_date.year - period) > 1:
        raise LedgerError(
            "activity_date_invalid",
            _("The activity date must be a date near its period."),
            field="activity_date",
        )
    if unit not in Unit.values:
        raise LedgerError("unit_invalid", _("The unit must be hours or credits."), field="unit")
    if not source_type or not source_id:
        raise LedgerError("source_missing", _("An entry must name its source."), field="source_id")


def _lock_chain(person: Person) -> Chain:
    """The person's chain head, locked until the transaction ends: posts for one person queue here.
    (On SQLite the IMMEDIATE transaction already serialises writers.)"""
    chain, _created = Chain.objects.select_for_update().get_or_create(person=person)
    return chain


def _append(actor: Any, person: Person, chain: Chain, fields: dict[str, Any]) -> Entry:
    """Appends one entry to the locked chain, then moves the totals and refreshes the standing."""
    entry = Entry(
        person=person,
        seq=chain.last_seq + 1,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        created_at=timezone.now(),
        prev_hash=chain.last_hash,
        **fields,
    )
    entry.hash = entry.compute_hash()
    entry.save()
    Chain.objects.filter(pk=chain.pk).update(last_seq=entry.seq, last_hash=entry.hash)
    _add_to_totals(entry)
    refresh_after(person, entry.period)
    return entry


def _add_to_totals(entry: Entry) -> None:
    for category in [*entry.categories, OVERALL]:
        moved = Total.objects.filter(
            person_id=entry.person_id, period=entry.period, category=category, unit=entry.unit
        ).update(amount=F("amount") + entry.amount)
        if not moved:
            Total.objects.create(
                person_id=entry.person_id,
                period=entry.period,
                category=category,
                unit=entry.unit,
                amount=entry.amount,
            )


@transaction.atomic
def post_entry(
    actor: Any,
    person: Person,
    *,
    period: int,
    activity_date: dt.date,
    categories: Sequence[str],
    amount: Decimal | int | str,
    unit: str,
    source_type: str,
    source_id: str,
    kind: str = "",
    artefact_key: str = "",
    description: str = "",
    evidence: str = "",
    approved_by: Any = None,
) -> Entry:
    """Appends a credit to the person's ledger, moves their totals and refreshes their standing.

    Idempotent on (person, source_type, source_id): a repeat returns the entry already posted and
    writes nothing. Refuses a zero or implausible amount, an unknown unit, empty categories and an
    implausible period with a LedgerError naming the field.
    """
    source_id = str(source_id)
    chain = _lock_chain(person)
    # Checked under the lock, so a repeat sent twice at once also returns the first entry.
    existing = Entry.objects.filter(
        person=person, source_type=source_type, source_id=source_id
    ).first()
    if existing is not None:
        return existing
    _validate(period, activity_date, unit, source_type, source_id)
    fields = {
        "period": period,
        "activity_date": activity_date,
        "categories": _categories(categories),
        "amount": _amount(amount),
        "unit": unit,
        "kind": kind,
        "artefact_key": artefact_key,
        "source_type": source_type,
        "source_id": source_id,
        "description": description[:300],
        "evidence": evidence[:300],
        "approved_by": approved_by,
        "approved_at": timezone.now() if approved_by is not None else None,
    }
    entry = _append(actor, person, chain, fields)
    record(
        actor,
        AuditEvent.Action.POST,
        entry,
        person_id=person.pk,
        node_path=person.unit.path,
        object_repr=str(entry),
        changes={
            "period": period,
            "amount": str(entry.amount),
            "unit": unit,
            "categories": entry.categories,
            "source": f"{source_type}:{source_id}",
        },
    )
    return entry


@transaction.atomic
def reverse_entry(actor: Any, entry: Entry, reason: str) -> Entry:
    """Cancels an entry by appending its negation (reverses=entry). An entry is reversed at most
    once, and a reversal itself cannot be reversed (post the credit again instead)."""
    reason = (reason or "").strip()
    if not reason:
        raise LedgerError("reason_missing", _("Say why the entry is reversed."), field="reason")
    person = Person.objects.select_related("unit").get(pk=entry.person_id)
    # Lock the chain first so that two reversals of the same entry are judged one after the other.
    chain = _lock_chain(person)
    if entry.reverses_id is not None:
        raise LedgerError(
            "reversal_of_reversal", _("A reversal cannot itself be reversed."), field="entry"
        )
    if Entry.objects.filter(reverses=entry).exists():
        raise LedgerError(
            "already_reversed", _("This entry has already been reversed."), field="entry"
        )
    fields = {
        "period": entry.period,
        "activity_date": entry.activity_date,
        "categories": list(entry.categories),
        "amount": -entry.amount,
        "unit": entry.unit,
        "kind": entry.kind,
        "artefact_key": entry.artefact_key,
        "source_type": REVERSAL_SOURCE,
        "source_id": str(entry.pk),
        "description": reason[:300],
        "evidence": "",
        "approved_by": actor if getattr(actor, "is_authenticated", False) else None,
        "approved_at": timezone.now() if getattr(actor, "is_authenticated", False) else None,
        "reverses": entry,
    }
    reversal = _append(actor, person, chain, fields)
    record(
        actor,
        AuditEvent.Action.REVERSE,
        reversal,
        person_id=person.pk,
        node_path=person.unit.path,
        object_repr=str(reversal),
        changes={"reverses": entry.pk, "amount": str(reversal.amount), "reason": reason},
    )
    return reversal


def refresh_standing(person: Person, period: int) -> Standing:
    """Re-judges the person's period with the rule set in force and stores the result.

    Without a rule set for the person the standing says so: not met, no grade, no rule set.
    """
    from xuefen.ledger.standing import judge

    met, grade, earned, ruleset = judge(person, period)
    standing, _created = Standing.objects.update_or_create(
        person=person,
        period=period,
        defaults={
            "met": met,
            "grade": grade,
            "earned": earned,
            "ruleset": ruleset,
            "evaluated_at": timezone.now(),
        },
    )
    return standing


def refresh_after(person: Person, period: int) -> None:
    """Refreshes the standing of `period` and of every later period already judged whose window
    (multi-year requirement or carry-over) reaches back to `period`.
    Bounded by the person's standings."""
    from xuefen.ledger.standing import window_reaches

    refresh_standing(person, period)
    later = Standing.objects.filter(person=person, period__gt=period).values_list(
        "period", flat=True
    )
    for other in sorted(later):
        if window_reaches(person, other, period):
            refresh_standing(person, other)
