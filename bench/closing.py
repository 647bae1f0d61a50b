"""Benchmark (closing): closing a period and producing the results notices for N people, beside
a raw GROUP BY over the same rows.

    .venv/bin/python bench/closing.py [--people 100000] [--units 100]

Set-up (not timed): an earlier year (2025) closed for the same people, as a county's table holds
it when the next year is closed; N people in `--units` units of one region, 20 entries each in 2026 (raw bulk
insert, as bench/_population.py builds them), then every standing of 2026 judged by the one judge
(`recompute_standings`) so the close finds them current, as on a healthy database.

Timed:
- the floor: one raw GROUP BY (unit, status, grade) over the region's standings, read to the client;
- a second write floor: the same rows into an ordinary (crash-safe, on PostgreSQL WAL-logged)
  table without index, committed — what any durable copy of the rows costs;
- `close_period`: settling (the stale-standing check over everyone), fixing every grade (INSERT …
  SELECT) and the audit record;
- the results notices: each unit's count per grade (one GROUP BY for the region, worded), then
  every person's line (streamed, worded, ID numbers masked) beside a raw SELECT of the same rows;
  and writing them as one XLSX per unit (reported, not in the ratio: openpyxl's cost per cell);
- the results notices set-based (`results.notices`): every unit's counts and lines of the region
  from two statements, worded and masked, beside the raw GROUP BY and beside the same two
  statements fetched raw.

Each step runs three times; the figures are the median (and the best) of the three.
"""

# _population sets Django up, so it comes before the Django imports.
# ruff: noqa: I001

import argparse
import io
import statistics
import time

from _population import add_people, checkpoint, fresh_database, region_and_unit

from django.db import connection, transaction

from xuefen.closing import actions, results
from xuefen.closing.models import FixedGrade
from xuefen.core.actors import SYSTEM
from xuefen.ledger.models import Standing
from xuefen.ledger.recompute import recompute_standings
from xuefen.orgs.models import OrgNode, Person

PERIOD = 2026


def timed(label: str, fn):  # type: ignore[no-untyped-def]
    began = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - began
    print(f"{label:<60} {seconds:8.2f} s   ({result})")
    return seconds


def units_of(first: OrgNode, count: int) -> list[OrgNode]:
    region = first.parent
    assert region is not None
    units = [first]
    for i in range(1, count):
        unit = OrgNode.objects.create(
            code=f"BENCH{i + 1:03d}",
            name=f"基准单位{i + 1}",
            kind="unit",
            unit_type="organ",
            parent=region,
            depth=1,
            path="",
        )
        unit.path = f"{region.path}{unit.pk}/"
        unit.save(update_fields=["path"])
        units.append(unit)
    return units


def raw_group_by(region: OrgNode) -> int:
    """The floor: the region's standings of the period counted per unit, status and grade."""
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT p.unit_id, s.status, s.grade, COUNT(*), SUM(s.earned)"
            f" FROM {qn(Standing._meta.db_table)} s"
            f" JOIN {qn(Person._meta.db_table)} p ON p.id = s.person_id"
            f" JOIN {qn(OrgNode._meta.db_table)} n ON n.id = p.unit_id"
            " WHERE s.period = %s AND n.path LIKE %s"
            " GROUP BY p.unit_id, s.status, s.grade",
            [PERIOD, region.path + "%"],
        )
        return len(cursor.fetchall())


def raw_write(region: OrgNode) -> int:
    """The write floor: the same rows the close copies, INSERT … SELECT by hand into a temporary
    table without any index or key (dropped again)."""
    return _raw_write(region, "TEMP")


def raw_durable_write(region: OrgNode) -> int:
    """The durable write floor: the same rows INSERT … SELECT by hand into an ordinary (logged,
    crash-safe) table without any index or key, committed (the table dropped afterwards). On
    PostgreSQL each row is a WAL record, as the close's own rows are."""
    return _raw_write(region, "")


def _raw_write(region: OrgNode, kind: str) -> int:
    qn = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE {kind} TABLE bench_fixed (close_id bigint, person_id bigint, unit_id bigint,"
            " status varchar(16), grade varchar(32), earned numeric(11, 2), ruleset varchar(80),"
            " fixed_at timestamp)"
        )
        cursor.execute(
            "INSERT INTO bench_fixed SELECT 0, s.person_id, p.unit_id, s.status, s.grade,"
            " s.earned, s.ruleset, NULL"
            f" FROM {qn(Standing._meta.db_table)} s"
            f" JOIN {qn(Person._meta.db_table)} p ON p.id = s.person_id"
            f" JOIN {qn(OrgNode._meta.db_table)} n ON n.id = p.unit_id"
            " WHERE s.period = %s AND n.path LIKE %s",
            [PERIOD, region.path + "%"],
        )
        written = cursor.rowcount
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_fixed")
    return written


