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

# The SQL below formats in only constant fragments and placeholders; every value is a parameter.
# ruff: noqa: S608

import datetime as dt
import functools
import json
import operator
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from hashlib import sha256
from json.encoder import encode_basestring
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xuefen.audit.actions import client_address
from xuefen.audit.models import AuditEvent
from xuefen.core.actors import Actor, audit_name, user_of
from xuefen.core.errors import CodedError
from xuefen.ledger import keyed, spans, sql, standings
from xuefen.ledger.errors import Code
from xuefen.ledger.judging import Facts, Loader, read_facts
from xuefen.ledger.models import GENESIS, OVERALL, Chain, Entry, Total, Unit, canonical
from xuefen.orgs.models import OrgNode, Person
from xuefen.policy.services import RuleSetIndex

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
    """The facts the judge reads of each person, by one plain SELECT (no ORM compile)."""
    return read_facts(person_ids)


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


def _move_heads(heads: dict[int, tuple[int, str]]) -> None:
    """Writes the new heads of the chains that grew (an upsert; every head exists)."""
    sql.insert_rows(
        Chain,
        ("person_id", "last_seq", "last_hash"),
        [(pid, seq, digest) for pid, (seq, digest) in sorted(heads.items())],
        conflict="ON CONFLICT (person_id)"
        " DO UPDATE SET last_seq = excluded.last_seq, last_hash = excluded.last_hash",
    )


# One encoder for every audit record's changes (json.dumps with options builds one per call).
_AUDIT_JSON = json.JSONEncoder(ensure_ascii=False)


@dataclass
class Staged:
    """In place of a list of items: the rows a caller staged with `stage_select` (a roster's rows,
    already in the database), posted by the same engine as items given in a list — with `items`
    (their indices given: a roster's row numbers) staged beside them."""

    items: Sequence[tuple[int, NewEntry]] = ()


STAGED = Staged()

# What became of a staged row.
# PENDING: refused unless a duplicate; UNKNOWN, OWN: refused (no such person, the actor's own).
TO_POST, DUPLICATE, REFUSED, PENDING, UNKNOWN, OWN = 0, 1, 2, 3, 4, 5


def open_stage() -> None:
    """An empty staging table, for a caller that stages rows itself (`stage_select`, then
    `post_entries(actor, Staged(…))`), in the transaction that posts them."""
    sql.create_stage()


def stage_select(
    given: Mapping[str, tuple[str, Sequence[Any]]], source: str, params: Sequence[Any]
) -> int:
    """Fills the staging table (after `open_stage`) with one INSERT … SELECT: `given` maps staged
    columns (`idx`, the entry's own, `later_share`) to an SQL expression over `source` (the FROM
    and WHERE of the query, with its `params`) and that expression's parameters. The columns are
    written in the stage's order (from the model); a name the stage does not have is refused
    (KeyError), and so is an entry column left out that the engine does not fill (`period`) and
    that a staged row may not leave empty. The engine checks these rows itself (set-based, the
    suspect ones one by one in the same words as listed items) before `post_entries(actor,
    STAGED)` posts them. Returns how many rows were staged."""
    order = [c for c in _ITEM_COLUMNS if c in given]
    unknown = set(given) - set(order)
    missing = set(sql.staged_columns()) - set(given) - _MAY_BE_EMPTY
    if unknown or missing or "idx" not in given:
        raise KeyError(sorted(unknown | missing))
    names = ", ".join(order)
    expressions = ", ".join(f"{given[c][0]} AS {c}" for c in order)
    values = [value for c in order for value in given[c][1]]
    return sql.execute(
        f"INSERT INTO {sql.STAGE} ({names}, checked, state, selected)"
        f" SELECT {names}, %s, %s, %s FROM (SELECT {expressions}{source}) AS q",
        [False, TO_POST, True, *values, *params],
    )


def post_entries(
    actor: Actor,
    items: Sequence[NewEntry] | Staged,
    *,
    note: str = "",
    defer_standings: bool = False,
) -> BulkResult:
    """Posts every valid item that is not already in the ledger, in one transaction (a savepoint
    inside the caller's), and reports what became of each by its index (of a staged row: its
    `idx`).

    Guarantees, item for item: idempotent on (person, source_type, source_id) — against the ledger
    and within the call (the first valid item of a key is posted, later ones are duplicates of
    it); the period is where the last day falls by the person's calendar (an activity across two
    periods is refused); the same validation and LedgerError codes on every way in; each person's
    entries appended to their hash chain in item order; totals and standings current when it
    returns; an audit record per entry, carrying `note`.

    The items are staged (a temporary table) and written set-based: duplicates by an anti-join,
    chain numbers by a window function, only the hashes taken in Python (in person order),
    entries, audit records, totals and chain heads by INSERT … SELECT and grouped upserts.

    `defer_standings`: for a caller posting one large job in many calls (a roster's chunks), which
    judges every person it touched ONCE, with `judge_people`, before the job counts as finished
    (and again when a resumed job finishes): the standings of the people posted to are then left
    as they were until that call. Everything else is as above.
    """
    result = BulkResult()
    if not isinstance(items, Staged) and not items:
        return result
    with transaction.atomic():
        loader = None
        if isinstance(items, Staged):
            if items.items:
                _stage_items(actor, items.items, result)
        else:
            sql.create_stage()
            loader = _stage_items(actor, list(enumerate(items)), result)
        _write(actor, note, result, judge=not defer_standings, loader=loader)
    return result


