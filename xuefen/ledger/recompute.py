"""Rebuilding the derived tables (Total, Standing) from the ledger, set-based.

Totals are one GROUP BY over the ledger (the category tags unnested in SQL) upserted into
ledger_total, writing only rows whose amount differs; stale totals are deleted. Standings need the
rule engine, so they stream the entries once in person order and write the differences in bulk.
"""

# The SQL below formats in only constant fragments (vendor syntax); every value is a parameter.
# ruff: noqa: S608

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from xuefen.ledger.models import OVERALL, Entry, Standing
from xuefen.ledger.queries import CREDIT_FIELDS, credit_from_row
from xuefen.orgs.models import Person
from xuefen.policy.engine import Credit

CHUNK = 5000
# PostgreSQL: memory for the GROUP BY of a full recompute, so it aggregates in memory instead of
# sorting on disk (this transaction only).
RECOMPUTE_WORK_MEM = "256MB"


def _unnest() -> str:
    """FROM-clause fragment giving one row per (entry, category tag) as `e` and `tag`."""
    if connection.vendor == "postgresql":
        return "ledger_entry e CROSS JOIN LATERAL jsonb_array_elements_text(e.categories) AS j(tag)"
    return "ledger_entry e, json_each(e.categories) AS j"


def _tag() -> str:
    return "j.tag" if connection.vendor == "postgresql" else "j.value"


def grouped_totals_sql(period: int | None) -> tuple[str, list[Any]]:
    """(person_id, period, category, unit, amount) of every total the ledger implies.

    Only constant fragments are formatted in; values go as parameters."""
    where = "WHERE e.period = %s" if period is not None else ""
    params: list[Any] = [period, period] if period is not None else []
    sql = (
        f"SELECT e.person_id, e.period, {_tag()} AS category, e.unit,"
        " ROUND(SUM(e.amount), 2) AS amount"
        f" FROM {_unnest()} {where}"
        f" GROUP BY e.person_id, e.period, {_tag()}, e.unit"
        " UNION ALL"
        f" SELECT e.person_id, e.period, '{OVERALL}', e.unit, ROUND(SUM(e.amount), 2)"
        f" FROM ledger_entry e {where}"
        " GROUP BY e.person_id, e.period, e.unit"
    )
    return sql, params


def _has_entries_sql() -> str:
    """WHERE-fragment over ledger_total `t`: the ledger still has an entry behind this total."""
    if connection.vendor == "postgresql":
        tagged = "e.categories @> jsonb_build_array(t.category)"
    else:
        tagged = "EXISTS (SELECT 1 FROM json_each(e.categories) j WHERE j.value = t.category)"
    return (
        "EXISTS (SELECT 1 FROM ledger_entry e WHERE e.person_id = t.person_id"
        " AND e.period = t.period AND e.unit = t.unit"
        f" AND (t.category = '{OVERALL}' OR {tagged}))"
    )


@transaction.atomic
def recompute_totals(period: int | None = None) -> int:
    """Makes ledger_total equal to the ledger's sums; returns how many rows it inserted, changed or
    deleted (0 when the live totals were right)."""
    grouped, params = grouped_totals_sql(period)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config('work_mem', %s, true)", [RECOMPUTE_WORK_MEM])
        # "WHERE true" keeps SQLite from reading ON CONFLICT as part of the SELECT's join.
        cursor.execute(
            "INSERT INTO ledger_total (person_id, period, category, unit, amount)"
            f" SELECT g.person_id, g.period, g.category, g.unit, g.amount FROM ({grouped}) g"
            " WHERE true"
            " ON CONFLICT (person_id, period, category, unit)"
            " DO UPDATE SET amount = excluded.amount"
            " WHERE abs(ledger_total.amount - excluded.amount) >= 0.005",
            params,
        )
        changed = max(cursor.rowcount, 0)
        where = "t.period = %s AND " if period is not None else ""
        cursor.execute(
            f"DELETE FROM ledger_total WHERE id IN (SELECT t.id FROM ledger_total t"
            f" WHERE {where}NOT {_has_entries_sql()})",
            [period] if period is not None else [],
        )
        changed += max(cursor.rowcount, 0)
    return changed


def _credits_by_person(period: int | None) -> Iterator[tuple[int, list[Credit]]]:
    """(person id, every credit of that person) in person order, streamed in chunks."""
    entries = Entry.objects.order_by("person_id", "seq")
    if period is not None:
        # The window of a multi-year rule reaches back; judging `period` needs earlier credits too.
        entries = entries.filter(period__lte=period)
    rows = entries.values_list("person_id", *CREDIT_FIELDS).iterator(chunk_size=CHUNK)
    current: int | None = None
    credits: list[Credit] = []
    for row in rows:
        if row[0] != current:
            if current is not None:
                yield current, credits
            current, credits = row[0], []
        credits.append(credit_from_row(row[1:]))
    if current is not None:
        yield current, credits


def judge_all(period: int | None = None) -> Iterator[Standing]:
    """A fresh (unsaved) Standing for every (person, period) that has entries."""
    from xuefen.ledger.standing import BulkJudge

    judge = BulkJudge()
    now = timezone.now()
    pending: list[tuple[int, list[Credit]]] = []

    def flush() -> Iterator[Standing]:
        ids = [pid for pid, _c in pending]
        people = Person.objects.select_related("unit").in_bulk(ids)
        judge.load_exemptions(ids)
        for person_id, credits in pending:
            person = people[person_id]
            periods = {c.period for c in credits}
            for judged in sorted(periods if period is None else periods & {period}):
                met, grade, earned, ruleset = judge(person, judged, credits)
                yield Standing(
                    person_id=person_id,
                    period=judged,
                    met=met,
                    grade=grade,
                    earned=earned,
                    ruleset=ruleset,
                    evaluated_at=now,
                )
        pending.clear()

    for item in _credits_by_person(period):
        pending.append(item)
        if len(pending) >= 500:
            yield from flush()
    yield from flush()


def _same(a: Standing, b: Standing) -> bool:
    return (a.met, a.grade, Decimal(a.earned), a.ruleset) == (
        b.met,
        b.grade,
        Decimal(b.earned),
        b.ruleset,
    )


@transaction.atomic
def recompute_standings(period: int | None = None) -> int:
    """Re-judges every (person, period) with entries and writes the standings that differ; returns
    how many rows it inserted, changed or deleted."""
    existing = Standing.objects.all() if period is None else Standing.objects.filter(period=period)
    stored = {(s.person_id, s.period): s for s in existing.iterator(chunk_size=CHUNK)}
    create: list[Standing] = []
    update: list[Standing] = []
    for fresh in judge_all(period):
        old = stored.pop((fresh.person_id, fresh.period), None)
        if old is None:
            create.append(fresh)
        elif not _same(old, fresh):
            fresh.pk = old.pk
            update.append(fresh)
    Standing.objects.bulk_create(create, batch_size=CHUNK)
    Standing.objects.bulk_update(
        update, ["met", "grade", "earned", "ruleset", "evaluated_at"], batch_size=CHUNK
    )
    deleted, _ = Standing.objects.filter(pk__in=[s.pk for s in stored.values()]).delete()
    return len(create) + len(update) + deleted


def recompute(period: int | None = None) -> tuple[int, int]:
    """(totals changed, standings changed) after rebuilding both from the ledger."""
    return recompute_totals(period), recompute_standings(period)
