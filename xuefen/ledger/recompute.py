"""Rebuilding the derived tables (Total, Standing) from the ledger, set-based.

One pass over the ledger sums each person's credits per (period, category list, unit, kind) into a
table (`_sums`; no category unnested, stored in person order; on PostgreSQL an unlogged table of
the run's own that parallel workers can read, built in ranges of people side by side); both
derived tables are computed from it. Totals are those sums grouped by category tag and compared
with the stored ones in one full join (on PostgreSQL one per range of people, side by side): only
missing, differing and stale rows are written. Standings are the one
judge's verdicts (`ledger.judging`): people judged by sums are keyed in SQL and the judge asked
once per distinct key (`ledger.keyed`), one upsert writing the standings that differ; the others
(artefacts, reversals, exemptions, rule sets that need entries) are read and judged in chunks of
people — from the sums where the rule set needs no more, entry by entry where it does.
"""

# The SQL below formats in only constant fragments (vendor syntax); every value is a parameter.
# ruff: noqa: S608

import uuid
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from itertools import pairwise
from typing import Any

from django.db import connection, transaction

from xuefen.ledger import sql
from xuefen.ledger.judging import Loader, Verdicts
from xuefen.ledger.keyed import judge_keyed as _judge_keyed
from xuefen.ledger.models import OVERALL, Entry, Standing
from xuefen.ledger.standings import store
from xuefen.orgs.models import Person
from xuefen.policy.services import RuleSetIndex

CHUNK_PEOPLE = 5000
# What a stored standing is compared on (`Verdict.same_values`), after its person and period.
_COMPARED = ("person_id", "period", "status", "grade", "earned", "ruleset", "shortfalls")
# PostgreSQL: memory for the GROUP BY of a full recompute, so it aggregates in memory instead of
# sorting on disk (this transaction only).
RECOMPUTE_WORK_MEM = "256MB"


SUMS = "recompute_credit_sums"  # the sums table (`_sums`); on PostgreSQL, its name's prefix


def _step_sum(column: str) -> str:
    """PostgreSQL: the SUM of a DECIMAL column of the ledger's entries, as integers of the column's
    step (`SUM(CAST(amount * 100 AS integer)) * 0.01`): the same value, type and scale as the
    numeric SUM (rounded to the column's places), but each group's state a plain int8 instead of
    an allocated numeric (the sums' HashAggregate: 115 MB instead of 401 MB for 494,215 groups).
    A column whose values outgrow int4 is summed as numeric."""
    field: Any = Entry._meta.get_field(column)
    places, digits = field.decimal_places, field.max_digits
    if 10**digits - 1 > 2**31 - 1:
        return f"ROUND(SUM({column}), {places})"
    step = 10**places
    return f"SUM(CAST({column} * {step} AS integer)) * {Decimal(1).scaleb(-places)}"


def _sums_select(where: str) -> str:
    """`sql.credit_sums_select`, on PostgreSQL with the sums taken as integers (`_step_sum`):
    the same rows, types and scales (tests/ledger/test_recompute_sums.py compares them)."""
    if connection.vendor != "postgresql":
        return sql.credit_sums_select(where)
    table = connection.ops.quote_name(Entry._meta.db_table)
    return (
        "SELECT person_id, period, categories, unit, kind,"
        f" {_step_sum('amount')} AS amount, {_step_sum('days')} AS days,"
        " MAX(CASE WHEN artefact_key <> '' OR reverses_id IS NOT NULL THEN 1 ELSE 0 END)"
        f" AS special FROM {table} WHERE {where}"
        " GROUP BY person_id, period, categories, unit, kind"
    )


Part = tuple[str, list[Any]]  # a condition on person_id (as `{column}`) and its parameters