def judge_people(person_ids: Iterable[int], *, per_transaction: int = 2_000) -> int:
    """Judges the people's standings again (every period they have), a slice of people per
    transaction with their chain heads locked, so a post for one of them meanwhile is judged
    before or after, never half-way: after deferred `post_entries` calls. Returns how many
    people. Those judged by sums are keyed in SQL and the one judge asked once per distinct key
    in the whole run (`keyed.judge_people`); the others (artefacts, reversals, exemptions, rule
    sets that need entries or none) are judged on their own (`standings.refresh`)."""
    ids = sorted(set(person_ids))
    memo = keyed.Memo()
    for start in range(0, len(ids), per_transaction):
        chunk = ids[start : start + per_transaction]
        with transaction.atomic():
            _lock_chains(chunk)
            memo = memo.under(RuleSetIndex.everywhere())  # (a new version: judged afresh)
            _written, others = keyed.judge_people(chunk, memo)
            if others:
                standings.refresh(others)
    return len(ids)


# The staged columns of an item, in order: the index, the entry's columns an item gives (from the
# model, `sql.staged_columns`) and the stage's own (`sql.ENGINE_COLUMNS`) a listed item sets.
_ITEM_COLUMNS = (
    "idx",
    *sql.staged_columns(),
    "later_share",
    "checked",
    "state",
    "first_idx",
    "selected",
)
# A row of them from values by name: a column added to the entry and not given fails (KeyError).
_ITEM_ROW = operator.itemgetter(*_ITEM_COLUMNS)
# The entry columns a caller's staged rows may leave empty: the period (the engine finds it by the
# calendar), days, approval and the entry reversed (none of a roster's).
_MAY_BE_EMPTY = {"period", "days", "approved_by_id", "reverses_id"}


def _stage_items(actor: Actor, items: Sequence[tuple[int, NewEntry]], result: BulkResult) -> Loader:
    """Listed items checked one by one in Python (each refusal in its own words) and staged: the
    valid ones cleaned, with their period; the refused ones by their key only, PENDING (a
    duplicate of an entry in the ledger is a duplicate, not a refusal); a later item of a key an
    earlier valid item has, a DUPLICATE of that one. Returns the loader of the people read (the
    judge reuses it)."""
    people = _load_people(item.person_id for _index, item in items)
    loader = Loader()
    loader.add_people(people.values())
    periods = _Periods(loader)
    today = timezone.localdate()
    user = user_of(actor)
    own_person = user.person_id if user is not None else None
    first_of: dict[tuple[int, str, str], int] = {}  # key -> index of the first valid item
    rows: list[tuple[Any, ...]] = []
    for index, item in items:
        source_id = str(item.source_id)
        key = (item.person_id, item.source_type, source_id)
        if item.person_id not in people or item.person_id == own_person:
            rows.append(_key_only(index, item, source_id, PENDING))
            continue
        if key in first_of:
            rows.append(_key_only(index, item, source_id, DUPLICATE, first_of[key]))
            continue
        try:
            period, first, last, days, categories, amount = _clean(periods, item, today)
        except LedgerError as error:
            result.errors[index] = error
            rows.append(_key_only(index, item, source_id, PENDING))
            continue
        first_of[key] = index
        rows.append(
            _ITEM_ROW(
                {
                    "idx": index,
                    "person_id": item.person_id,
                    "period": period,
                    "first_day": first,
                    "last_day": last,
                    "days": None if days is None else str(days),
                    "categories": sql._json(categories),
                    "amount": str(amount),
                    "unit": item.unit,
                    "kind": item.kind,
                    "artefact_key": item.artefact_key,
                    "artefact_exclusive": bool(item.artefact_exclusive and item.artefact_key),
                    "source_type": item.source_type,
                    "source_id": source_id,
                    "description": item.description[:300],
                    "evidence": item.evidence[:300],
                    "approved_by_id": item.approved_by_id,
                    "reverses_id": item.reverses_id,
                    "later_share": item.later_share,
                    "checked": True,
                    "state": TO_POST,
                    "first_idx": None,
                    "selected": False,
                }
            )
        )
    sql.copy_rows(sql.STAGE, _ITEM_COLUMNS, rows)
    return loader


