"""Posting many ledger entries at once (rosters, batch approvals), set-based.

`post_entries` gives each item exactly what `actions.post_entry` would — the same validation and
error codes, the same idempotency on (person, source_type, source_id), the same hash chain, totals,
standings and audit records — but with a fixed handful of queries per call instead of a dozen per
item: the chains of everyone involved are locked together, the entries, totals, chain heads,
standings and audit records are each written in one statement (or a few, for large calls).
"""

# The SQL below formats in only constant fragments and placeholders; every value is a parameter.
# ruff: noqa: S608

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xuefen.audit.actions import client_address
from xuefen.audit.models import AuditEvent
from xuefen.ledger.actions import LedgerError, _amount, _categories, _validate
from xuefen.ledger.models import GENESIS, OVERALL, Chain, Entry, Standing, Total, chain_hash
from xuefen.ledger.queries import CREDIT_FIELDS, credit_from_row
from xuefen.ledger.standing import BulkJudge
from xuefen.orgs.models import OrgNode, Person
from xuefen.policy.engine import Credit, window_periods
from xuefen.policy.models import RuleSet
from xuefen.policy.schema import RuleSetData
from xuefen.policy.services import pick_in_force

# Parameters per statement: well under SQLite's 32,766 variables and PostgreSQL's 65,535 parameters.
MAX_PARAMS = 30_000
CENT = Decimal("0.01")
# Rows per INSERT … SELECT FROM unnest on PostgreSQL (the arrays travel as one literal each).
PG_ROWS = 5_000
# Length limits of the entry's text columns: longer values are refused per item (post_entry would
# fail the whole transaction on PostgreSQL; here one bad row must not sink the others).
LIMITS = {"source_type": 40, "source_id": 100, "kind": 40, "artefact_key": 200}


@dataclass(frozen=True)
class NewEntry:
    """One credit to post: the arguments of post_entry, with the person and approver by id."""

    person_id: int
    period: int
    activity_date: dt.date
    categories: tuple[str, ...]
    amount: Decimal
    unit: str  # "hours" | "credits"
    source_type: str
    source_id: str
    kind: str = ""
    artefact_key: str = ""
    description: str = ""
    evidence: str = ""
    approved_by_id: int | None = None


@dataclass
class BulkResult:
    """What became of each item, by its index in the call."""

    posted: dict[int, int] = field(default_factory=dict)  # index -> new entry id
    # index -> id of the entry already in the ledger (or posted earlier in this call)
    duplicates: dict[int, int] = field(default_factory=dict)
    errors: dict[int, LedgerError] = field(default_factory=dict)  # index -> why not posted


@dataclass(slots=True)
class _Row:
    """An entry on its way in: the attributes Entry.hashed_fields() and Entry.__str__() read, so
    the hash and the audit text come from the model's own definitions without a model instance
    per row (building 1,000 of those costs more than inserting them)."""

    person_id: int
    seq: int
    period: int
    activity_date: dt.date
    categories: list[str]
    amount: Decimal
    unit: str
    kind: str
    artefact_key: str
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
        return Entry.__str__(cast(Entry, self))


@dataclass(frozen=True, slots=True)
class _Unit:
    path: str


@dataclass(frozen=True, slots=True)
class _Person:
    """What judging a standing reads of a person (the attributes BulkJudge uses)."""

    pk: int
    category: str
    title_level: str
    birth_date: dt.date
    hired_on: dt.date | None
    unit: _Unit


