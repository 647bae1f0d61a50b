"""State changes of the ledger: posting a credit, reversing one, recording an exemption. Every
ledger row goes in through the one writer (`ledger.bulk.post_entries`); nothing updates or deletes
one. Each action runs in one transaction that also moves the person's totals, re-judges their
standings and writes the audit record, so both are current the moment the change lands.
"""

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xuefen.accounts.roles import Cap
from xuefen.accounts.scope import may
from xuefen.audit.actions import record
from xuefen.audit.models import AuditEvent
from xuefen.core.actors import Actor, user_of
from xuefen.core.errors import CodedError, PermissionDenied
from xuefen.ledger import sql, standings
from xuefen.ledger.bulk import (
    MAX_PERIOD,
    MIN_PERIOD,
    REVERSAL_SOURCE,
    LedgerError,
    NewEntry,
    post_entries,
)
from xuefen.ledger.errors import Code
from xuefen.ledger.models import Chain, Entry
from xuefen.orgs.models import Person
from xuefen.policy.engine import fmt
from xuefen.policy.models import Exemption

__all__ = ["LedgerError", "decide_exemption", "post_entry", "record_exemption", "reverse_entry"]


def _posted(actor: Actor, item: NewEntry, note: str = "") -> Entry:
    result = post_entries(actor, [item], note=note)
    if 0 in result.errors:
        raise result.errors[0]
    pk = result.posted.get(0) or result.duplicates[0]
    return _entry(pk)


def _entry(pk: int) -> Entry:
    """The entry, read as the ORM reads it but without compiling a query (a post's last step)."""
    names = tuple(f.attname for f in Entry._meta.concrete_fields)
    (row,) = sql.select(Entry, names, "id = %s", [pk])
    return Entry.from_db(connection.alias, names, row)


@transaction.atomic
def post_entry(
    actor: Actor,
    person: Person,
    *,
    last_day: dt.date,
    categories: Sequence[str],
    amount: Decimal | int | str,
    unit: str,
    source_type: str,
    source_id: str,
    first_day: dt.date | None = None,
    days: Decimal | int | str | None = None,
    kind: str = "",
    artefact_key: str = "",
    artefact_exclusive: bool = False,
    description: str = "",
    evidence: str = "",
    approved_by: Any = None,
    later_share: bool = False,
) -> Entry:
    """Appends a credit to the person's ledger (a one-item call of the one writer): its period is
    where `last_day` falls, its span starts at `first_day` (the last day by default), `days` where
    the activity is measured in days. A `later_share` of a split credit may be dated ahead.

    Idempotent on (person, source_type, source_id): a repeat returns the entry already posted and
    writes nothing. Refuses a bad span, days, amount, unit or categories with a LedgerError naming
    the field, and writes nothing then. The actor needs credits.approve on the person's unit.
    """
    _require(actor, Cap.CREDITS_APPROVE, person)
    item = NewEntry(
        person_id=person.pk,
        first_day=first_day,
        last_day=last_day,
        days=Decimal(str(days)) if days is not None else None,
        categories=tuple(categories),
        amount=Decimal(str(amount)) if not isinstance(amount, Decimal) else amount,
        unit=unit,
        source_type=source_type,
        source_id=str(source_id),
        kind=kind,
        artefact_key=artefact_key,
        artefact_exclusive=artefact_exclusive,
        description=description,
        evidence=evidence,
        approved_by_id=getattr(approved_by, "pk", None),
        later_share=later_share,
    )
    return _posted(actor, item)


@transaction.atomic
def reverse_entry(actor: Actor, entry: Entry, reason: str) -> Entry:
    """Cancels an entry by appending its negation (reverses=entry), in the entry's period. An entry
    is reversed at most once, and a reversal itself cannot be reversed (post the credit again).
    The actor needs credits.approve on the person's unit."""
    _require(actor, Cap.CREDITS_APPROVE, entry.person)
    reason = (reason or "").strip()
    if not reason:
        raise LedgerError(Code.REASON_MISSING, _("Say why the entry is reversed."), field="reason")
    # Lock the chain first so that two reversals of the same entry are judged one after the other.
    Chain.objects.select_for_update().filter(person_id=entry.person_id).first()
    if entry.reverses_id is not None:
        raise LedgerError(
            Code.REVERSAL_OF_REVERSAL, _("A reversal cannot itself be reversed."), field="entry"
        )
    if Entry.objects.filter(reverses=entry).exists():
        raise LedgerError(
            Code.ALREADY_REVERSED, _("This entry has already been reversed."), field="entry"
        )
    approver = user_of(actor)
    item = NewEntry(
        person_id=entry.person_id,
        first_day=entry.first_day,
        last_day=entry.last_day,
        days=entry.days,
        categories=tuple(entry.categories),
        amount=-entry.amount,
        unit=entry.unit,
        source_type=REVERSAL_SOURCE,
        source_id=str(entry.pk),
        kind=entry.kind,
        artefact_key=entry.artefact_key,
        artefact_exclusive=entry.artefact_exclusive,
        description=reason[:300],
        approved_by_id=approver.pk if approver is not None else None,
        reverses_id=entry.pk,
        reverses_period=entry.period,
    )
    return _posted(actor, item)


# --- exemptions --------------------------------------------------------------------------------


class ExemptionError(CodedError):
    pass


