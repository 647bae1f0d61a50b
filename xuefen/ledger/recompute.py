"""Rebuilding the derived tables (Total, Standing) from the ledger, set-based.

Totals are one GROUP BY over the ledger (the category tags unnested in SQL) upserted into
ledger_total, writing only rows whose amount differs; stale totals are deleted. Standings are the
one judge's verdicts (`ledger.judging`), read and judged in chunks of people, the differences
written in bulk.
"""

# The SQL below formats in only constant fragments (vendor syntax); every value is a parameter.
# ruff: noqa: S608

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.db import connection, transaction

from xuefen.ledger.judging import Loader
from xuefen.ledger.models import OVERALL, Standing
from xuefen.ledger.standings import store
from xuefen.orgs.models import Person
from xuefen.policy.services import RuleSetIndex

CHUNK = 5000
CHUNK_PEOPLE = 5000
# What a stored standing is compared on (`Verdict.same_values`), after its person and period.
_COMPARED = ("person_id", "period", "status", "grade", "earned", "ruleset", "shortfalls")
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


def _ranges(size: int) -> Iterator[tuple[int, int]]:
    """Consecutive ranges of person ids (first, last) of about `size` people each."""
    ids = list(Person.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), size):
        chunk = ids[start : start + size]
        yield chunk[0], chunk[-1]


@transaction.atomic
def recompute_standings(period: int | None = None) -> int:
    """Re-judges every (person, period) that has entries or a standing — `period` only, if given —
    through the one judge, in ranges of people, and writes the standings that differ; returns how
    many rows it inserted or changed. The credits are read as sums where the rule set needs no
    more (`Loader.summed_range`), entry by entry where it does."""
    rulesets = RuleSetIndex.everywhere()
    changed = 0
    for first, last in _ranges(CHUNK_PEOPLE):
        loader = Loader.summed_range(first, last, rulesets)
        stored = Standing.objects.filter(person_id__gte=first, person_id__lte=last)
        if period is not None:
            stored = stored.filter(period=period)
        existing = {(row[0], row[1]): row[2:] for row in stored.values_list(*_COMPARED)}
        wanted: dict[int, set[int]] = defaultdict(set)
        for pid, judged in existing:
            wanted[pid].add(judged)
        for pid in loader.people:
            periods = loader.periods(pid)
            if period is None:
                wanted[pid].update(periods)
            elif any(p <= period for p in periods):
                wanted[pid].add(period)
        loader.itemise(wanted)
        fresh = {}
        for pid, periods in wanted.items():
            for judged in periods:
                verdict = loader.verdict(pid, judged)
                old = existing.get((pid, judged))
                if old is None or not verdict.same_values(*old):
                    fresh[(pid, judged)] = verdict
        store(fresh)
        changed += len(fresh)
    return changed


def recompute(period: int | None = None) -> tuple[int, int]:
    """(totals changed, standings changed) after rebuilding both from the ledger."""
    return recompute_totals(period), recompute_standings(period)