def _key_only(
    index: int, item: NewEntry, source_id: str, state: int, first_idx: int | None = None
) -> tuple[Any, ...]:
    values: dict[str, Any] = {
        "idx": index,
        "person_id": item.person_id,
        "source_type": item.source_type,
        "source_id": source_id,
        "checked": True,
        "state": state,
        "first_idx": first_idx,
        "selected": False,
    }
    return tuple(values.get(c) for c in _ITEM_COLUMNS)


def _refuse(result: BulkResult, where: str, params: Sequence[Any], error: LedgerError) -> None:
    """Refuses the staged rows matching `where` with one error (over any pending one)."""
    for (idx,) in sql.fetch(f"SELECT idx FROM {sql.STAGE} WHERE {where}", params):
        result.errors[int(idx)] = error
    sql.execute(f"UPDATE {sql.STAGE} SET state = %s WHERE {where}", [REFUSED, *params])


def _write(
    actor: Actor, note: str, result: BulkResult, *, judge: bool, loader: Loader | None
) -> None:
    """The engine: the staged rows checked, numbered, hashed and written. Listed items come with
    the `loader` of their people (checked and marked as duplicates within the call already);
    without it, the rows a caller staged are checked here, set-based; the entry a duplicate
    duplicates is left in its `ref` (a posted row's is the entry of its person and `seq`)."""
    staged = loader is None
    stage = sql.STAGE
    person_table = connection.ops.quote_name(Person._meta.db_table)
    entry_table = connection.ops.quote_name(Entry._meta.db_table)
    live = f"state IN ({TO_POST}, {PENDING})"
    user = user_of(actor)
    # Nobody credits (or reverses a credit of) their own person, whatever their role.
    own_person = user.person_id if user is not None else None
    unknown = f"NOT EXISTS (SELECT 1 FROM {person_table} p WHERE p.id = {stage}.person_id)"
    refusals = {
        UNKNOWN: LedgerError(Code.PERSON_UNKNOWN, _("No such person."), field="person_id"),
        OWN: LedgerError(
            Code.OWN_PERSON,
            _("Nobody may post or reverse a credit of their own; another person must."),
            field="person_id",
        ),
    }
    for idx, state in sql.fetch(
        f"UPDATE {stage} SET state = CASE WHEN {unknown} THEN {UNKNOWN} ELSE {OWN} END"
        f" WHERE {live} AND ({unknown} OR person_id = %s) RETURNING idx, state",
        [own_person if own_person is not None else 0],
    ):
        result.errors[int(idx)] = refusals[int(state)]
    _lock_staged_chains()
    # Already in the ledger: a duplicate (read under the chain locks).
    match = (
        f"e.person_id = {stage}.person_id AND e.source_type = {stage}.source_type"
        f" AND e.source_id = {stage}.source_id"
    )
    sql.execute(
        f"UPDATE {stage} SET state = %s, ref = (SELECT e.id FROM {entry_table} e WHERE {match})"
        f" WHERE ({live} OR state = %s) AND EXISTS (SELECT 1 FROM {entry_table} e WHERE {match})",
        [DUPLICATE, DUPLICATE],
    )
    if staged:
        sql.analyze(stage)
        _check_staged(result)
    # The same key earlier in the call (a valid item): a duplicate of that one.
    earlier = (
        []
        if not staged
        else sql.fetch(
            f"SELECT r.idx, MIN(f.idx) FROM {stage} r JOIN {stage} f ON f.person_id = r.person_id"
            " AND f.source_type = r.source_type AND f.source_id = r.source_id"
            f" AND f.state = {TO_POST} AND f.idx < r.idx WHERE r.state IN ({TO_POST}, {PENDING})"
            " GROUP BY r.idx"
        )
    )
    if earlier:
        sql.copy_rows(sql.HASHES, ("idx", "prev_hash"), [(i, str(f)) for i, f in earlier])
        sql.execute(
            f"UPDATE {stage} SET state = %s, first_idx = (SELECT CAST(h.prev_hash AS BIGINT)"
            f" FROM {sql.HASHES} h WHERE h.idx = {stage}.idx)"
            f" WHERE idx IN (SELECT idx FROM {sql.HASHES})",
            [DUPLICATE],
        )
        sql.execute(f"DELETE FROM {sql.HASHES}")
    outcomes = sql.fetch(
        f"SELECT idx, state, ref, first_idx FROM {stage} WHERE state IN ({TO_POST}, {DUPLICATE})"
    )
    to_post = [int(idx) for idx, state, _ref, _first in outcomes if state == TO_POST]
    if to_post:
        ids = _append(actor, note, judge, loader)
        result.posted.update(ids)
    for idx, state, ref, first_idx in outcomes:
        if state == DUPLICATE:
            result.errors.pop(int(idx), None)
            result.duplicates[int(idx)] = (
                int(ref) if ref is not None else result.posted[int(first_idx)]
            )