def summaries(close) -> int:  # type: ignore[no-untyped-def]
    """Every unit's count per grade, worded (one GROUP BY over the region's fixed grades)."""
    return len(results.summary(close, close.region, results.Wording()))


def lines(close, units: list[OrgNode]) -> int:  # type: ignore[no-untyped-def]
    """Every person's line of every unit's notice (worded, ID numbers masked)."""
    words = results.Wording()
    return sum(sum(1 for _line in results.lines(close, unit, words)) for unit in units)


def raw_lines(close, units: list[OrgNode]) -> int:  # type: ignore[no-untyped-def]
    """The floor of the lines, by hand: each unit's fixed grades, then their people by id (the
    plan PostgreSQL does not pick for the join), fetched raw, nothing done to them."""
    qn = connection.ops.quote_name
    count = 0
    for unit in units:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT person_id, earned, status, grade FROM {qn(FixedGrade._meta.db_table)}"
                " WHERE close_id = %s AND unit_id = %s",
                [close.pk, unit.pk],
            )
            fixed = cursor.fetchall()
            ids = [row[0] for row in fixed]
            marks = ", ".join(["%s"] * len(ids))
            cursor.execute(
                f"SELECT id, name, id_number, category FROM {qn(Person._meta.db_table)}"
                f" WHERE id IN ({marks})",
                ids,
            )
            count += len(cursor.fetchall())
    return count


def notices(close) -> int:  # type: ignore[no-untyped-def]
    """Every unit's notice data of the region (counts per grade and lines, worded, masked) from
    two statements for the whole region."""
    return sum(len(notice.lines) for notice in results.notices(close, close.region))


def raw_notices(close) -> int:  # type: ignore[no-untyped-def]
    """The floor of the set-based notices: the same two statements (the counts per unit and
    grade, the lines joined with their people and units), fetched raw, nothing done to them."""
    from xuefen.closing import queries

    queries.grade_counts(close, close.region)
    with connection.cursor() as cursor:
        cursor.execute(results._notice_rows_sql(), [close.pk, close.region.path + "%"])
        return len(cursor.fetchall())


def xlsx(close, units: list[OrgNode]) -> int:  # type: ignore[no-untyped-def]
    size = 0
    for unit in units:
        out = io.BytesIO()
        results.write_xlsx(out, close, unit)
        size += out.tell()
    return size


def reset_closing() -> None:
    """Drops what a previous run of this script closed (and the closing tables, migrated again)."""
    from django.core.management import call_command

    with connection.cursor() as cursor:
        for table in (
            "noticerun",
            "objection",
            "notice",
            "lateapproval",
            "fixedgrade",
            "periodclose",
        ):
            cursor.execute(f"DROP TABLE IF EXISTS closing_{table}")
        cursor.execute("DELETE FROM django_migrations WHERE app = 'closing'")
    call_command("migrate", "closing", verbosity=0)


def earlier_year(region: OrgNode) -> None:
    """The table as a county has it when it closes a year: an earlier year's close of the same
    people (2025, its 100,000 fixed grades copied from the standings by the close's own copy)."""
    from xuefen.closing.models import PeriodClose

    earlier = PeriodClose.objects.create(region=region, period=PERIOD - 1)
    earlier.period = PERIOD  # the rows copied from the standings there are (2026's)
    actions._fix(earlier)


