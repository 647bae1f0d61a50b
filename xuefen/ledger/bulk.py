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
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xuefen.audit.actions import client_address
from xuefen.audit.models import AuditEvent
from xuefen.ledger.actions import LedgerError, _amount, _categories, _validate
from xuefen.ledger.models import OVERALL, Chain, Entry, Standing
from xuefen.ledger.queries import CREDIT_FIELDS, credit_from_row
from xuefen.ledger.standing import BulkJudge
from xuefen.orgs.models import Person
from xuefen.policy.engine import Credit, window_periods
from xuefen.policy.models import RuleSet
from xuefen.policy.schema import RuleSetData
from xuefen.policy.services import pick_in_force

# Rows per statement: well under SQLite's 32,766 variables and PostgreSQL's 65,535 parameters.
MAX_PARAMS = 30_000
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


def _chunks[T](values: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _rows_per_statement(columns: int) -> int:
    return max(1, MAX_PARAMS // columns)


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


def _load_people(person_ids: Iterable[int]) -> dict[int, Person]:
    ids = sorted(set(person_ids))
    people: dict[int, Person] = {}
    for chunk in _chunks(ids, MAX_PARAMS):
        people.update(Person.objects.select_related("unit").in_bulk(list(chunk)))
    return people


def _lock_chains(person_ids: list[int]) -> dict[int, Chain]:
    """The chain heads of `person_ids` (sorted), created where missing, locked until the transaction
    ends. Missing heads are inserted first and every head is then locked, both in person-id order,
    so two calls (or a call and post_entry) over overlapping people queue instead of deadlocking.
    On SQLite the IMMEDIATE transaction already serialises writers."""
    existing: set[int] = set()
    for chunk in _chunks(person_ids, MAX_PARAMS):
        existing.update(
            Chain.objects.filter(person_id__in=list(chunk)).values_list("person_id", flat=True)
        )
    missing = [Chain(person_id=pid) for pid in person_ids if pid not in existing]
    if missing:
        # A head created meanwhile by someone else is left alone (and waited for on PostgreSQL).
        Chain.objects.bulk_create(missing, ignore_conflicts=True, batch_size=_rows_per_statement(3))
    chains: dict[int, Chain] = {}
    for chunk in _chunks(person_ids, MAX_PARAMS):
        locked = Chain.objects.select_for_update().filter(person_id__in=list(chunk))
        chains.update((c.person_id, c) for c in locked.order_by("person_id"))
    return chains


def _existing_sources(keys: set[tuple[int, str, str]]) -> dict[tuple[int, str, str], int]:
    """{(person, source_type, source_id): entry id} of the keys already in the ledger. Read under
    the chain locks, so nothing can add one of them before this transaction ends."""
    found: dict[tuple[int, str, str], int] = {}
    if not keys:
        return found
    person_ids = sorted({k[0] for k in keys})
    source_ids = sorted({k[2] for k in keys})
    types = sorted({k[1] for k in keys})
    # Narrowed by people and by source ids (a roster has few distinct ones); matched exactly here.
    step = max(1, (MAX_PARAMS - len(types)) // 2)
    for people in _chunks(person_ids, step):
        for sources in _chunks(source_ids, step):
            rows = Entry.objects.filter(
                person_id__in=list(people), source_type__in=types, source_id__in=list(sources)
            ).values_list("person_id", "source_type", "source_id", "id")
            for person_id, source_type, source_id, entry_id in rows:
                key = (person_id, source_type, source_id)
                if key in keys:
                    found[key] = entry_id
    return found


def _add_to_totals(entries: Sequence[Entry]) -> None:
    """Moves the totals by the new entries: summed per (person, period, category, unit) here, then
    one upsert that adds each sum to its row or creates the row."""
    sums: dict[tuple[int, int, str, str], Decimal] = defaultdict(Decimal)
    for entry in entries:
        for category in [*entry.categories, OVERALL]:
            sums[(entry.person_id, entry.period, category, entry.unit)] += entry.amount
    rows = sorted(sums.items())
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, _rows_per_statement(5)):
            values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(chunk))
            params: list[Any] = []
            for (person_id, period, category, unit), amount in chunk:
                params += [person_id, period, category, unit, amount]
            cursor.execute(
                "INSERT INTO ledger_total (person_id, period, category, unit, amount)"
                f" VALUES {values}"
                " ON CONFLICT (person_id, period, category, unit)"
                " DO UPDATE SET amount = ledger_total.amount + excluded.amount",
                params,
            )


def _move_heads(chains: Iterable[Chain]) -> None:
    """Writes the new heads of the chains that grew (one upsert; every head exists)."""
    heads = sorted(chains, key=lambda c: c.person_id)
    with connection.cursor() as cursor:
        for chunk in _chunks(heads, _rows_per_statement(3)):
            values = ", ".join(["(%s, %s, %s)"] * len(chunk))
            params: list[Any] = []
            for chain in chunk:
                params += [chain.person_id, chain.last_seq, chain.last_hash]
            cursor.execute(
                "INSERT INTO ledger_chain (person_id, last_seq, last_hash)"
                f" VALUES {values}"
                " ON CONFLICT (person_id)"
                " DO UPDATE SET last_seq = excluded.last_seq, last_hash = excluded.last_hash",
                params,
            )


class _CallJudge(BulkJudge):
    """BulkJudge with every rule-set version of the regions involved read in one query, so the
    version in force is picked in memory (the same choice as policy.services.ruleset_for)."""

    def __init__(self, people: Iterable[Person]) -> None:
        super().__init__()
        regions: set[int] = set()
        for person in people:
            regions.update(int(part) for part in person.unit.path.strip("/").split("/") if part)
        self._rows = list(RuleSet.objects.filter(region_id__in=sorted(regions)))

    def rules(self, person: Person, period: int) -> RuleSetData | None:
        key = (person.unit.path, person.category, period)
        if key not in self._rules:
            row = pick_in_force(self._rows, person.unit.path, person.category, period)
            self._rules[key] = row.data if row is not None else None
        return self._rules[key]


def _refresh_standings(people: dict[int, Person], touched: dict[int, set[int]]) -> None:
    """What refresh_after does for every (person, period) touched, in a few queries: each touched
    period is judged, and so is every later period already judged whose window reaches back to a
    touched one; the credits of all of them are read at once and the standings upserted."""
    person_ids = sorted(touched)
    judge = _CallJudge(people[pid] for pid in person_ids)
    judge.load_exemptions(person_ids)
    earliest = min(min(periods) for periods in touched.values())
    later: dict[int, set[int]] = defaultdict(set)
    for chunk in _chunks(person_ids, MAX_PARAMS):
        judged = Standing.objects.filter(person_id__in=list(chunk), period__gt=earliest)
        for person_id, period in judged.values_list("person_id", "period"):
            later[person_id].add(period)
    to_judge: dict[int, set[int]] = {}
    needed: set[int] = set()
    for pid in person_ids:
        person, periods = people[pid], set(touched[pid])
        for other in later.get(pid, ()):
            if other in periods:
                continue
            rules = judge.rules(person, other)
            if rules is not None and any(p in window_periods(rules, other) for p in touched[pid]):
                periods.add(other)
        to_judge[pid] = periods
        for period in periods:
            rules = judge.rules(person, period)
            needed.update(window_periods(rules, period) if rules is not None else [period])
    credits: dict[int, list[Credit]] = defaultdict(list)
    for chunk in _chunks(person_ids, MAX_PARAMS - len(needed)):
        rows = (
            Entry.objects.filter(person_id__in=list(chunk), period__in=sorted(needed))
            .order_by("person_id", "seq")
            .values_list("person_id", *CREDIT_FIELDS)
        )
        for row in rows:
            credits[row[0]].append(credit_from_row(row[1:]))
    now = timezone.now()
    fresh = []
    for pid in person_ids:
        for period in sorted(to_judge[pid]):
            met, grade, earned, ruleset = judge(people[pid], period, credits.get(pid, []))
            fresh.append(
                Standing(
                    person_id=pid,
                    period=period,
                    met=met,
                    grade=grade,
                    earned=earned,
                    ruleset=ruleset,
                    evaluated_at=now,
                )
            )
    Standing.objects.bulk_create(
        fresh,
        update_conflicts=True,
        unique_fields=["person", "period"],
        update_fields=["met", "grade", "earned", "ruleset", "evaluated_at"],
        batch_size=_rows_per_statement(7),
    )


def _audit_events(
    actor: Any, entries: Sequence[Entry], people: dict[int, Person], note: str
) -> None:
    """The audit record post_entry writes with each entry (verify and each person's scoped trail
    rely on one per entry), all in one statement; each names the call's note."""
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    name = actor_obj.get_username() if actor_obj else "system"
    address = client_address.get()
    label = Entry._meta.label_lower
    events = []
    for entry in entries:
        changes: dict[str, Any] = {
            "period": entry.period,
            "amount": str(entry.amount),
            "unit": entry.unit,
            "categories": entry.categories,
            "source": f"{entry.source_type}:{entry.source_id}",
        }
        if note:
            changes["note"] = note
        events.append(
            AuditEvent(
                actor=actor_obj,
                actor_name=name,
                address=address,
                action=AuditEvent.Action.POST,
                object_type=label,
                object_id=str(entry.pk),
                object_repr=str(entry)[:200],
                changes=changes,
                node_path=people[entry.person_id].unit.path,
                person_id=entry.person_id,
            )
        )
    AuditEvent.objects.bulk_create(events, batch_size=_rows_per_statement(11))


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
    audit record per entry, carrying `note`. `node_path` is the caller's node (the provider's),
    kept for the record of a call that posts nothing.
    """
    result = BulkResult()
    if not items:
        return result
    with transaction.atomic():
        _post(actor, items, note, node_path, result)
    return result


def _post(
    actor: Any, items: Sequence[NewEntry], note: str, node_path: str, result: BulkResult
) -> None:
    people = _load_people(item.person_id for item in items)
    person_ids = sorted(pid for pid in {item.person_id for item in items} if pid in people)
    chains = _lock_chains(person_ids)
    keys = {
        (item.person_id, item.source_type, str(item.source_id))
        for item in items
        if item.person_id in people
    }
    seen = _existing_sources(keys)
    now = timezone.now()
    created_by = actor if getattr(actor, "is_authenticated", False) else None
    created_by_id = created_by.pk if created_by is not None else None
    new: list[tuple[int, Entry]] = []
    posted_at: dict[tuple[int, str, str], int] = {}  # key -> index of the item posting it
    grown: dict[int, Chain] = {}
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
        chain = chains[item.person_id]
        entry = Entry(
            person_id=item.person_id,
            seq=chain.last_seq + 1,
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
            prev_hash=chain.last_hash,
        )
        entry.hash = entry.compute_hash()
        chain.last_seq, chain.last_hash = entry.seq, entry.hash
        grown[item.person_id] = chain
        posted_at[key] = index
        new.append((index, entry))
    if not new:
        return
    entries = [entry for _index, entry in new]
    Entry.objects.bulk_create(entries, batch_size=_rows_per_statement(21))
    for index, entry in new:
        result.posted[index] = entry.pk
    for index, marker in result.duplicates.items():
        if marker < 0:
            result.duplicates[index] = result.posted[-1 - marker]
    _move_heads(grown.values())
    _add_to_totals(entries)
    touched: dict[int, set[int]] = defaultdict(set)
    for entry in entries:
        touched[entry.person_id].add(entry.period)
    _refresh_standings(people, touched)
    _audit_events(actor, entries, people, note)