def _lock_staged_chains() -> None:
    """The chain heads of the staged people, created where missing and locked until the
    transaction ends, in person-id order (see `_lock_chains`)."""
    stage, chain = sql.STAGE, connection.ops.quote_name(Chain._meta.db_table)
    live = f"state IN ({TO_POST}, {PENDING})"
    sql.execute(
        f"INSERT INTO {chain} (person_id, last_seq, last_hash)"
        f" SELECT DISTINCT person_id, 0, %s FROM {stage} WHERE {live}"
        " ON CONFLICT (person_id) DO NOTHING",
        [GENESIS],
    )
    if connection.features.has_select_for_update:
        sql.fetch(
            f"SELECT person_id FROM {chain} WHERE person_id IN"
            f" (SELECT person_id FROM {stage} WHERE {live}) ORDER BY person_id FOR UPDATE"
        )


def _check_staged(result: BulkResult) -> None:
    """The writer's checks of rows staged by a caller (not yet checked in Python), set-based: the
    period of each distinct (unit, personnel category, first day, last day) by the calendar, the
    category lists once each, the rest by one predicate. Only the rows it flags are checked one
    by one, as listed items are (`_clean`), for the refusal in their own words."""
    stage = sql.STAGE
    todo = f"state = {TO_POST} AND NOT checked"
    if not sql.fetch(f"SELECT 1 FROM {stage} WHERE {todo} LIMIT 1"):
        return
    person_table = connection.ops.quote_name(Person._meta.db_table)
    node_table = connection.ops.quote_name(OrgNode._meta.db_table)
    keys = sql.fetch(
        f"SELECT DISTINCT n.path, p.category, s.first_day, s.last_day FROM {stage} s"
        f" JOIN {person_table} p ON p.id = s.person_id JOIN {node_table} n ON n.id = p.unit_id"
        f" WHERE s.{todo.replace('NOT checked', 'NOT s.checked')} AND s.period IS NULL"
        " AND s.reverses_id IS NULL"
    )
    if keys:
        index = RuleSetIndex.for_paths({path for path, *_rest in keys})
        periods = []
        for path, category, first, last in keys:
            try:
                period = spans.check_period(
                    functools.partial(_period_on, index, path, category), _day(first), _day(last)
                )
            except Exception:  # noqa: S112  (explained one by one below)
                continue
            periods.append((path, category, first, last, period))
        sql.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {stage}_periods"
            " (path text, category text, first_day date, last_day date, period integer,"
            " PRIMARY KEY (path, category, first_day, last_day))"
            + (" ON COMMIT DROP" if connection.vendor == "postgresql" else "")
        )
        sql.execute(f"DELETE FROM {stage}_periods")
        sql.copy_rows(
            f"{stage}_periods", ("path", "category", "first_day", "last_day", "period"), periods
        )
        sql.analyze(f"{stage}_periods")
        sql.execute(
            f"UPDATE {stage} SET period = k.period FROM {stage}_periods AS k,"
            f" {person_table} AS p, {node_table} AS n WHERE p.id = {stage}.person_id"
            " AND n.id = p.unit_id AND k.path = n.path AND k.category = p.category"
            f" AND k.first_day = {stage}.first_day AND k.last_day = {stage}.last_day"
            f" AND {stage}.state = {TO_POST} AND NOT {stage}.checked"
            f" AND {stage}.period IS NULL AND {stage}.reverses_id IS NULL"
        )
    good_lists = []
    for (text,) in sql.fetch(
        f"SELECT DISTINCT {sql.json_text('categories')} FROM {stage} WHERE {todo}"
    ):
        try:
            given = json.loads(text)
            if isinstance(given, list) and _categories(given) == given:
                good_lists.append(text)
        except (LedgerError, ValueError, TypeError):
            continue
    lists, list_params = sql.in_params(sql.json_text("categories"), good_lists)
    amount, days = sql.number("amount"), sql.number("days")
    today = timezone.localdate()
    fine = (
        f"unit IN ({', '.join(['%s'] * len(Unit.values))})"
        " AND source_type <> '' AND source_id <> ''"
        " AND period IS NOT NULL AND last_day >= %s AND last_day <= %s AND first_day <= last_day"
        " AND (last_day <= %s OR later_share OR reverses_id IS NOT NULL)"
        f" AND (days IS NULL OR ({days} > 0 AND {days} * 2 = ROUND({days} * 2)"
        f" AND {days} <= {sql.span_days('first_day', 'last_day')}))"
        f" AND {lists} AND {amount} <> 0 AND ABS({amount}) <= %s AND ROUND({amount}, 2) = {amount}"
        + "".join(f" AND LENGTH({name}) <= {limit}" for name, limit in LIMITS.items())
        + " AND LENGTH(description) <= 300 AND LENGTH(evidence) <= 300"
    )
    params = [
        *Unit.values,
        dt.date(MIN_PERIOD, 1, 1),
        dt.date(MAX_PERIOD, 12, 31),
        today,
        *list_params,
        float(MAX_AMOUNT) if connection.vendor == "sqlite" else MAX_AMOUNT,
    ]
    sql.execute(f"UPDATE {stage} SET checked = %s WHERE {todo} AND {fine}", [True, *params])
    _explain(result)


