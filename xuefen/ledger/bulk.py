"""The ledger's one writer: `post_entries` adds ledger rows, set-based. `actions.post_entry` and
`actions.reverse_entry` are one-item calls of it; claims, rosters, the API and the manual form all
post through it. Nothing updates or deletes a ledger row.

For every item it validates (the same LedgerError codes whatever the way in), derives the period
from the last day by the calendar of the person's rule set, keeps idempotency on (person,
source_type, source_id), appends to the person's hash chain, and — in the same transaction — moves
the totals, re-judges the standings the new entries change (through the one judge,
`ledger.judging`) and writes one audit record per entry, all in one shape whichever way the entry
came in; a fixed handful of statements per call. A caller posting one large job in many calls (a
roster's chunks) may defer the standings and judge every person it touched once at the end
(`judge_people`). The dialect SQL (and the column lists, from the models) is `ledger.sql`'s.
"""

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from xuefen.audit.actions import client_address
from xuefen.audit.models import AuditEvent
from xuefen.core.actors import Actor, audit_name, user_of
from xuefen.core.errors import CodedError
from xuefen.ledger import spans, sql, standings
from xuefen.ledger.errors import Code
from xuefen.ledger.judging import Facts, Loader, read_facts
from xuefen.ledger.models import GENESIS, OVERALL, Chain, Entry, Total, Unit, chain_hash
from xuefen.policy.engine import Credit

CENT = Decimal("0.01")
# Sanity bounds on one entry: not policy (rule sets cap what counts), only typo guards.
MAX_AMOUNT = Decimal("1000")
MIN_PERIOD, MAX_PERIOD = 1990, 2100
# Length limits of the entry's text columns: longer values are refused per item (one bad row must
# not sink the others).
LIMITS = {"source_type": 40, "source_id": 100, "kind": 40, "artefact_key": 200}
REVERSAL_SOURCE = "reversal"


class LedgerError(CodedError):
    """A ledger entry that cannot be posted as given."""


@dataclass(frozen=True)
class NewEntry:
    """One credit to post. The period is not given: it is where `last_day` falls. `first_day`
    defaults to the last day (a one-day activity); `days` is given where the activity is measured
    in days. A reversal names the entry it reverses and lands in that entry's period. A
    `later_share` is a share of a credit split over periods (degree study over two years), dated
    on the first day of its period: that day may still be ahead."""

    person_id: int
    last_day: dt.date
    categories: tuple[str, ...]
    amount: Decimal
    unit: str  # "hours" | "credits"
    source_type: str
    source_id: str
    first_day: dt.date | None = None
    days: Decimal | None = None
    kind: str = ""
    artefact_key: str = ""
    artefact_exclusive: bool = False
    description: str = ""
    evidence: str = ""
    approved_by_id: int | None = None
    reverses_id: int | None = None
    reverses_period: int | None = None  # the reversed entry's period (reversals only)
    later_share: bool = False


@dataclass
class BulkResult:
    """What became of each item, by its index in the call."""

    posted: dict[int, int] = field(default_factory=dict)  # index -> new entry id
    # index -> id of the entry already in the ledger (or posted earlier in this call)
    duplicates: dict[int, int] = field(default_factory=dict)
    errors: dict[int, LedgerError] = field(default_factory=dict)  # index -> why not posted


_UNIT_LABELS: dict[tuple[str, str | None], str] = {}


