"""Benchmark (a): full recompute of totals (and standings) for N people × 20 entries, against one
hand-written SQL GROUP BY over the same rows.

    .venv/bin/python bench/recompute.py [--people 100000] [--no-standings] [--parts] [--reuse]
"""

# _population sets Django up, so it comes before the Django imports.
# ruff: noqa: I001

import argparse
import time

from _population import add_people, fresh_database, region_and_unit

from django.db import connection, transaction

from xuefen.ledger.models import OVERALL, Standing, Total
from xuefen.ledger.recompute import (
    RECOMPUTE_WORK_MEM,
    recompute,
    recompute_standings,
    recompute_totals,
)


def timed(label: str, fn):  # type: ignore[no-untyped-def]
    began = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - began
    print(f"{label:<52} {seconds:8.2f} s   ({result})")
    return seconds


def grouped_totals_sql() -> tuple[str, list[object]]:
    """(person_id, period, category, unit, amount) of every total the ledger implies, by hand."""
    if connection.vendor == "postgresql":
        unnest = (
            "ledger_entry e CROSS JOIN LATERAL jsonb_array_elements_text(e.categories) AS j(tag)"
        )
        tag = "j.tag"
    else:
        unnest, tag = "ledger_entry e, json_each(e.categories) AS j", "j.value"
    sql = (
        f"SELECT e.person_id, e.period, {tag} AS category, e.unit,"
        " ROUND(SUM(e.amount), 2) AS amount"
        f" FROM {unnest} GROUP BY e.person_id, e.period, {tag}, e.unit"
        " UNION ALL"
        f" SELECT e.person_id, e.period, '{OVERALL}', e.unit, ROUND(SUM(e.amount), 2)"
        " FROM ledger_entry e GROUP BY e.person_id, e.period, e.unit"
    )
    return sql, []


def hand_written_group_by(jit: bool = True) -> int:
    """The floor: one GROUP BY (category tags unnested) read to the client, nothing written."""
    sql, params = grouped_totals_sql()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # the same memory as recompute_totals gets
            cursor.execute("SELECT set_config('work_mem', %s, true)", [RECOMPUTE_WORK_MEM])
            if not jit:  # (the recompute turns PostgreSQL's JIT off for its transaction)
                cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, params)
        return len(cursor.fetchall())


def _built(people: int) -> bool:
    """Whether the database holds the population of an earlier run of `people` people."""
    from xuefen.ledger.models import Entry
    from xuefen.orgs.models import Person

    try:
        return Person.objects.count() == people and Entry.objects.count() == people * 20
    except Exception:
        return False


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--no-standings", action="store_true")
    parser.add_argument("--parts", action="store_true", help="also time totals, standings alone")
    parser.add_argument(
        "--reuse", action="store_true", help="keep the database of an earlier run of this size"
    )
    args = parser.parse_args()
    print(f"database: {connection.vendor}; {args.people} people x 20 entries")
    if args.reuse and _built(args.people):
        # The derived tables emptied: as after a fresh set-up. On PostgreSQL by TRUNCATE: a
        # DELETE leaves every row dead (this box runs no autovacuum), so each run read the dead
        # rows of all the runs before it (ledger_total at 4.9 M rows, 834 MB, after ten).
        with connection.cursor() as cursor:
            for model in (Total, Standing):
                table = connection.ops.quote_name(model._meta.db_table)
                if connection.vendor == "postgresql":
                    cursor.execute(f"TRUNCATE {table}")
                else:
                    cursor.execute(f"DELETE FROM {table}")
    else:
        fresh_database()
        unit = region_and_unit()
        print(f"{'set-up (bulk insert)':<52} {add_people(unit, 0, args.people):8.2f} s")
    floor = timed("hand-written SQL GROUP BY (read only)", hand_written_group_by)
    bare = None
    if connection.vendor == "postgresql":
        bare = timed("  the same GROUP BY with JIT off", lambda: hand_written_group_by(jit=False))
    if args.no_standings:
        build = timed("recompute totals, empty table (sums + upsert)", recompute_totals)
        again = timed("recompute totals, nothing to change", recompute_totals)
        print(f"totals rows: {Total.objects.count()}")
        print(f"ratio recompute totals (empty) / GROUP BY: {build / floor:.2f}")
        print(f"ratio recompute totals (no change) / GROUP BY: {again / floor:.2f}")
        return
    # The goal (issue 10): a full recompute, totals and standings, ≤ 2× the GROUP BY.
    full = timed("full recompute, empty tables (totals + standings)", recompute)
    same = timed("full recompute, nothing to change", recompute)
    settled = None
    if connection.vendor == "postgresql":
        # The derived tables as autovacuum would leave them a while after the first recompute
        # wrote them (vacuumed, analysed; this box runs no autovacuum), then the same again.
        with connection.cursor() as cursor:
            for model in (Total, Standing):
                cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
            cursor.execute("CHECKPOINT")
        settled = timed("full recompute, nothing to change, tables vacuumed", recompute)
    print(f"totals rows: {Total.objects.count()}, standings rows: {Standing.objects.count()}")
    print(f"ratio full recompute (empty) / GROUP BY: {full / floor:.2f}   goal ≤ 2")
    print(f"ratio full recompute (no change) / GROUP BY: {same / floor:.2f}")
    if settled is not None:
        print(f"ratio full recompute (no change, vacuumed) / GROUP BY: {settled / floor:.2f}")
    if bare is not None:
        print(f"ratios to the GROUP BY with JIT off: {full / bare:.2f} (empty), {same / bare:.2f}")
    if args.parts:
        timed("  of which totals alone (sums + upsert, no change)", recompute_totals)
        timed("  of which standings alone (sums + judge, no change)", recompute_standings)


if __name__ == "__main__":
    main()