def _period_on(index: RuleSetIndex, path: str, category: str, day: Any) -> int:
    return index.period_of(path, category, _day(day))


def _day(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _explain(result: BulkResult) -> None:
    """The staged rows the set-based checks flagged, checked one by one as listed items are: a
    refusal in its words (PENDING: a duplicate stays a duplicate), or the row cleaned."""
    stage = sql.STAGE
    names = [c for c in _ITEM_COLUMNS if c not in ("checked", "state")]
    flagged = sql.fetch(
        f"SELECT {', '.join(names)} FROM {stage} WHERE state = {TO_POST} AND NOT checked"
    )
    if not flagged:
        return
    rows = [dict(zip(names, row, strict=True)) for row in flagged]
    people = _load_people(row["person_id"] for row in rows)
    loader = Loader()
    loader.add_people(people.values())
    periods = _Periods(loader)
    today = timezone.localdate()
    for row in rows:
        categories = row["categories"]
        if isinstance(categories, str):
            try:
                categories = json.loads(categories)
            except ValueError:
                categories = [categories]
        item = NewEntry(
            person_id=row["person_id"],
            last_day=_day(row["last_day"]),
            first_day=_day(row["first_day"]) if row["first_day"] is not None else None,
            categories=tuple(categories) if isinstance(categories, list) else categories,
            amount=row["amount"],
            days=None if row["days"] is None else Decimal(str(row["days"])),
            unit=row["unit"] or "",
            source_type=row["source_type"] or "",
            source_id=row["source_id"] or "",
            kind=row["kind"] or "",
            artefact_key=row["artefact_key"] or "",
            artefact_exclusive=bool(row["artefact_exclusive"]),
            description=row["description"] or "",
            evidence=row["evidence"] or "",
            approved_by_id=row["approved_by_id"],
            reverses_id=row["reverses_id"],
            later_share=bool(row["later_share"]),
        )
        try:
            period, first, last, days, cleaned, amount = _clean(periods, item, today)
        except LedgerError as error:
            result.errors[int(row["idx"])] = error
            sql.execute(f"UPDATE {stage} SET state = %s WHERE idx = %s", [PENDING, row["idx"]])
            continue
        sql.execute(
            f"UPDATE {stage} SET checked = %s, period = %s, first_day = %s, last_day = %s,"
            " days = %s, categories = %s, amount = %s, description = %s, evidence = %s"
            " WHERE idx = %s",
            [
                True,
                period,
                first,
                last,
                None if days is None else str(days),
                sql._json(cleaned),
                str(amount),
                item.description[:300],
                item.evidence[:300],
                row["idx"],
            ],
        )


# The staged columns the hash stream reads: the index and every entry column but those the engine
# sets after hashing (from the model).
_STREAM = (
    "idx",
    *(c for c in sql.columns(Entry) if c not in sql.ENGINE_SETS or c == "seq"),
)
# The order `_hashed` unpacks them in (its loop names each one): the same columns, or the module
# refuses to load — a column added to the entry must be placed in the chain's text (or left out of
# it) by hand, in `_hashed`.
_UNPACKED = (
    "idx",
    "person_id",
    "seq",
    "period",
    "first_day",
    "last_day",
    "days",
    "categories",
    "amount",
    "unit",
    "kind",
    "artefact_key",
    "artefact_exclusive",
    "source_type",
    "source_id",
    "description",
    "evidence",
    "approved_by_id",
    "reverses_id",
)
if sorted(_UNPACKED) != sorted(_STREAM):
    raise ImproperlyConfigured(
        f"ledger.bulk._hashed reads {sorted(_UNPACKED)}, the entry has {sorted(_STREAM)}"
    )


@dataclass
class _Streamed:
    """What the hash stream learns on its way: each person's new head, the index of each (person,
    seq), the earliest period each person's new entries fall in, the one-holder artefacts
    reversed."""

    heads: dict[int, tuple[int, str]] = field(default_factory=dict)
    index: dict[tuple[int, int], int] = field(default_factory=dict)
    since: dict[int, int] = field(default_factory=dict)
    reversed_keys: set[str] = field(default_factory=set)


def _append(actor: Actor, note: str, judge: bool, loader: Loader | None) -> dict[int, int]:
    """Appends the rows TO_POST to their people's chains: numbered after each head by a window
    function, hashed in Python in (person, seq) order (streamed), written with the audit records,
    totals and heads by INSERT … SELECT. Returns {idx: new entry id}."""
    stage, hashes = sql.STAGE, sql.HASHES
    chain = connection.ops.quote_name(Chain._meta.db_table)
    sql.execute(
        f"UPDATE {stage} SET seq = c.last_seq + n.rn FROM (SELECT idx AS i, row_number() OVER"
        f" (PARTITION BY person_id ORDER BY idx) AS rn FROM {stage} WHERE state = {TO_POST}) AS n,"
        f" {chain} AS c WHERE {stage}.idx = n.i AND c.person_id = {stage}.person_id"
    )
    now = timezone.now()
    user = user_of(actor)
    created_by_id = user.pk if user is not None else None
    streamed = _Streamed()
    hashed: Iterable[tuple[Any, ...]] = _hashed(now, note, streamed)
    if connection.vendor == "postgresql":
        # Read and hashed whole before the COPY back: a connection in COPY mode runs nothing else.
        hashed = list(hashed)
    sql.copy_rows(hashes, ("idx", "prev_hash", "hash", "repr", "changes"), hashed)
    if loader is None:
        sql.analyze(hashes, ("idx",))  # joined by it; its long texts are not worth sampling
    ids = _insert_staged_entries(now, created_by_id, streamed.index)
    _insert_staged_audit(actor, now)
    _add_staged_totals()
    _move_heads(streamed.heads)
    if judge:
        if loader is None:
            touched = Loader.for_people(sorted(streamed.heads))
        else:
            touched = Loader(loader.rulesets)
            touched.add_people(loader.people[pid] for pid in sorted(streamed.heads))
            touched.read()
        standings.judge_and_store(touched, standings.periods_to_judge(touched, streamed.since))
    _refresh_other_holders(streamed.reversed_keys, set(streamed.heads))
    return ids


class _Memo(dict[Any, Any]):
    """Converted values of a column, once per distinct stored value."""

    def __init__(self, convert: Any) -> None:
        super().__init__()
        self.convert = convert

    def __missing__(self, key: Any) -> Any:
        value = self[key] = self.convert(key)
        return value


def _iso_of(value: Any) -> str:
    return value if isinstance(value, str) else value.isoformat()


def _list_of(value: Any) -> list[str]:
    return json.loads(value) if isinstance(value, str) else list(value)


def _hashed(now: dt.datetime, note: str, streamed: _Streamed) -> Iterator[tuple[Any, ...]]:
    """(idx, prev_hash, hash, repr, audit changes) of every row to post, in (person, seq) order:
    the chain's content as `Entry.hashed_fields` gives it, each person's chain from its head."""
    stage = sql.STAGE
    chain = connection.ops.quote_name(Chain._meta.db_table)
    names = ", ".join(f"s.{c}" for c in _UNPACKED)
    isos = _Memo(_iso_of)
    lists = _Memo(lambda v: _list_of(v if isinstance(v, str) else tuple(v)))
    decimals = _Memo(lambda v: Decimal(str(v)))
    labels = {u: str(Unit(u).label) for u in Unit.values}
    approved_at = _iso_of(now)
    created_at = approved_at
    prev_person = None
    prev = ""
    encode_text = encode_basestring
    quote = _Memo(encode_text)
    quoted_at = encode_text(approved_at)
    # A category list as the chain spells it (sorted, no spaces) and as the audit record does.
    sorted_lists = _Memo(
        lambda key: ",".join(encode_text(c) for c in sorted(lists[key])).join("[]")
    )
    plain_lists = _Memo(lambda key: ", ".join(encode_text(c) for c in lists[key]).join("[]"))
    noted = f', "note": {encode_text(note)}' if note else ""

    def reversal(reverses_id: int, description: str) -> str:
        return f', "reverses": {reverses_id}, "reason": {encode_text(description)}'

    checked: bool | None = None  # the written-out text checked against the encoder's
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {names}, c.last_hash FROM {stage} s"
            f" JOIN {chain} c ON c.person_id = s.person_id"
            f" WHERE s.state = {TO_POST} ORDER BY s.person_id, s.seq"
        )
        for batch in iter(lambda: cursor.fetchmany(5_000), []):
            for (
                idx, person_id, seq, period, first_day, last_day, days, categories, amount, unit,
                kind, artefact_key, exclusive, source_type, source_id, description, evidence,
                approved_by_id, reverses_id, head,
            ) in batch:  # fmt: skip
                if person_id != prev_person:
                    prev_person, prev = person_id, head
                last_iso = isos[last_day]
                cats_key = (
                    categories if isinstance(categories, str) else _AUDIT_JSON.encode(categories)
                )
                cats = lists[cats_key]
                number = decimals[amount]
                first_iso = isos[first_day]
                day_count = None if days is None else decimals[days]
                # The chain's canonical text (`Entry.hashed_fields`, sorted keys, no spaces)
                # written out key by key; the first row of every call is checked against the
                # encoder's own text, and the encoder is used throughout should they differ.
                text = (
                    f'{{"activity_date":"{last_iso}","amount":"{number:.2f}",'
                    f'"approved_at":{quoted_at if approved_by_id is not None else "null"},'
                    f'"approved_by":{"null" if approved_by_id is None else approved_by_id},'
                    f"{'"artefact_exclusive":true,' if exclusive else ''}"
                    f'"artefact_key":{quote[artefact_key]},"categories":{sorted_lists[cats_key]},'
                    f'"created_at":{quoted_at},'
                    f"{'' if day_count is None else f'"days":"{day_count:.1f}",'}"
                    f'"description":{quote[description]},"evidence":{encode_text(evidence)},'
                    f"{'' if first_iso == last_iso else f'"first_day":"{first_iso}",'}"
                    f'"kind":{quote[kind]},"period":{period},"person":{person_id},'
                    f'"reverses":{"null" if reverses_id is None else reverses_id},"seq":{seq},'
                    f'"source_id":{quote[source_id]},"source_type":{quote[source_type]},'
                    f'"unit":{quote[unit]}}}'
                )
                if checked is not True:
                    fields: dict[str, Any] = {
                        "person": person_id,
                        "seq": seq,
                        "period": period,
                        "activity_date": last_iso,
                        "categories": sorted(cats),
                        "amount": f"{number:.2f}",
                        "unit": unit,
                        "kind": kind,
                        "artefact_key": artefact_key,
                        "source_type": source_type,
                        "source_id": source_id,
                        "description": description,
                        "evidence": evidence,
                        "approved_by": approved_by_id,
                        "approved_at": approved_at if approved_by_id is not None else None,
                        "reverses": reverses_id,
                        "created_at": created_at,
                    }
                    if first_iso != last_iso:
                        fields["first_day"] = first_iso
                    if day_count is not None:
                        fields["days"] = f"{day_count:.1f}"
                    if exclusive:
                        fields["artefact_exclusive"] = True
                    exact = canonical(fields)
                    if checked is None:
                        checked = exact == text
                    text = exact
                digest = sha256((text + prev).encode()).hexdigest()
                changes = (
                    f'{{"period": {period}, "first_day": "{first_iso}", "last_day": "{last_iso}",'
                    f' "amount": "{number}", "unit": {quote[unit]},'
                    f' "categories": {plain_lists[cats_key]},'
                    f' "source": {encode_text(f"{source_type}:{source_id}")}'
                    f"{'' if day_count is None else f', "days": "{day_count}"'}"
                    f"{'' if reverses_id is None else reversal(reverses_id, description)}"
                    f"{noted}}}"
                )
                yield (
                    idx,
                    prev,
                    digest,
                    f"#{seq} {period} {number.normalize():f} {labels[unit]} {description}"[:200],
                    changes,
                )
                streamed.heads[person_id] = (seq, digest)
                streamed.index[(person_id, seq)] = idx
                if person_id not in streamed.since or period < streamed.since[person_id]:
                    streamed.since[person_id] = period
                if reverses_id is not None and exclusive:
                    streamed.reversed_keys.add(artefact_key)
                prev = digest