def _require(actor: Actor, capability: str, person: Person) -> None:
    """The actor must hold the capability on the person's unit (the system may)."""
    if not may(actor, capability, person.unit):
        raise PermissionDenied(Code.FORBIDDEN, _("You may not do this here."))


def _is_office(actor: Actor, person: Person) -> bool:
    return may(actor, Cap.CREDITS_APPROVE, person.unit)


@transaction.atomic
def record_exemption(
    actor: Actor,
    person: Person,
    *,
    period: int,
    kind: str,
    reason: str,
    months: int | None = None,
    ratio: Decimal | None = None,
    evidence: str = "",
) -> Exemption:
    """Records that `person` is held to less for `period` (months of it or a share waived), with the
    reason and, for one above XUEFEN_EXEMPTION_REVIEW_SHARE, the evidence it rests on; re-judges
    their standings in the same transaction. Nobody records an exemption for their own person.

    Above that share, one recorded by anyone but the credit office is saved awaiting the office
    (`approve_exemption`) and counts only then."""
    _require(actor, Cap.PEOPLE_CHANGE, person)
    _not_own(actor, person)
    if kind not in Exemption.Kind.values:
        raise ExemptionError(Code.BAD_KIND, _("Unknown kind of exemption."), field="kind")
    if not reason.strip():
        raise ExemptionError(Code.REASON_REQUIRED, _("Give the reason."), field="reason")
    if (months is None) == (ratio is None):
        raise ExemptionError(
            Code.MONTHS_OR_RATIO, _("Give either the months or the share waived."), field="months"
        )
    if months is not None and not 0 < months <= 12:
        raise ExemptionError(Code.BAD_MONTHS, _("Months must be 1 to 12."), field="months")
    if ratio is not None and not 0 < ratio <= 1:
        raise ExemptionError(
            Code.BAD_RATIO, _("The share waived must be above 0 and at most 1."), field="ratio"
        )
    if not MIN_PERIOD <= period <= MAX_PERIOD:
        raise ExemptionError(Code.BAD_PERIOD, _("The year is not plausible."), field="period")
    exemption = Exemption(
        person=person,
        period=period,
        kind=kind,
        months=months,
        ratio=ratio,
        reason=reason.strip(),
        evidence=evidence.strip()[:300],
        created_by=user_of(actor),
    )
    large = exemption.share > settings.EXEMPTION_REVIEW_SHARE
    if large and not exemption.evidence:
        raise ExemptionError(
            Code.EVIDENCE_REQUIRED,
            _(
                "An exemption of more than %(share)s%% of the year needs the document it rests "
                "on (its title and number)."
            )
            % {"share": fmt(settings.EXEMPTION_REVIEW_SHARE * 100)},
            field="evidence",
        )
    pending = large and not _is_office(actor, person)
    exemption.status = Exemption.Status.PENDING if pending else Exemption.Status.APPROVED
    exemption.save()
    record(
        actor,
        AuditEvent.Action.CREATE,
        exemption,
        changes={
            "period": [None, period],
            "kind": [None, kind],
            "months": [None, months],
            "ratio": [None, None if ratio is None else str(ratio)],
            "reason": [None, exemption.reason],
            "evidence": [None, exemption.evidence],
            "status": [None, exemption.status],
        },
        node_path=person.unit.path,
        person_id=person.pk,
    )
    if not pending:
        standings.refresh([person.pk], period)
    return exemption


def _not_own(actor: Actor, person: Person) -> None:
    user = user_of(actor)
    if user is not None and user.person_id == person.pk:
        raise PermissionDenied(
            Code.OWN_PERSON, _("Nobody may decide an exemption for themselves; ask the office.")
        )


@transaction.atomic
def decide_exemption(actor: Actor, exemption: Exemption, *, approve: bool, note: str) -> Exemption:
    """The credit office's decision on an exemption awaiting it: approved (it counts from now, the
    standings re-judged) or refused, with a note; by someone other than who recorded it and other
    than its person. A decision already taken is not taken again."""
    locked = (
        Exemption.objects.select_for_update().select_related("person__unit").get(pk=exemption.pk)
    )
    person = locked.person
    # A decision is a person's: the office's, never the system's or a token's.
    user = user_of(actor)
    if user is None or not may(user, Cap.CREDITS_APPROVE, person.unit):
        raise PermissionDenied(Code.FORBIDDEN, _("You may not do this here."))
    _not_own(actor, person)
    if locked.created_by_id is not None and locked.created_by_id == user.pk:
        raise PermissionDenied(
            Code.OWN_RECORD, _("An exemption is decided by someone other than who recorded it.")
        )
    if locked.status != Exemption.Status.PENDING:
        raise ExemptionError(
            Code.ALREADY_DECIDED, _("This exemption has already been decided."), field="status"
        )
    if not note.strip():
        raise ExemptionError(Code.NOTE_REQUIRED, _("Say why."), field="note")
    before = locked.status
    locked.status = Exemption.Status.APPROVED if approve else Exemption.Status.REFUSED
    locked.decided_by = user
    locked.decided_at = timezone.now()
    locked.decision_note = note.strip()[:200]
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    record(
        actor,
        AuditEvent.Action.APPROVE if approve else AuditEvent.Action.REJECT,
        locked,
        changes={"status": [before, locked.status], "note": [None, locked.decision_note]},
        node_path=person.unit.path,
        person_id=person.pk,
    )
    if approve:
        standings.refresh([person.pk], locked.period)
    return locked