@dataclass(slots=True)
class _Row:
    """An entry on its way in: every column of Entry by its attribute name, so the hash, the
    audit text and the INSERT come from the model's own definitions without a model instance per
    row (building 1,000 of those costs more than inserting them)."""

    person_id: int
    seq: int
    period: int
    first_day: dt.date
    last_day: dt.date
    days: Decimal | None
    categories: list[str]
    amount: Decimal
    unit: str
    kind: str
    artefact_key: str
    artefact_exclusive: bool
    source_type: str
    source_id: str
    description: str
    evidence: str
    approved_by_id: int | None
    approved_at: dt.datetime | None
    created_by_id: int | None
    created_at: dt.datetime
    prev_hash: str
    hash: str = ""
    reverses_id: int | None = None
    pk: int | None = None

    def seal(self) -> None:
        self.hash = chain_hash(Entry.hashed_fields(cast(Entry, self)), self.prev_hash)

    def __str__(self) -> str:
        # Entry.__str__ with the unit's label looked up once per unit and language.
        key = (self.unit, translation.get_language())
        label = _UNIT_LABELS.get(key)
        if label is None:
            label = _UNIT_LABELS[key] = str(Unit(self.unit).label)
        amount = f"{Decimal(self.amount).normalize():f}"
        return f"#{self.seq} {self.period} {amount} {label} {self.description}"

    def as_credit(self) -> Credit:
        """As the judge reads it back from the ledger (the column's two decimals)."""
        assert self.pk is not None
        return Credit(
            entry_id=self.pk,
            period=self.period,
            first_day=self.first_day,
            last_day=self.last_day,
            categories=tuple(self.categories),
            amount=self.amount.quantize(CENT),
            unit=self.unit,
            kind=self.kind,
            days=self.days,
            artefact_key=self.artefact_key,
            exclusive=self.artefact_exclusive,
            source_type=self.source_type,
            reverses_id=self.reverses_id,
        )


# The entry table and the audit table, written whole: their columns come from the models, so a
# field added to either is written (or, not given, fails at once).
ENTRIES = sql.Table(Entry)
AUDIT = sql.Table(AuditEvent)
ENTRY_COLUMNS = ENTRIES.columns


# --- validation ------------------------------------------------------------------------------