def _chunks[T](values: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _in(column: str, values: Sequence[Any], array: str) -> tuple[str, list[Any]]:
    """`column IN (…)` of already adapted values: one array parameter on PostgreSQL (`= ANY`),
    a placeholder per value on SQLite. Built by hand: Django's `__in` lookup preps every value
    through the field again, which costs more than the query for thousands of them."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s::{array}[])", [list(values)]
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


def _select(
    model: type[models.Model],
    columns: Sequence[str],
    where: str,
    params: Sequence[Any],
    tail: str = "",
    shared: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """SELECT `columns` of `model`'s table, each value converted as the ORM converts it (the
    backend's and the field's own converters: Decimal, JSON, dates), without a queryset. The
    `shared` columns are converted once per distinct stored value and the result shared between
    rows (for values the caller does not mutate: a roster's few category lists and amounts)."""
    table = model._meta.db_table
    quote = connection.ops.quote_name
    converting: list[tuple[int, list[Any], Any, dict[Any, Any] | None]] = []
    for index, name in enumerate(columns):
        model_field = cast(models.Field, model._meta.get_field(name))
        column = model_field.get_col(table)
        found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if found:
            converting.append((index, found, column, {} if name in shared else None))
    names = ", ".join(
        quote(str(cast(models.Field, model._meta.get_field(c)).column)) for c in columns
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {names} FROM {quote(table)} WHERE {where}{tail}", params)
        rows = cursor.fetchall()
    if not converting:
        return rows
    out = []
    for row in rows:
        values = list(row)
        for index, found, column, memo in converting:
            raw = value = values[index]
            if memo is not None and not isinstance(raw, str | int | float):
                memo = None  # not hashable as stored: converted row by row
            if memo is not None and raw in memo:
                values[index] = memo[raw]
                continue
            for converter in found:
                value = converter(value, column, connection)
            values[index] = value
            if memo is not None:
                memo[raw] = value
        out.append(tuple(values))
    return out


def _pg_execute(sql: str, params: Sequence[Any], fetch: bool = True) -> list[tuple[Any, ...]]:
    """Runs one statement of array parameters on PostgreSQL with the parameters bound on the
    server. Django's cursor binds on the client (psycopg's ClientCursor): it spells every array out
    as a quoted literal in Python, which cost more than the inserts themselves (~1 s per 10,000
    entries). Database errors come out as Django's, as from connection.cursor()."""
    import psycopg

    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if fetch else []


def insert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    conflict: str = "",
    returning: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """INSERT (… ON CONFLICT …) of already adapted values in as few statements as practical;
    returns the `returning` columns of the rows inserted. PostgreSQL gets one array per column
    (INSERT … SELECT FROM unnest): a multi-row VALUES list of tens of thousands of placeholders
    costs more to parse on the client than to insert. SQLite gets executemany, or multi-row VALUES
    where rows must come back."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(c) for c in columns)
    tail = (f" {conflict}" if conflict else "") + (
        f" RETURNING {', '.join(quote(c) for c in returning)}" if returning else ""
    )
    out: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            types = [model._meta.get_field(c).db_type(connection) for c in columns]
            arrays = ", ".join(f"%s::{t}[]" for t in types)
            sql = f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays}){tail}"
            for chunk in _chunks(rows, PG_ROWS):
                arrays_of = [list(column) for column in zip(*chunk, strict=True)]
                out.extend(_pg_execute(sql, arrays_of, fetch=bool(returning)))
            return out
        mark = "(" + ", ".join(["%s"] * len(columns)) + ")"
        if not returning:
            # One statement, prepared once and run for every row by sqlite3's C loop.
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES {mark}{tail}", rows)
            return out
        for chunk in _chunks(rows, max(1, MAX_PARAMS // len(columns))):
            values = ", ".join([mark] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} ({names}) VALUES {values}{tail}",
                [value for row in chunk for value in row],
            )
            if returning:
                out.extend(cursor.fetchall())
    return out


# The ledger's own name for it; intake writes its BatchRows with it too.
_insert = insert_rows


def _check_lengths(item: NewEntry) -> None:
    for name, limit in LIMITS.items():
        if len(str(getattr(item, name))) > limit:
            raise LedgerError(
                "field_too_long",
                _("The %(field)s is longer than %(limit)s characters.")
                % {"field": name, "limit": limit},
                field=name,
            )


def _clean(item: NewEntry) -> tuple[list[str], Decimal]:
    """post_entry's validation of one item, in its order; raises LedgerError."""
    _validate(item.period, item.activity_date, item.unit, item.source_type, str(item.source_id))
    categories = _categories(item.categories)
    amount = _amount(item.amount)
    _check_lengths(item)
    return categories, amount


def _load_people(person_ids: Iterable[int]) -> dict[int, _Person]:
    ids = sorted(set(person_ids))
    fields = ("id", "category", "title_level", "birth_date", "hired_on", "unit_id")
    found: list[tuple[Any, ...]] = []
    for chunk in _chunks(ids, MAX_PARAMS):
        found.extend(_select(Person, fields, *_in("id", chunk, "bigint")))
    unit_ids = sorted({row[5] for row in found})
    units = (
        {
            pk: _Unit(path)
            for pk, path in _select(OrgNode, ("id", "path"), *_in("id", unit_ids, "bigint"))
        }
        if unit_ids
        else {}
    )
    return {
        pk: _Person(pk, category, title, birth, hired, units[unit_id])
        for pk, category, title, birth, hired, unit_id in found
    }


def _lock_chains(person_ids: list[int]) -> dict[int, tuple[int, str]]:
    """{person: (last seq, last hash)} of `person_ids` (sorted), heads created where missing and
    locked until the transaction ends. Missing heads are inserted first and every head is then
    locked, both in person-id order, so two calls (or a call and post_entry) over overlapping
    people queue instead of deadlocking. On SQLite the IMMEDIATE transaction serialises writers."""
    existing: set[int] = set()
    for chunk in _chunks(person_ids, MAX_PARAMS):
        existing.update(
            pid for (pid,) in _select(Chain, ("person_id",), *_in("person_id", chunk, "bigint"))
        )
    missing = [pid for pid in person_ids if pid not in existing]
    if missing:
        # A head created meanwhile by someone else is left alone (and waited for on PostgreSQL).
        _insert(
            Chain,
            ("person_id", "last_seq", "last_hash"),
            [(pid, 0, GENESIS) for pid in missing],
            conflict="ON CONFLICT (person_id) DO NOTHING",
        )
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    heads: dict[int, tuple[int, str]] = {}
    for chunk in _chunks(person_ids, MAX_PARAMS):
        where, params = _in("person_id", chunk, "bigint")
        rows = _select(
            Chain,
            ("person_id", "last_seq", "last_hash"),
            where,
            params,
            f" ORDER BY person_id{lock}",
        )
        heads.update((pid, (seq, digest)) for pid, seq, digest in rows)
    return heads


def _existing_sources(keys: set[tuple[int, str, str]]) -> dict[tuple[int, str, str], int]:
    """{(person, source_type, source_id): entry id} of the keys already in the ledger. Read under
    the chain locks, so nothing can add one of them before this transaction ends. The exact keys
    are joined against the unique index, one probe each (narrowing by people IN (…) and sources
    IN (…) probed every pair of them: a roster chunk of 2,000 people and 280 dates made 560,000)."""
    found: dict[tuple[int, str, str], int] = {}
    if not keys:
        return found
    ordered = sorted(keys)
    select = (
        "SELECT e.person_id, e.source_type, e.source_id, e.id FROM {keys} "
        "JOIN ledger_entry e ON e.person_id = k.p AND e.source_type = k.t AND e.source_id = k.s"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = select.format(keys="unnest(%s::bigint[], %s::text[], %s::text[]) AS k(p, t, s)")
            for chunk in _chunks(ordered, PG_ROWS):
                arrays = [list(column) for column in zip(*chunk, strict=True)]
                found.update(((p, t, s), pk) for p, t, s, pk in _pg_execute(sql, arrays))
            return found
        for chunk in _chunks(ordered, MAX_PARAMS // 3):
            values = ", ".join(["(%s, %s, %s)"] * len(chunk))
            # CROSS JOIN keeps SQLite's planner from scanning the ledger for the key list.
            sql = f"WITH k(p, t, s) AS (VALUES {values}) " + select.format(keys="k").replace(
                " JOIN ", " CROSS JOIN ", 1
            )
            cursor.execute(sql, [value for key in chunk for value in key])
            found.update(((p, t, s), pk) for p, t, s, pk in cursor.fetchall())
    return found


ENTRY_COLUMNS = (
    "person_id", "seq", "period", "activity_date", "categories", "amount", "unit", "kind",
    "artefact_key", "source_type", "source_id", "description", "evidence", "approved_by_id",
    "approved_at", "reverses_id", "created_by_id", "created_at", "prev_hash", "hash",
)  # fmt: skip


def _insert_entries(rows: Sequence[_Row]) -> None:
    """Inserts the entries and sets each row's pk. JSON goes as the text JSONField would store
    (json.dumps); the column (or the array's cast on PostgreSQL) reads it."""
    ops = connection.ops
    values = [
        (
            r.person_id,
            r.seq,
            r.period,
            ops.adapt_datefield_value(r.activity_date),
            json.dumps(r.categories),
            ops.adapt_decimalfield_value(r.amount),
            r.unit,
            r.kind,
            r.artefact_key,
            r.source_type,
            r.source_id,
            r.description,
            r.evidence,
            r.approved_by_id,
            ops.adapt_datetimefield_value(r.approved_at),
            None,
            r.created_by_id,
            ops.adapt_datetimefield_value(r.created_at),
            r.prev_hash,
            r.hash,
        )
        for r in rows
    ]
    inserted = _insert(Entry, ENTRY_COLUMNS, values, returning=("person_id", "seq", "id"))
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
    _insert(
        Total,
        ("person_id", "period", "category", "unit", "amount"),
        [(*key, amount) for key, amount in sorted(sums.items())],
        conflict="ON CONFLICT (person_id, period, category, unit)"
        " DO UPDATE SET amount = ledger_total.amount + excluded.amount",
    )


def _move_heads(heads: dict[int, tuple[int, str]]) -> None:
    """Writes the new heads of the chains that grew (an upsert; every head exists)."""
    _insert(
        Chain,
        ("person_id", "last_seq", "last_hash"),
        [(pid, seq, digest) for pid, (seq, digest) in sorted(heads.items())],
        conflict="ON CONFLICT (person_id)"
        " DO UPDATE SET last_seq = excluded.last_seq, last_hash = excluded.last_hash",
    )


class _CallJudge(BulkJudge):
    """BulkJudge with every rule-set version of the regions involved read in one query, so the
    version in force is picked in memory (the same choice as policy.services.ruleset_for)."""

    def __init__(self, people: Iterable[_Person]) -> None:
        super().__init__()
        regions: set[int] = set()
        for path in {person.unit.path for person in people}:
            regions.update(int(part) for part in path.strip("/").split("/") if part)
        self._rows = list(RuleSet.objects.filter(region_id__in=sorted(regions)))

    def rules(self, person: Person, period: int) -> RuleSetData | None:
        key = (person.unit.path, person.category, period)
        if key not in self._rules:
            row = pick_in_force(self._rows, person.unit.path, person.category, period)
            self._rules[key] = row.data if row is not None else None
        return self._rules[key]


@dataclass
class _Standings:
    """The standings a call must re-judge, and the credits judging them reads."""

    judge: _CallJudge
    who: dict[int, Person]
    to_judge: dict[int, set[int]]
    credits: dict[int, list[Credit]]


def _plan_standings(people: dict[int, _Person], touched: dict[int, set[int]]) -> _Standings:
    """What refresh_after does for every (person, period) touched, set-based: each touched period
    is judged, and so is every later period already judged whose window reaches back to a touched
    one. The credits of all of them already in the ledger are read here, in one query, BEFORE the
    call's entries are inserted (the chain locks keep anyone else from adding one meanwhile); the
    new entries join them from memory once they have ids (`_judge_standings`), so what was just
    written is not read back."""
    person_ids = sorted(touched)
    judge = _CallJudge(people[pid] for pid in person_ids)
    judge.load_exemptions(person_ids)
    # BulkJudge reads only the attributes _Person has.
    who = {pid: cast(Person, people[pid]) for pid in person_ids}
    earliest = min(min(periods) for periods in touched.values())
    later: dict[int, set[int]] = defaultdict(set)
    for chunk in _chunks(person_ids, MAX_PARAMS):
        where, params = _in("person_id", chunk, "bigint")
        for person_id, period in _select(
            Standing, ("person_id", "period"), f"{where} AND period > %s", [*params, earliest]
        ):
            later[person_id].add(period)
    to_judge: dict[int, set[int]] = {}
    needed: set[int] = set()
    for pid in person_ids:
        periods = set(touched[pid])
        for other in later.get(pid, ()):
            if other in periods:
                continue
            rules = judge.rules(who[pid], other)
            if rules is not None and any(p in window_periods(rules, other) for p in touched[pid]):
                periods.add(other)
        to_judge[pid] = periods
        for period in periods:
            rules = judge.rules(who[pid], period)
            needed.update(window_periods(rules, period) if rules is not None else [period])
    credits: dict[int, list[Credit]] = defaultdict(list)
    wanted = sorted(needed)
    for chunk in _chunks(person_ids, MAX_PARAMS - len(wanted)):
        who_in, people_params = _in("person_id", chunk, "bigint")
        period_in, period_params = _in("period", wanted, "integer")
        rows = _select(
            Entry,
            ("person_id", *CREDIT_FIELDS),
            f"{who_in} AND {period_in}",
            [*people_params, *period_params],
            " ORDER BY person_id, seq",
            shared=("categories", "amount"),  # made a tuple / not mutated by credit_from_row
        )
        for row in rows:
            credits[row[0]].append(credit_from_row(row[1:]))
    return _Standings(judge, who, to_judge, credits)


def _judge_standings(plan: _Standings, rows: Sequence[_Row]) -> None:
    """Adds the call's new entries (inserted, so with ids) to the credits read before, judges
    every planned standing and upserts them in one statement."""
    credits = plan.credits
    for row in rows:
        assert row.pk is not None
        # As the ledger would return it: the column's two decimals, categories as a tuple.
        credits[row.person_id].append(
            Credit(
                entry_id=row.pk,
                period=row.period,
                activity_date=row.activity_date,
                categories=tuple(row.categories),
                amount=row.amount.quantize(CENT),
                unit=row.unit,
                kind=row.kind,
                artefact_key=row.artefact_key,
                source_type=row.source_type,
                reverses_id=row.reverses_id,
            )
        )
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    fresh = []
    for pid in sorted(plan.to_judge):
        for period in sorted(plan.to_judge[pid]):
            met, grade, earned, ruleset = plan.judge(plan.who[pid], period, credits.get(pid, []))
            fresh.append(
                (pid, period, met, grade, ops.adapt_decimalfield_value(earned), ruleset, now)
            )
    _insert(
        Standing,
        ("person_id", "period", "met", "grade", "earned", "ruleset", "evaluated_at"),
        fresh,
        conflict="ON CONFLICT (person_id, period) DO UPDATE SET met = excluded.met,"
        " grade = excluded.grade, earned = excluded.earned, ruleset = excluded.ruleset,"
        " evaluated_at = excluded.evaluated_at",
    )


AUDIT_COLUMNS = (
    "at", "actor_id", "actor_name", "address", "action", "object_type", "object_id",
    "object_repr", "changes", "node_path", "person_id",
)  # fmt: skip


def _audit_events(actor: Any, rows: Sequence[_Row], people: dict[int, _Person], note: str) -> None:
    """The audit record post_entry writes with each entry (verify and each person's scoped trail
    rely on one per entry), all in one statement; each names the call's note."""
    ops = connection.ops
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    actor_id = actor_obj.pk if actor_obj is not None else None
    name = actor_obj.get_username() if actor_obj is not None else "system"
    address = client_address.get() or None
    at = ops.adapt_datetimefield_value(timezone.now())
    label = Entry._meta.label_lower
    values = []
    for row in rows:
        changes: dict[str, Any] = {
            "period": row.period,
            "amount": str(row.amount),
            "unit": row.unit,
            "categories": row.categories,
            "source": f"{row.source_type}:{row.source_id}",
        }
        if note:
            changes["note"] = note
        values.append(
            (
                at,
                actor_id,
                name,
                address,
                AuditEvent.Action.POST.value,
                label,
                str(row.pk),
                str(row)[:200],
                json.dumps(changes),
                people[row.person_id].unit.path,
                row.person_id,
            )
        )
    _insert(AuditEvent, AUDIT_COLUMNS, values)


def post_entries(
    actor: Any, items: Sequence[NewEntry], *, note: str = "", node_path: str = ""
) -> BulkResult:
    """Posts every valid item that is not already in the ledger, in one transaction (a savepoint
    inside the caller's), and reports what became of each by its index.

    Guarantees, item for item, what post_entry guarantees: idempotent on (person, source_type,
    source_id) — against the ledger and within the call (the first valid item of a key is posted,
    later ones are duplicates of it); the same validation and LedgerError codes (plus
    `person_unknown` and `field_too_long`, which post_entry cannot meet); each person's entries
    appended to their hash chain in item order; totals and standings current when it returns; an
    audit record per entry (as post_entry writes, so `ledger verify` and each person's scoped
    trail see it), carrying `note`. `node_path` (the caller's node) is accepted for the contract;
    each record is filed under its person's unit, as post_entry files it.
    """
    result = BulkResult()
    if not items:
        return result
    with transaction.atomic():
        _post(actor, items, note, result)
    return result


def _post(actor: Any, items: Sequence[NewEntry], note: str, result: BulkResult) -> None:
    people = _load_people(item.person_id for item in items)
    heads = _lock_chains(sorted(pid for pid in {item.person_id for item in items} if pid in people))
    keys = {
        (item.person_id, item.source_type, str(item.source_id))
        for item in items
        if item.person_id in people
    }
    seen = _existing_sources(keys)
    now = timezone.now()
    created_by_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    new: list[tuple[int, _Row]] = []
    posted_at: dict[tuple[int, str, str], int] = {}  # key -> index of the item posting it
    grown: dict[int, tuple[int, str]] = {}
    for index, item in enumerate(items):
        if item.person_id not in people:
            result.errors[index] = LedgerError(
                "person_unknown", _("No such person."), field="person_id"
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
            categories, amount = _clean(item)
        except LedgerError as error:
            result.errors[index] = error
            continue
        last_seq, last_hash = heads[item.person_id]
        row = _Row(
            person_id=item.person_id,
            seq=last_seq + 1,
            period=item.period,
            activity_date=item.activity_date,
            categories=categories,
            amount=amount,
            unit=item.unit,
            kind=item.kind,
            artefact_key=item.artefact_key,
            source_type=item.source_type,
            source_id=source_id,
            description=item.description[:300],
            evidence=item.evidence[:300],
            approved_by_id=item.approved_by_id,
            approved_at=now if item.approved_by_id is not None else None,
            created_by_id=created_by_id,
            created_at=now,
            prev_hash=last_hash,
        )
        row.seal()
        heads[item.person_id] = grown[item.person_id] = (row.seq, row.hash)
        posted_at[key] = index
        new.append((index, row))
    if not new:
        return
    rows = [row for _index, row in new]
    touched: dict[int, set[int]] = defaultdict(set)
    for row in rows:
        touched[row.person_id].add(row.period)
    standings = _plan_standings(people, touched)
    _insert_entries(rows)
    for index, row in new:
        assert row.pk is not None
        result.posted[index] = row.pk
    for index, marker in result.duplicates.items():
        if marker < 0:
            result.duplicates[index] = result.posted[-1 - marker]
    _move_heads(grown)
    _add_to_totals(rows)
    _judge_standings(standings, rows)
    _audit_events(actor, rows, people, note)
