"""One writer: the single-entry actions (`post_entry`, `reverse_entry`) and the set-based
`post_entries` write the same ledger for the same input — entries, audit records, chain heads,
totals and standings — and the writer's tables take their columns from the models."""

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone

from tests import factories as f
from xuefen.audit.models import AuditEvent
from xuefen.core.actors import SYSTEM
from xuefen.intake.models import BatchRow
from xuefen.intake.processing import ROWS
from xuefen.ledger import bulk, sql
from xuefen.ledger.actions import post_entry, reverse_entry
from xuefen.ledger.bulk import REVERSAL_SOURCE, LedgerError, NewEntry, post_entries
from xuefen.ledger.models import Chain, Entry, Standing, Total
from xuefen.ledger.recompute import recompute
from xuefen.ledger.verify import verify
from xuefen.orgs.models import Person
from xuefen.policy.actions import import_ruleset
from xuefen.policy.shipped import shipped_texts

NOW = dt.datetime(2026, 11, 20, 4, 0, tzinfo=dt.UTC)


class _Rollback(Exception):
    pass


def _items(people, approver) -> list[NewEntry]:
    """A mixed input: categories and units, spans with days, a one-holder artefact, an earlier
    period, the same source twice and a bad amount."""
    tags = [("required", "offline", "centralised"), ("elective", "online"), ("professional",)]
    items = []
    for n, person in enumerate(people):
        for k in range(4):
            last = dt.date(2026, 3 + k, 10 + n)
            items.append(
                NewEntry(
                    person_id=person.pk,
                    last_day=last,
                    first_day=last - dt.timedelta(days=2) if k == 1 else None,
                    days=Decimal(3) if k == 1 else None,
                    categories=tags[(n + k) % 3],
                    amount=Decimal(f"{n + k + 1}.5"),
                    unit="hours",
                    source_type="class",
                    source_id=f"S{n}-{k}",
                    kind="training_day" if k == 1 else "online_course",
                    artefact_key=f"paper-{n % 2}" if k == 3 else "",
                    artefact_exclusive=k == 3,
                    description=f"课程{k}",
                    evidence="花名册",
                    approved_by_id=approver.pk if k % 2 else None,
                )
            )
        items.append(
            NewEntry(
                person_id=person.pk,
                last_day=dt.date(2025, 6, 1),
                categories=("elective", "online"),
                amount=Decimal("12"),
                unit="hours",
                source_type="class",
                source_id=f"old{n}",
            )
        )
    items.append(items[0])  # the same source again: a duplicate
    items.append(
        NewEntry(
            person_id=people[0].pk,
            last_day=dt.date(2026, 5, 1),
            categories=("required",),
            amount=Decimal("0"),
            unit="hours",
            source_type="class",
            source_id="zero",
        )
    )
    return items


def _single(actor, items) -> dict[int, str]:
    """Each item through post_entry; the error codes by index."""
    errors = {}
    for index, item in enumerate(items):
        try:
            post_entry(
                actor,
                Person.objects.get(pk=item.person_id),
                last_day=item.last_day,
                first_day=item.first_day,
                days=item.days,
                categories=item.categories,
                amount=item.amount,
                unit=item.unit,
                source_type=item.source_type,
                source_id=item.source_id,
                kind=item.kind,
                artefact_key=item.artefact_key,
                artefact_exclusive=item.artefact_exclusive,
                description=item.description,
                evidence=item.evidence,
                approved_by=f.User.objects.get(pk=item.approved_by_id)
                if item.approved_by_id
                else None,
            )
        except LedgerError as error:
            errors[index] = error.code
    return errors


def _to_reverse(people) -> list[Entry]:
    """The latest entry of every other person."""
    return [Entry.objects.filter(person=p).order_by("-seq").first() for p in people[::2]]


def _ids_as_keys(changes, key):
    """An audit record's changes with the reversed entry named by (person, seq), not its id."""
    changes = dict(changes)
    if "reverses" in changes:
        changes["reverses"] = key[changes["reverses"]]
        changes["source"] = f"{REVERSAL_SOURCE}:{changes['reverses']}"
    return changes


def _snapshot():
    key = {
        pk: (person, seq) for pk, person, seq in Entry.objects.values_list("pk", "person", "seq")
    }
    reversals = set(Entry.objects.filter(reverses__isnull=False).values_list("pk", flat=True))
    entries = []
    for entry in Entry.objects.order_by("person_id", "seq"):
        fields = {
            c: getattr(entry, c)
            for c in sql.columns(Entry)
            if c not in ("reverses_id", "source_id", "hash", "prev_hash")
        }
        fields["reverses"] = key.get(entry.reverses_id)
        # A reversal names the reversed entry's id, which a database sequence does not give twice:
        # compared by what it reverses; each is its person's last entry, so no hash after it
        # depends on that id.
        fields["source_id"] = (
            key[int(entry.source_id)] if entry.source_type == REVERSAL_SOURCE else entry.source_id
        )
        fields["prev_hash"] = entry.prev_hash
        fields["hash"] = entry.hash if entry.pk not in reversals else "(reversal)"
        entries.append(fields)
    audit = sorted(
        (
            key[int(e.object_id)],
            e.actor_id,
            e.actor_name,
            e.address,
            e.action,
            e.object_repr,
            _ids_as_keys(e.changes, key),
            e.node_path,
            e.person_id,
        )
        for e in AuditEvent.objects.filter(object_type="ledger.entry")
    )
    return {
        "entries": entries,
        "audit": audit,
        "heads": sorted(Chain.objects.values_list("person_id", "last_seq")),
        "totals": sorted(
            Total.objects.values_list("person_id", "period", "category", "unit", "amount")
        ),
        "standings": sorted(
            Standing.objects.values_list(
                "person_id", "period", "status", "grade", "earned", "ruleset", "shortfalls"
            )
        ),
    }


