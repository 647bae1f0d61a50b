"""Rebuilding the derived tables (Total, Standing) from the ledger, set-based.

One pass over the ledger sums each person's credits per (period, category list, unit, kind) into a
temporary table (`_sums`; no category unnested, stored in person order); both derived tables are
computed from it. Totals are those sums grouped by category tag and compared with the stored ones
in one full join: only missing, differing and stale rows are written. Standings are the one
judge's verdicts (`ledger.judging`): people judged by sums are keyed in SQL and the judge asked
once per distinct key (`ledger.keyed`), one upsert writing the standings that differ; the others
(artefacts, reversals, exemptions, rule sets that need entries) are read and judged in chunks of
people — from the sums where the rule set needs no more, entry by entry where it does.
"""

# The SQL below formats in only constant fragments (vendor syntax); every value is a parameter.
# ruff: noqa: S608

from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction

from xuefen.ledger import sql
from xuefen.ledger.judging import Loader, Verdicts
from xuefen.ledger.keyed import judge_keyed as _judge_keyed
from xuefen.ledger.models import OVERALL, Standing
from xuefen.ledger.standings import store
from xuefen.orgs.models import Person
from xuefen.policy.services import RuleSetIndex

CHUNK_PEOPLE = 5000
# What a stored standing is compared on (`Verdict.same_values`), after its person and period.
_COMPARED = ("person_id", "period", "status", "grade", "earned", "ruleset", "shortfalls")
# PostgreSQL: memory for the GROUP BY of a full recompute, so it aggregates in memory instead of
# sorting on disk (this transaction only).
RECOMPUTE_WORK_MEM = "256MB"


SUMS = "recompute_credit_sums"  # a temporary table of this transaction (`_sums`)


@contextmanager
def _sums(period: int | None) -> Iterator[None]:
    """The ledger's credits summed per (person, period, category list, unit, kind) — of `period`
    and before, when given — kept in a temporary table while the block runs: one pass over the
    ledger (no category unnested) that the totals and the standings are both computed from. Kept
    once for nested blocks (a full recompute, its totals and its standings)."""
    if getattr(connection, "_xuefen_sums", False):
        yield
        return
    postgres = connection.vendor == "postgresql"
    where, params = ("period <= %s", [period]) if period is not None else ("1 = 1", [])
    with connection.cursor() as cursor:
        if postgres:
            cursor.execute("SELECT set_config('work_mem', %s, true)", [RECOMPUTE_WORK_MEM])
            # JIT compiling the recompute's statements cost more than running them (measured:
            # the totals' upsert 9.8 s with, 4.5 s without). Off for this transaction.
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(f"DROP TABLE IF EXISTS {SUMS}")
        drop = " ON COMMIT DROP" if postgres else ""
        # Stored in person order: every later read of it (the totals, the keys, a range of
        # people) walks the index on person in the table's own order, not at random.
        cursor.execute(
            f"CREATE TEMPORARY TABLE {SUMS}{drop} AS {sql.credit_sums_select(where)}"
            " ORDER BY person_id, period",
            params,
        )
        cursor.execute(f"CREATE INDEX {SUMS}_person ON {SUMS} (person_id, period)")
        if postgres:
            cursor.execute(f"ANALYZE {SUMS}")
    connection._xuefen_sums = True  # type: ignore[attr-defined]
    try:
        yield
    finally:
        connection._xuefen_sums = False  # type: ignore[attr-defined]
        if not postgres:  # (PostgreSQL drops it at commit, or with a rollback)
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {SUMS}")


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


def _totals_from_sums(period: int | None) -> tuple[str, list[Any]]:
    """(person_id, period, category, unit, amount) of every total, from the sums table."""
    where = "WHERE s.period = %s" if period is not None else ""
    params: list[Any] = [period, period] if period is not None else []
    source, tag = _tagged(SUMS)
    query = (
        f"SELECT s.person_id, s.period, {tag} AS category, s.unit,"
        " ROUND(SUM(s.amount), 2) AS amount"
        f" FROM {source} {where}"
        f" GROUP BY s.person_id, s.period, {tag}, s.unit"
        " UNION ALL"
        f" SELECT s.person_id, s.period, '{OVERALL}', s.unit, ROUND(SUM(s.amount), 2)"
        f" FROM {SUMS} s {where}"
        " GROUP BY s.person_id, s.period, s.unit"
    )
    return query, params


GROUPED = "recompute_totals_differ"  # the totals to write or delete (`recompute_totals`)


@transaction.atomic
def recompute_totals(period: int | None = None) -> int:
    """Makes ledger_total equal to the ledger's sums; returns how many rows it inserted, changed or
    deleted (0 when the live totals were right). The totals the sums imply are compared with the
    stored ones in one full join (a hash or merge join, not a probe per total): only the missing,
    differing and stale rows are written, from a temporary table."""
    postgres = connection.vendor == "postgresql"
    with _sums(period), connection.cursor() as cursor:
        grouped, params = _totals_from_sums(period)
        stored, in_period = "ledger_total", []
        if period is not None:
            stored, in_period = "(SELECT * FROM ledger_total WHERE period = %s)", [period]
        cursor.execute(f"DROP TABLE IF EXISTS {GROUPED}")
        drop = " ON COMMIT DROP" if postgres else ""
        cursor.execute(
            f"CREATE TEMPORARY TABLE {GROUPED}{drop} AS"
            " SELECT g.person_id, g.period, g.category, g.unit, g.amount, t.id AS stale"
            f" FROM ({grouped}) g FULL JOIN {stored} t ON t.person_id = g.person_id"
            " AND t.period = g.period AND t.category = g.category AND t.unit = g.unit"
            " WHERE t.id IS NULL OR g.person_id IS NULL OR abs(t.amount - g.amount) >= 0.005",
            [*params, *in_period],
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
    with _sums(period):
        changed, others = _judge_keyed(period, rulesets, same, SUMS)
        for start in range(0, len(others), CHUNK_PEOPLE):
            chunk = others[start : start + CHUNK_PEOPLE]
            changed += _judge_people(chunk, period, rulesets, same)
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
    with _sums(period):
        for first, last in _ranges(CHUNK_PEOPLE):
            changed += _judge_people(None, period, rulesets, same, (first, last))
    return changed


def _judge_people(
    ids: Sequence[int] | None,
    period: int | None,
    rulesets: RuleSetIndex,
    same: Verdicts,
    span: tuple[int, int] | None = None,
) -> int:
    """Judges the people `ids` (sorted; or everyone in `span`) from the sums table, each on
    their own inputs, and writes the standings that differ; returns how many."""
    first, last = span if span is not None else (ids[0], ids[-1])  # type: ignore[index]
    loader = Loader.summed_range(first, last, rulesets, SUMS, same, only=ids)
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