def drop_close() -> None:
    """Drops the timed close (the earlier year's stays), as if it had never been written: on
    PostgreSQL its dead rows vacuumed away and a checkpoint taken (a year's close comes long after
    the last write to the table: its first change of each page after a checkpoint logs the whole
    page)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM closing_fixedgrade WHERE close_id IN"
            " (SELECT id FROM closing_periodclose WHERE period = %s)",
            [PERIOD],
        )
        cursor.execute("DELETE FROM closing_periodclose WHERE period = %s", [PERIOD])
    checkpoint("closing_fixedgrade")


def best(label: str, fn, runs: int = 3, before=None):  # type: ignore[no-untyped-def]
    """The median of `runs` (the machine is shared: medians, with the best and every run shown);
    the best is kept in BEST[label]."""
    times = []
    for _ in range(runs):
        if before is not None:
            before()
        began = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - began)
    shown = ", ".join(f"{t:.2f}" for t in times)
    median = statistics.median(times)
    BEST[label] = min(times)
    print(f"{label:<60} {median:8.2f} s   ({result}; best {min(times):.2f}; runs {shown})")
    return median


BEST: dict[str, float] = {}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument(
        "--xlsx", action="store_true", help="also write the 100 notices as XLSX (minutes; no ratio)"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="keep the population of an earlier run (no set-up)"
    )
    args = parser.parse_args()
    print(f"database: {connection.vendor}; {args.people} people in {args.units} units")
    if args.reuse:
        reset_closing()
        region = OrgNode.objects.get(code="BENCH")
        units = list(OrgNode.objects.filter(kind="unit", parent=region).order_by("pk"))
    else:
        fresh_database()
        units = units_of(region_and_unit(), args.units)
        region = units[0].parent
        assert region is not None
        # One bulk insert into the first unit, then the people dealt out over the units.
        setup = add_people(units[0], 0, args.people)
        with connection.cursor() as cursor:
            for i, unit in enumerate(units[1:], start=1):
                cursor.execute(
                    "UPDATE orgs_person SET unit_id = %s WHERE id %% %s = %s",
                    [unit.pk, len(units), i],
                )
        print(f"{'set-up: bulk insert':<60} {setup:8.2f} s")
        timed("set-up: standings judged (recompute_standings)", recompute_standings)
    earlier_year(region)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum (or SQLite's optimize) would have by now
    floor = best("raw SQL GROUP BY (unit, status, grade), read only", lambda: raw_group_by(region))
    write = best("raw SQL INSERT … SELECT of the same rows, no index", lambda: raw_write(region))
    durable = best(
        "raw SQL INSERT … SELECT into a durable table, no index",
        lambda: raw_durable_write(region),
        before=checkpoint,
    )
    close = None

    def close_it() -> int:
        nonlocal close
        close = actions.close_period(SYSTEM, region, PERIOD)
        return close.people

    closing = best("close_period (settle check, grades fixed, audit)", close_it, before=drop_close)
    assert close is not None
    assert FixedGrade.objects.filter(close=close).count() == args.people
    summary = best("results notices: counts per grade of every unit", lambda: summaries(close))
    produced = best("results notices: every person's line, worded", lambda: lines(close, units))
    raw = best("raw SELECT of the same lines, fetched", lambda: raw_lines(close, units))
    whole = best("results notices set-based: counts and lines, worded", lambda: notices(close))
    whole_raw = best("raw: the same two statements, fetched", lambda: raw_notices(close))
    settle = best(
        "(beside) the settle check alone (run only when the copy finds a stale standing)",
        lambda: actions._settle_region(region, PERIOD),
    )
    written = (
        timed("(beside) results notices written as XLSX, one per unit", lambda: xlsx(close, units))
        if args.xlsx
        else 0.0
    )
    base = min(
        floor, best("raw SQL GROUP BY again (after the close)", lambda: raw_group_by(region))
    )
    print("ratios of medians (the GROUP BY: the lower median of its two rounds):")
    print(f"ratio close / GROUP BY: {closing / base:.2f}  (settle part {settle / base:.2f})")
    print(f"ratio close / raw INSERT … SELECT: {closing / write:.2f}")
    print(f"ratio close / raw durable INSERT … SELECT: {closing / durable:.2f}")
    print(f"ratio raw durable INSERT … SELECT / GROUP BY: {durable / base:.2f}")
    print(f"ratio counts per grade / GROUP BY: {summary / base:.2f}")
    print(f"ratio close + counts / GROUP BY: {(closing + summary) / base:.2f}")
    print(f"ratio lines / raw SELECT of them: {produced / raw:.2f}")
    print(f"ratio lines / GROUP BY: {produced / base:.2f}")
    print(f"ratio notices set-based / GROUP BY: {whole / base:.2f}")
    print(f"ratio notices set-based / the same statements raw: {whole / whole_raw:.2f}")
    print(f"ratio close + notices set-based / GROUP BY: {(closing + whole) / base:.2f}")
    print(f"ratio XLSX / GROUP BY (not a target): {written / base:.2f}")
    print(f"best: {BEST}")


if __name__ == "__main__":
    main()