def _run(path, cast, items):
    """The ledger written by one path, rolled back after its snapshot."""
    taken = {}
    with mock.patch.object(timezone, "now", return_value=NOW):
        try:
            with transaction.atomic():
                if path == "single":
                    taken["errors"] = _single(cast.carol, items)
                    for entry in _to_reverse(cast.people):
                        reverse_entry(cast.carol, entry, "重复报送")
                else:
                    result = post_entries(cast.carol, items)
                    taken["errors"] = {i: e.code for i, e in result.errors.items()}
                    reversals = [
                        NewEntry(
                            person_id=e.person_id,
                            first_day=e.first_day,
                            last_day=e.last_day,
                            days=e.days,
                            categories=tuple(e.categories),
                            amount=-e.amount,
                            unit=e.unit,
                            source_type=REVERSAL_SOURCE,
                            source_id=str(e.pk),
                            kind=e.kind,
                            artefact_key=e.artefact_key,
                            artefact_exclusive=e.artefact_exclusive,
                            description="重复报送",
                            approved_by_id=cast.carol.pk,
                            reverses_id=e.pk,
                            reverses_period=e.period,
                        )
                        for e in _to_reverse(cast.people)
                    ]
                    assert not post_entries(cast.carol, reversals).errors
                assert list(verify()) == []
                assert recompute() == (0, 0)
                taken.update(_snapshot())
                raise _Rollback
        except _Rollback:
            pass
    return taken


@pytest.fixture
def people(cast):
    import_ruleset(SYSTEM, shipped_texts()["cadre_township"], cast.region)
    import_ruleset(SYSTEM, shipped_texts()["professional_national"], cast.region)
    categories = [Person.Category.GENERAL, Person.Category.PROFESSIONAL]
    cast.people = [
        f.person(cast.unit_a if i % 3 else cast.unit_b, f"学员{i}", category=categories[i % 2])
        for i in range(6)
    ]
    return cast.people


def test_single_and_bulk_paths_write_the_same_ledger(cast, people):
    items = _items(people, cast.carol)
    single = _run("single", cast, items)
    many = _run("bulk", cast, items)
    assert single["errors"] == many["errors"] == {len(items) - 1: "amount_zero"}
    assert len(single["entries"]) == len(items) - 2 + len(people[::2])
    for part in ("entries", "audit", "heads", "totals", "standings"):
        assert single[part] == many[part], part
    assert {s[2] for s in single["standings"]} - {"no_rules"}  # judged by the rule sets


def test_the_audit_record_names_the_entry_as_the_entry_reads(cast, people):
    result = post_entries(cast.carol, _items(people, cast.carol)[:6])
    for pk in result.posted.values():
        event = AuditEvent.objects.get(object_type="ledger.entry", object_id=str(pk))
        assert event.object_repr == str(Entry.objects.get(pk=pk))[:200]


# --- the writer's tables come from the models ------------------------------------------------


@pytest.mark.parametrize(
    "table, model",
    [(bulk.ENTRIES, Entry), (bulk.AUDIT, AuditEvent), (ROWS, BatchRow)],
    ids=["entry", "audit", "batch row"],
)
def test_a_table_written_whole_has_every_field_of_its_model(table, model):
    fields = {f.attname for f in model._meta.concrete_fields if f.name != model._meta.pk.name}
    assert set(table.columns) == fields
    assert table.model is model


def test_a_row_missing_a_field_of_the_model_is_refused(db):
    values = dict.fromkeys(ROWS.columns)
    del values["sent"]
    with pytest.raises(KeyError):
        ROWS.row(values)


def _entry_columns() -> set[str]:
    return {f.attname for f in Entry._meta.concrete_fields if f.name != Entry._meta.pk.name}


def test_the_writers_staged_columns_are_every_field_of_the_entry():
    """What an item stages, what the hash stream reads and what a staged roster row gives: every
    column of the entry but those the engine sets (or, for the stream, sets after hashing)."""
    engine_sets = set(sql.ENGINE_SETS)
    assert set(bulk._ITEM_COLUMNS) == (_entry_columns() - engine_sets) | {
        "idx",
        "later_share",
        "checked",
        "state",
        "first_idx",
        "selected",
    }
    assert set(bulk._STREAM) == (_entry_columns() - engine_sets) | {"idx", "seq"}
    assert sorted(bulk._UNPACKED) == sorted(bulk._STREAM)


def test_a_field_added_to_the_entry_is_missed_by_every_hand_list(monkeypatch):
    """A field the model gains changes the derived lists: the stream's own order no longer matches
    them (the module refuses to load) and a staged roster row that does not give it is refused."""
    added = [*sql.columns(Entry), "grade_note"]
    monkeypatch.setattr(sql, "columns", lambda model: tuple(added) if model is Entry else ())
    staged = sql.staged_columns()
    assert "grade_note" in staged
    stream = ("idx", *(c for c in added if c not in sql.ENGINE_SETS or c == "seq"))
    assert sorted(bulk._UNPACKED) != sorted(stream)
    given = {c: ("NULL", []) for c in ("idx", *sql.staged_columns()) if c != "grade_note"}
    monkeypatch.setattr(bulk, "_ITEM_COLUMNS", ("idx", *staged, "later_share"))
    with pytest.raises(KeyError, match="grade_note"):
        bulk.stage_select(given, " FROM (SELECT 1) AS x", [])