def _parts(cursor: Any, table: str) -> list[Part]:
    """PostgreSQL: the people split into consecutive ranges of ids, one per process a parallel
    plan may use (its workers and the leader), by the lowest and highest person_id in `table`
    (read from its index); the first and last ranges open-ended, so every id falls in one. Each
    range's grouping and comparison is a branch of one UNION ALL: a Parallel Append runs the
    branches side by side, each a whole aggregate or join of its own people — no partial
    aggregate to hash again in the leader (which made a parallel GROUP BY of the sums no faster:
    2,000,000 entries make 494,215 groups). One part (no split) on SQLite or without workers."""
    if connection.vendor != "postgresql":
        return [("1 = 1", [])]
    cursor.execute(
        f"SELECT MIN(person_id), MAX(person_id),"
        f" current_setting('max_parallel_workers_per_gather')::integer FROM {table}"
    )
    low, high, workers = cursor.fetchone()
    if low is None or workers < 1:
        return [("1 = 1", [])]
    count = workers + 1
    cuts = sorted({low + (high - low + 1) * i // count for i in range(1, count)} - {low})
    if not cuts:
        return [("1 = 1", [])]
    parts: list[Part] = [("{column} < %s", [cuts[0]])]
    parts += [("{column} >= %s AND {column} < %s", [a, b]) for a, b in pairwise(cuts)]
    parts.append(("{column} >= %s", [cuts[-1]]))
    return parts


def _on(part: Part, column: str) -> str:
    return part[0].replace("{column}", column)


@contextmanager
def _sums(period: int | None) -> Iterator[str]:
    """The ledger's credits summed per (person, period, category list, unit, kind) — of `period`
    and before, when given — kept in a table while the block runs, whose name it gives: one pass
    over the ledger (no category unnested) that the totals and the standings are both computed
    from. Kept once for nested blocks (a full recompute, its totals and its standings).

    PostgreSQL: an UNLOGGED table of a name of its own (parallel workers read no temporary
    table; these sums are built and read by parallel plans), created and dropped inside the
    block's transaction (or savepoint): dropped at the end, or undone with the rollback that an
    error brings — never left behind. SQLite: a temporary table, as before."""
    current = getattr(connection, "_xuefen_sums", None)
    if current:
        yield current
        return
    postgres = connection.vendor == "postgresql"
    table = f"{SUMS}_{uuid.uuid4().hex}" if postgres else SUMS
    where, params = ("period <= %s", [period]) if period is not None else ("1 = 1", [])
    with transaction.atomic():
        with connection.cursor() as cursor:
            if postgres:
                cursor.execute("SELECT set_config('work_mem', %s, true)", [RECOMPUTE_WORK_MEM])
                # JIT compiling the recompute's statements cost more than running them
                # (measured: the totals' upsert 9.8 s with, 4.5 s without). Off for this
                # transaction.
                cursor.execute("SET LOCAL jit = off")
                kind = "UNLOGGED"
            else:
                cursor.execute(f"DROP TABLE IF EXISTS {SUMS}")
                kind = "TEMPORARY"
            # Stored in person order: every later read of it (the totals, the keys, a range of
            # people) walks the index on person in the table's own order, not at random.
            parts = _parts(cursor, connection.ops.quote_name(Entry._meta.db_table))
            select = _sums_select(where)
            if len(parts) > 1:  # (one branch per range of people: `_parts`)
                select = " UNION ALL ".join(
                    _sums_select(f"{where} AND {_on(part, 'person_id')}") for part in parts
                )
                select = f"SELECT * FROM ({select}) u"
                params = [value for part in parts for value in [*params, *part[1]]]
            cursor.execute(
                f"CREATE {kind} TABLE {table} AS {select} ORDER BY person_id, period", params
            )
            cursor.execute(f"CREATE INDEX {table}_person ON {table} (person_id, period)")
            if postgres:
                cursor.execute(f"ANALYZE {table}")
        connection._xuefen_sums = table  # type: ignore[attr-defined]
        try:
            yield table
        finally:
            connection._xuefen_sums = None  # type: ignore[attr-defined]
            if not postgres:  # (a temporary table of the connection)
                with connection.cursor() as cursor:
                    cursor.execute(f"DROP TABLE IF EXISTS {SUMS}")
        # Reached only without an error (an error rolls the block back, the table with it).
        if postgres:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE {table}")


def _tagged(sums: str) -> tuple[str, str]:
    """(FROM-clause fragment, tag column): one row per (row of `sums` as s, category tag). The
    category lists are few: each distinct one is taken apart once (taking apart every row's list
    cost as much as the GROUP BY over the ledger). PostgreSQL does so itself, its function scan
    memoized by the list (measured: 2.4 s against 3.0–3.9 s for the lists' DISTINCT joined back
    on a jsonb comparison per row and list); SQLite is given the distinct lists joined back."""
    if connection.vendor == "postgresql":
        split = "CROSS JOIN LATERAL jsonb_array_elements_text(s.categories) AS j(tag)"
        return f"{sums} s {split}", "j.tag"
    split, tag = ", json_each(l.categories) AS j", "j.value"
    lists = f"(SELECT DISTINCT categories FROM {sums}) l"
    return (
        f"{sums} s JOIN (SELECT l.categories, {tag} AS tag FROM {lists} {split}) c"
        " ON c.categories = s.categories",
        "c.tag",
    )


def _totals_from_sums(
    period: int | None, sums: str, part: Part | None = None
) -> tuple[str, list[Any]]:
    """(person_id, period, category, unit, amount) of every total, from the sums table `sums` (of
    the people in `part` only, if given)."""
    conditions, values = [], []
    if period is not None:
        conditions, values = ["s.period = %s"], [period]
    if part is not None:
        conditions, values = [*conditions, _on(part, "s.person_id")], [*values, *part[1]]
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    params: list[Any] = [*values, *values]
    source, tag = _tagged(sums)
    query = (
        f"SELECT s.person_id, s.period, {tag} AS category, s.unit,"
        " ROUND(SUM(s.amount), 2) AS amount"
        f" FROM {source} {where}"
        f" GROUP BY s.person_id, s.period, {tag}, s.unit"
        " UNION ALL"
        f" SELECT s.person_id, s.period, '{OVERALL}', s.unit, ROUND(SUM(s.amount), 2)"
        f" FROM {sums} s {where}"
        " GROUP BY s.person_id, s.period, s.unit"
    )
    return query, params


GROUPED = "recompute_totals_differ"  # the totals to write or delete (`recompute_totals`)


@transaction.atomic
def recompute_totals(period: int | None = None) -> int:
    """Makes ledger_total equal to the ledger's sums; returns how many rows it inserted, changed or
    deleted (0 when the live totals were right). The totals the sums imply are compared with the
    stored ones in one full join (a hash or merge join, not a probe per total): only the missing,
    differing and stale rows are written, from a temporary table. On PostgreSQL one full join per
    range of people (`_parts`), the joins side by side on parallel workers."""
    postgres = connection.vendor == "postgresql"
    with _sums(period) as sums, connection.cursor() as cursor:
        parts = _parts(cursor, sums)
        joins, params = [], []
        for part in parts:
            grouped, more = _totals_from_sums(period, sums, part if len(parts) > 1 else None)
            stored, in_period = "ledger_total", []
            if period is not None:
                stored, in_period = "(SELECT * FROM ledger_total WHERE period = %s)", [period]
            if len(parts) > 1:
                stored = f"(SELECT * FROM ledger_total WHERE {_on(part, 'person_id')}"
                stored += " AND period = %s)" if period is not None else ")"
                in_period = [*part[1], *in_period]
            joins.append(
                "SELECT g.person_id, g.period, g.category, g.unit, g.amount, t.id AS stale"
                f" FROM ({grouped}) g FULL JOIN {stored} t ON t.person_id = g.person_id"
                " AND t.period = g.period AND t.category = g.category AND t.unit = g.unit"
                " WHERE t.id IS NULL OR g.person_id IS NULL OR abs(t.amount - g.amount) >= 0.005"
            )
            params += [*more, *in_period]
        cursor.execute(f"DROP TABLE IF EXISTS {GROUPED}")
        drop = " ON COMMIT DROP" if postgres else ""
        cursor.execute(
            f"CREATE TEMPORARY TABLE {GROUPED}{drop} AS {' UNION ALL '.join(joins)}", params
        )
        # "WHERE" also keeps SQLite from reading ON CONFLICT as part of the SELECT.
        cursor.execute(
            "INSERT INTO ledger_total (person_id, period, category, unit, amount)"
            f" SELECT person_id, period, category, unit, amount FROM {GROUPED}"
            " WHERE person_id IS NOT NULL"
            " ON CONFLICT (person_id, period, category, unit)"
            " DO UPDATE SET amount = excluded.amount"
        )
        changed = max(cursor.rowcount, 0)
        cursor.execute(
            f"DELETE FROM ledger_total WHERE id IN"
            f" (SELECT stale FROM {GROUPED} WHERE person_id IS NULL)"
        )
        changed += max(cursor.rowcount, 0)
        cursor.execute(f"DROP TABLE {GROUPED}")
    return changed


@transaction.atomic
def recompute_standings(period: int | None = None) -> int:
    """Re-judges every (person, period) that has entries or a standing — `period` only, if given —
    through the one judge and writes the standings that differ; returns how many rows it inserted
    or changed. People judged by sums are keyed in SQL and judged once per distinct key
    (`_judge_keyed`); the others (artefacts, reversals, exemptions, rule sets that need entries or
    none) in ranges of people, their credits read as sums where the rule set needs no more
    (`Loader.summed_range`), entry by entry where it does."""
    rulesets = RuleSetIndex.everywhere()
    same = Verdicts()  # people who sum alike are judged once in the whole run
    with _sums(period) as sums:
        changed, others = _judge_keyed(period, rulesets, same, sums)
        for start in range(0, len(others), CHUNK_PEOPLE):
            chunk = others[start : start + CHUNK_PEOPLE]
            changed += _judge_people(chunk, period, rulesets, same, sums)
    return changed


def _ranges(size: int) -> Iterator[tuple[int, int]]:
    """Consecutive ranges of person ids (first, last) of about `size` people each."""
    ids = list(Person.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), size):
        chunk = ids[start : start + size]
        yield chunk[0], chunk[-1]


def _judge_ranges(period: int | None, rulesets: RuleSetIndex) -> int:
    """Every person judged on their own path, in ranges of people (the keyed path's reference:
    `tests/ledger/test_recompute_keyed.py` compares the two)."""
    changed = 0
    same = Verdicts()
    with _sums(period) as sums:
        for first, last in _ranges(CHUNK_PEOPLE):
            changed += _judge_people(None, period, rulesets, same, sums, (first, last))
    return changed


def _judge_people(
    ids: Sequence[int] | None,
    period: int | None,
    rulesets: RuleSetIndex,
    same: Verdicts,
    sums: str,
    span: tuple[int, int] | None = None,
) -> int:
    """Judges the people `ids` (sorted; or everyone in `span`) from the sums table `sums`, each on
    their own inputs, and writes the standings that differ; returns how many."""
    first, last = span if span is not None else (ids[0], ids[-1])  # type: ignore[index]
    loader = Loader.summed_range(first, last, rulesets, sums, same, only=ids)
    where, params = "person_id BETWEEN %s AND %s", [first, last]
    if ids is not None:
        listed, more = sql.in_list("person_id", ids, "bigint")
        where, params = f"{where} AND {listed}", [*params, *more]
    if period is not None:
        where, params = f"{where} AND period = %s", [*params, period]
    # Converted as the ORM converts, each distinct stored value once (verdicts repeat).
    stored = sql.select(Standing, _COMPARED, where, params, shared=_COMPARED[2:])
    existing = {(row[0], row[1]): row[2:] for row in stored}
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
    return len(fresh)


@transaction.atomic
def recompute(period: int | None = None) -> tuple[int, int]:
    """(totals changed, standings changed) after rebuilding both from the ledger (summed once)."""
    with _sums(period):
        return recompute_totals(period), recompute_standings(period)