def _select_of(table: sql.Table, given: dict[str, str]) -> str:
    """The SELECT list of a table's every column (from its model), by the expressions given for
    them: a column added to the model and not given fails here (KeyError)."""
    return ", ".join(given[c] for c in table.columns)


def _insert_staged_entries(
    now: dt.datetime, created_by_id: int | None, index: dict[tuple[int, int], int]
) -> dict[int, int]:
    """The entries, every column of the model, in (person, seq) order; {idx: id}. (A staged row
    posted names its entry by its person and `seq`: a caller joins them rather than have the
    stage rewritten with the ids.)"""
    stage, hashes = sql.STAGE, sql.HASHES
    entry_table = connection.ops.quote_name(Entry._meta.db_table)
    given = {c: f"s.{c}" for c in sql.staged_columns()}
    stamp = connection.ops.adapt_datetimefield_value(now)
    json_cast = "::jsonb" if connection.vendor == "postgresql" else ""
    numeric = "::numeric" if connection.vendor == "postgresql" else ""
    given.update(
        seq="s.seq",
        approved_at="CASE WHEN s.approved_by_id IS NULL THEN NULL ELSE %s END",
        created_by_id="%s",
        created_at="%s",
        prev_hash="h.prev_hash",
        hash="h.hash",
        categories=f"s.categories{json_cast}",
        amount=f"s.amount{numeric}",
        days=f"s.days{numeric}",
    )
    params: list[Any] = []
    for c in ENTRIES.columns:
        if c == "approved_at":
            params.append(stamp)
        elif c == "created_by_id":
            params.append(created_by_id)
        elif c == "created_at":
            params.append(stamp)
    names = ", ".join(connection.ops.quote_name(c) for c in ENTRIES.columns)
    inserted = sql.fetch(
        f"INSERT INTO {entry_table} ({names}) SELECT {_select_of(ENTRIES, given)}"
        f" FROM {stage} s JOIN {hashes} h ON h.idx = s.idx WHERE s.state = {TO_POST}"
        " ORDER BY s.person_id, s.seq RETURNING id, person_id, seq",
        params,
    )
    return {index[(int(pid), int(seq))]: int(pk) for pk, pid, seq in inserted}