def _amount(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise LedgerError(
            Code.AMOUNT_INVALID, _("The amount is not a number."), field="amount"
        ) from None
    if not amount.is_finite() or amount != amount.quantize(CENT):
        raise LedgerError(
            Code.AMOUNT_INVALID, _("The amount must have at most two decimals."), field="amount"
        )
    if amount == 0:
        raise LedgerError(Code.AMOUNT_ZERO, _("The amount must not be zero."), field="amount")
    if abs(amount) > MAX_AMOUNT:
        raise LedgerError(
            Code.AMOUNT_TOO_LARGE,
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
                Code.CATEGORY_INVALID,
                _("Each category must be a non-empty code."),
                field="categories",
            )
        if item.strip() not in out:
            out.append(item.strip())
    if not out:
        raise LedgerError(
            Code.CATEGORIES_EMPTY, _("An entry needs at least one category."), field="categories"
        )
    return out


def _span(item: NewEntry, today: dt.date) -> tuple[dt.date, dt.date, Decimal | None]:
    """The first and last day and the days of an item, checked: the last day not before the first
    nor in the future (but for a later share of a split credit, registered on the first day of a
    period ahead), days a positive multiple of ½ and no more than the span."""
    last = item.last_day
    first = item.first_day or last
    if not isinstance(last, dt.date) or not isinstance(first, dt.date):
        raise LedgerError(
            Code.DAY_INVALID, _("The first and last day must be dates."), field="last_day"
        )
    if not MIN_PERIOD <= last.year <= MAX_PERIOD:
        raise LedgerError(
            Code.DAY_INVALID, _("The last day is not a plausible date."), field="last_day"
        )
    try:
        spans.check_order(first, last)
        if last > today and item.reverses_id is None and not item.later_share:
            raise LedgerError(
                Code.DAY_FUTURE,
                _("The last day (%(last)s) is in the future.") % {"last": last.isoformat()},
                field="last_day",
            )
        days = spans.check_days(item.days, first, last)
    except spans.SpanError as error:
        raise LedgerError(error.code, error.message, field=error.field) from None
    return first, last, days


class _Periods:
    """The period a day falls in for a person, by their calendar: asked once per (unit, personnel
    category, day) — a roster repeats those endlessly."""

    def __init__(self, loader: Loader) -> None:
        self.loader = loader
        self.known: dict[tuple[str, str, dt.date], int] = {}

    def of(self, person_id: int, day: dt.date) -> int:
        facts = self.loader.people[person_id]
        key = (facts.unit_path, facts.category, day)
        found = self.known.get(key)
        if found is None:
            found = self.known[key] = self.loader.period_of(person_id, day)
        return found


def _period(periods: _Periods, item: NewEntry, first: dt.date, last: dt.date) -> int:
    """The period the last day falls in, by the person's calendar (a reversal: the period of what
    it reverses); an activity spanning two periods is refused."""
    if item.reverses_period is not None:
        return item.reverses_period
    try:
        return spans.check_period(lambda day: periods.of(item.person_id, day), first, last)
    except spans.SpanError as error:
        raise LedgerError(error.code, error.message, field=error.field) from None


def _check_lengths(item: NewEntry) -> None:
    for name, limit in LIMITS.items():
        if len(str(getattr(item, name))) > limit:
            raise LedgerError(
                Code.FIELD_TOO_LONG,
                _("The %(field)s is longer than %(limit)s characters.")
                % {"field": name, "limit": limit},
                field=name,
            )


def _clean(
    periods: _Periods, item: NewEntry, today: dt.date
) -> tuple[int, dt.date, dt.date, Decimal | None, list[str], Decimal]:
    """The item's period, span, days, categories and amount, checked; raises LedgerError."""
    if item.unit not in Unit.values:
        raise LedgerError(Code.UNIT_INVALID, _("The unit must be hours or credits."), field="unit")
    if not item.source_type or not str(item.source_id):
        raise LedgerError(
            Code.SOURCE_MISSING, _("An entry must name its source."), field="source_id"
        )
    first, last, days = _span(item, today)
    period = _period(periods, item, first, last)
    categories = _categories(item.categories)
    amount = _amount(item.amount)
    _check_lengths(item)
    return period, first, last, days, categories, amount


# --- reading what is there -------------------------------------------------------------------


def _load_people(person_ids: Iterable[int]) -> dict[int, Facts]:
    return read_facts(person_ids)  # (i10judge: without compiling a query)


def _lock_chains(person_ids: list[int]) -> dict[int, tuple[int, str]]:
    """{person: (last seq, last hash)} of `person_ids` (sorted), heads created where missing and
    locked until the transaction ends. Missing heads are inserted first and every head is then
    locked, both in person-id order, so two calls over overlapping people queue instead of
    deadlocking. On SQLite the IMMEDIATE transaction serialises writers."""
    existing: set[int] = set()
    for chunk in sql.chunks(person_ids, sql.MAX_PARAMS):
        existing.update(
            pid
            for (pid,) in sql.select(
                Chain, ("person_id",), *sql.in_list("person_id", chunk, "bigint")
            )
        )
    missing = [pid for pid in person_ids if pid not in existing]
    if missing:
        # A head created meanwhile by someone else is left alone (and waited for on PostgreSQL).
        sql.insert_rows(
            Chain,
            ("person_id", "last_seq", "last_hash"),
            [(pid, 0, GENESIS) for pid in missing],
            conflict="ON CONFLICT (person_id) DO NOTHING",
        )
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    heads: dict[int, tuple[int, str]] = {}
    for chunk in sql.chunks(person_ids, sql.MAX_PARAMS):
        where, params = sql.in_list("person_id", chunk, "bigint")
        rows = sql.select(
            Chain,
            ("person_id", "last_seq", "last_hash"),
            where,
            params,
            f" ORDER BY person_id{lock}",
        )
        heads.update((pid, (seq, digest)) for pid, seq, digest in rows)
    return heads


# --- writing ---------------------------------------------------------------------------------


def _insert_entries(rows: Sequence[_Row]) -> None:
    """Inserts the entries (every column of the model) and sets each row's pk."""
    inserted = ENTRIES.insert(
        [ENTRIES.row_of(r) for r in rows], returning=("person_id", "seq", "id")
    )
    ids = {(person_id, seq): pk for person_id, seq, pk in inserted}
    for row in rows:
        row.pk = ids[(row.person_id, row.seq)]


def _add_to_totals(rows: Sequence[_Row]) -> None:
    """Moves the totals by the new entries: summed per (person, period, category, unit) here, then
    one upsert that adds each sum to its row or creates the row."""
    sums: dict[tuple[int, int, str, str], Decimal] = defaultdict(Decimal)
    for row in rows:
        for category in [*row.categories, OVERALL]:
            sums[(row.person_id, row.period, category, row.unit)] += row.amount
    sql.insert_rows(
        Total,
        ("person_id", "period", "category", "unit", "amount"),
        [(*key, amount) for key, amount in sorted(sums.items())],
        conflict="ON CONFLICT (person_id, period, category, unit)"
        " DO UPDATE SET amount = ledger_total.amount + excluded.amount",
    )


def _move_heads(heads: dict[int, tuple[int, str]]) -> None:
    """Writes the new heads of the chains that grew (an upsert; every head exists)."""
    sql.insert_rows(
        Chain,
        ("person_id", "last_seq", "last_hash"),
        [(pid, seq, digest) for pid, (seq, digest) in sorted(heads.items())],
        conflict="ON CONFLICT (person_id)"
        " DO UPDATE SET last_seq = excluded.last_seq, last_hash = excluded.last_hash",
    )


def audit_changes(row: Any, note: str = "") -> dict[str, Any]:
    """The one shape of an entry's audit record (what it credits, when, from where)."""
    changes: dict[str, Any] = {
        "period": row.period,
        "first_day": row.first_day.isoformat(),
        "last_day": row.last_day.isoformat(),
        "amount": str(row.amount),
        "unit": row.unit,
        "categories": list(row.categories),
        "source": f"{row.source_type}:{row.source_id}",
    }
    if row.days is not None:
        changes["days"] = str(row.days)
    if row.reverses_id is not None:
        changes["reverses"] = row.reverses_id
        changes["reason"] = row.description
    if note:
        changes["note"] = note
    return changes


# One encoder for every audit record's changes (json.dumps with options builds one per call).
_AUDIT_JSON = json.JSONEncoder(ensure_ascii=False)


def _audit_events(actor: Actor, rows: Sequence[_Row], people: dict[int, Facts], note: str) -> None:
    """One audit record per entry (verify and each person's scoped trail rely on it), all in one
    statement; each names the call's note."""
    user = user_of(actor)
    common = {
        "at": timezone.now(),
        "actor_id": user.pk if user is not None else None,
        "actor_name": audit_name(actor)[:150],
        "address": client_address.get() or None,
        "object_type": Entry._meta.label_lower,
    }
    post, reverse = AuditEvent.Action.POST.value, AuditEvent.Action.REVERSE.value
    AUDIT.insert(
        AUDIT.rows(
            common,
            (
                {
                    "action": reverse if row.reverses_id is not None else post,
                    "object_id": str(row.pk),
                    "object_repr": str(row)[:200],
                    "changes": _AUDIT_JSON.encode(audit_changes(row, note)),
                    "node_path": people[row.person_id].unit_path,
                    "person_id": row.person_id,
                }
                for row in rows
            ),
        )
    )


def post_entries(
    actor: Actor, items: Sequence[NewEntry], *, note: str = "", defer_standings: bool = False
) -> BulkResult:
    """Posts every valid item that is not already in the ledger, in one transaction (a savepoint
    inside the caller's), and reports what became of each by its index.

    Guarantees, item for item: idempotent on (person, source_type, source_id) — against the ledger
    and within the call (the first valid item of a key is posted, later ones are duplicates of
    it); the period is where the last day falls by the person's calendar (an activity across two
    periods is refused); the same validation and LedgerError codes on every way in; each person's
    entries appended to their hash chain in item order; totals and standings current when it
    returns; an audit record per entry, carrying `note`.

    `defer_standings`: for a caller posting one large job in many calls (a roster's chunks), which
    judges every person it touched ONCE, with `judge_people`, before the job counts as finished
    (and again when a resumed job finishes): the standings of the people posted to are then left
    as they were until that call. Everything else is as above.
    """
    result = BulkResult()
    if not items:
        return result
    with transaction.atomic():
        _post(actor, items, note, result, judge=not defer_standings)
    return result


def judge_people(person_ids: Iterable[int], *, per_transaction: int = 2_000) -> int:
    """Judges the people's standings again (every period they have), a slice of people per
    transaction with their chain heads locked, so a post for one of them meanwhile is judged
    before or after, never half-way: after deferred `post_entries` calls. Returns how many
    people."""
    ids = sorted(set(person_ids))
    for start in range(0, len(ids), per_transaction):
        chunk = ids[start : start + per_transaction]
        with transaction.atomic():
            _lock_chains(chunk)
            standings.refresh(chunk)
    return len(ids)


def _post(
    actor: Actor, items: Sequence[NewEntry], note: str, result: BulkResult, *, judge: bool = True
) -> None:
    people = _load_people(item.person_id for item in items)
    heads = _lock_chains(sorted(pid for pid in {item.person_id for item in items} if pid in people))
    keys = {
        (item.person_id, item.source_type, str(item.source_id))
        for item in items
        if item.person_id in people
    }
    seen = sql.existing_sources(keys)
    loader = Loader()
    loader.add_people(people.values())
    periods = _Periods(loader)
    now = timezone.now()
    today = timezone.localdate()
    user = user_of(actor)
    created_by_id = user.pk if user is not None else None
    # Nobody credits (or reverses a credit of) their own person, whatever their role.
    own_person = user.person_id if user is not None else None
    new: list[tuple[int, _Row]] = []
    posted_at: dict[tuple[int, str, str], int] = {}  # key -> index of the item posting it
    grown: dict[int, tuple[int, str]] = {}
    for index, item in enumerate(items):
        if item.person_id not in people:
            result.errors[index] = LedgerError(
                Code.PERSON_UNKNOWN, _("No such person."), field="person_id"
            )
            continue
        if own_person is not None and item.person_id == own_person:
            result.errors[index] = LedgerError(
                Code.OWN_PERSON,
                _("Nobody may post or reverse a credit of their own; another person must."),
                field="person_id",
            )
            continue
        source_id = str(item.source_id)
        key = (item.person_id, item.source_type, source_id)
        if key in seen:
            result.duplicates[index] = seen[key]
            continue
        if key in posted_at:
            result.duplicates[index] = -1 - posted_at[key]  # resolved to an id once inserted
            continue
        try:
            period, first, last, days, categories, amount = _clean(periods, item, today)
        except LedgerError as error:
            result.errors[index] = error
            continue
        last_seq, last_hash = heads[item.person_id]
        row = _Row(
            person_id=item.person_id,
            seq=last_seq + 1,
            period=period,
            first_day=first,
            last_day=last,
            days=days,
            categories=categories,
            amount=amount,
            unit=item.unit,
            kind=item.kind,
            artefact_key=item.artefact_key,
            artefact_exclusive=bool(item.artefact_exclusive and item.artefact_key),
            source_type=item.source_type,
            source_id=source_id,
            description=item.description[:300],
            evidence=item.evidence[:300],
            approved_by_id=item.approved_by_id,
            approved_at=now if item.approved_by_id is not None else None,
            created_by_id=created_by_id,
            created_at=now,
            prev_hash=last_hash,
            reverses_id=item.reverses_id,
        )
        row.seal()
        heads[item.person_id] = grown[item.person_id] = (row.seq, row.hash)
        posted_at[key] = index
        new.append((index, row))
    if not new:
        return
    rows = [row for _index, row in new]
    # The people's credits already in the ledger are read BEFORE the new entries go in (the chain
    # locks keep anyone else from adding one meanwhile); the new ones join from memory.
    touched = Loader(loader.rulesets)
    touched.add_people(people[pid] for pid in {row.person_id for row in rows})
    if judge:
        touched.read()
    _insert_entries(rows)
    for index, row in new:
        assert row.pk is not None
        result.posted[index] = row.pk
    for index, marker in result.duplicates.items():
        if marker < 0:
            result.duplicates[index] = result.posted[-1 - marker]
    _move_heads(grown)
    _add_to_totals(rows)
    if judge:
        for row in rows:
            touched.add_credit(row.person_id, row.as_credit())
        if any(row.artefact_exclusive for row in rows):
            touched.read_elsewhere()
        since: dict[int, int] = {}
        for row in rows:
            since[row.person_id] = min(since.get(row.person_id, row.period), row.period)
        standings.judge_and_store(touched, standings.periods_to_judge(touched, since))
    _refresh_other_holders(rows)
    _audit_events(actor, rows, people, note)


def _refresh_other_holders(rows: Sequence[_Row]) -> None:
    """A reversed one-holder artefact may now count for the next person who claimed it: their
    standings are judged again."""
    reversed_ids = [row.reverses_id for row in rows if row.reverses_id and row.artefact_exclusive]
    if not reversed_ids:
        return
    keys = {row.artefact_key for row in rows if row.reverses_id in reversed_ids}
    mine = {row.person_id for row in rows}
    others = set(
        Entry.objects.filter(artefact_exclusive=True, artefact_key__in=sorted(keys))
        .exclude(person_id__in=mine)
        .values_list("person_id", flat=True)
    )
    if others:
        standings.refresh(sorted(others))
