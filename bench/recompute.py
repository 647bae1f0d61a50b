"""Benchmark (a): full recompute of totals (and standings) for N people × 20 entries, against one
hand-written SQL GROUP BY over the same rows.

    .venv/bin/python bench/recompute.py [--people 100000] [--no-standings]
"""

# _population sets Django up, so it comes before the Django imports.
# ruff: noqa: I001

import argparse
import time

from _population import add_people, fresh_database, region_and_unit

from django.db import connection, transaction

from xuefen.ledger.models import Standing, Total
from xuefen.ledger.recompute import (
    RECOMPUTE_WORK_MEM,
    grouped_totals_sql,
    recompute_standings,
    recompute_totals,
)


def timed(label: str, fn):  # type: ignore[no-untyped-def]
    began = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - began
    print(f"{label:<52} {seconds:8.2f} s   ({result})")
    return seconds


def hand_written_group_by() -> int:
    """The floor: one GROUP BY (category tags unnested) read to the client, nothing written."""
    sql, params = grouped_totals_sql(None)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # the same memory as recompute_totals gets
            cursor.execute("SELECT set_config('work_mem', %s, true)", [RECOMPUTE_WORK_MEM])
        cursor.execute(sql, params)
        return len(cursor.fetchall())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--no-standings", action="store_true")
    args = parser.parse_args()
    print(f"database: {connection.vendor}; {args.people} people x 20 entries")
    fresh_database()
    unit = region_and_unit()
    print(f"{'set-up (bulk insert)':<52} {add_people(unit, 0, args.people):8.2f} s")
    floor = timed("hand-written SQL GROUP BY (read only)", hand_written_group_by)
    build = timed("recompute totals, empty table (GROUP BY + upsert)", recompute_totals)
    again = timed("recompute totals, nothing to change", recompute_totals)
    print(f"totals rows: {Total.objects.count()}")
    print(f"ratio recompute(empty) / GROUP BY: {build / floor:.2f}")
    print(f"ratio recompute(no change) / GROUP BY: {again / floor:.2f}")
    if not args.no_standings:
        judged = timed("recompute standings (rule engine per person)", recompute_standings)
        same = timed("recompute standings, nothing to change", recompute_standings)
        print(f"standings rows: {Standing.objects.count()}")
        # The goal (issue 10): a full recompute, totals and standings, ≤ 2× the GROUP BY.
        print(f"ratio full recompute (empty) / GROUP BY: {(build + judged) / floor:.2f}   goal ≤ 2")
        print(f"ratio full recompute (no change) / GROUP BY: {(again + same) / floor:.2f}")


if __name__ == "__main__":
    main()