def _insert_staged_audit(actor: Actor, now: dt.datetime) -> None:
    """One audit record per entry, in the one shape (`audit_changes`, built in the hash stream),
    each naming the person and their unit."""
    stage, hashes = sql.STAGE, sql.HASHES
    person_table = connection.ops.quote_name(Person._meta.db_table)
    entry_table = connection.ops.quote_name(Entry._meta.db_table)
    node_table = connection.ops.quote_name(OrgNode._meta.db_table)
    user = user_of(actor)
    values = {
        "at": connection.ops.adapt_datetimefield_value(now),
        "actor_id": user.pk if user is not None else None,
        "actor_name": audit_name(actor)[:150],
        "address": client_address.get() or None,
        "object_type": Entry._meta.label_lower,
    }
    given = {c: "%s" for c in values}
    given.update(
        action="CASE WHEN s.reverses_id IS NULL THEN %s ELSE %s END",
        object_id="CAST(e.id AS TEXT)",
        object_repr="h.repr",
        changes="h.changes",
        node_path="n.path",
        person_id="s.person_id",
    )
    params: list[Any] = []
    for c in AUDIT.columns:
        if c in values:
            params.append(values[c])
        elif c == "action":
            params += [AuditEvent.Action.POST.value, AuditEvent.Action.REVERSE.value]
    names = ", ".join(connection.ops.quote_name(c) for c in AUDIT.columns)
    sql.execute(
        f"INSERT INTO {connection.ops.quote_name(AuditEvent._meta.db_table)} ({names})"
        f" SELECT {_select_of(AUDIT, given)} FROM {stage} s JOIN {hashes} h ON h.idx = s.idx"
        f" JOIN {entry_table} e ON e.person_id = s.person_id AND e.seq = s.seq"
        f" JOIN {person_table} p ON p.id = s.person_id JOIN {node_table} n ON n.id = p.unit_id"
        f" WHERE s.state = {TO_POST} ORDER BY s.person_id, s.seq",
        params,
    )


def _add_staged_totals() -> None:
    """Moves the totals by the new entries: one grouped upsert, per (person, period, category,
    unit), each category of an entry and the overall total."""
    stage = sql.STAGE
    total_table = connection.ops.quote_name(Total._meta.db_table)
    amount = sql.number("s.amount")
    summed = (
        f"SELECT s.person_id, s.period, j.value AS category, s.unit, {amount} AS amount"
        f" FROM {stage} s, {sql.json_elements('s.categories')} WHERE s.state = {TO_POST}"
        f" UNION ALL SELECT s.person_id, s.period, %s, s.unit, {amount} FROM {stage} s"
        f" WHERE s.state = {TO_POST}"
    )
    total = "ROUND(SUM(amount), 2)"
    sql.execute(
        f"INSERT INTO {total_table} (person_id, period, category, unit, amount)"
        f" SELECT person_id, period, category, unit, {total} FROM ({summed}) AS t WHERE true"
        " GROUP BY person_id, period, category, unit ORDER BY person_id, period, category, unit"
        " ON CONFLICT (person_id, period, category, unit)"
        f" DO UPDATE SET amount = {total_table}.amount + excluded.amount",
        [OVERALL],
    )


def _refresh_other_holders(keys: set[str], mine: set[int]) -> None:
    """A reversed one-holder artefact may now count for the next person who claimed it: their
    standings are judged again."""
    if not keys:
        return
    others = set(
        Entry.objects.filter(artefact_exclusive=True, artefact_key__in=sorted(keys))
        .exclude(person_id__in=mine)
        .values_list("person_id", flat=True)
    )
    if others:
        standings.refresh(sorted(others))
