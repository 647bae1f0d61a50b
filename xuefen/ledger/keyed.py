"""Standings of a full recompute keyed in SQL: people whose verdict the rule set gives from sums
are grouped in the database by what their verdict depends on, and the one judge
(`ledger.judging`) is asked once per distinct group.

What a verdict depends on, for a rule set judged by sums, is the engine's `SameVerdicts.key`:
the rule set and period, the age bracket(s) and hire date that count, whether there are credits of
the year before (carry-over), the exemptions, and the credits summed per (period, unit, days
given, which targets select them) — plus the period's counted total, which only the standing's
`earned` shows. Here the parts that need the rule set are asked of that same `key` once per
distinct input, never per person: which targets select a (category list, kind, unit) and at what
rate it counts (one probe credit), and what a (birth date, hire date) makes of the bracket and
hire date (no credits). They go into small temporary tables; one statement then builds each
person's key text and counted total from the recompute's sums table; each distinct key's first
person is judged (`Loader.summed_range`, `Loader.verdict`), and one upsert writes every standing
from its key's verdict and the person's own total, changing only those that differ.

People with a credit naming an artefact or reversing another, with an approved exemption, or with
a period whose rule set needs entries or is missing, are left to the caller (judged on their own).

`judge_people` does the same for a given set of people (a writer's deferred standings: a roster's
people, judged once when its last chunk is in), from their own credits summed, in slices that
share what they learn (`Memo`: the contexts, selections and facts numbered alike, each key judged
once in the whole run).
"""

# The SQL below formats in only constant fragments (table names, vendor syntax); every value is a
# parameter.
# ruff: noqa: S608

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from django.db import connection
from django.utils import timezone

from xuefen.ledger import sql
from xuefen.ledger.judging import Loader, Verdicts, verdict_of
from xuefen.ledger.models import Standing
from xuefen.ledger.standings import STANDING_COLUMNS
from xuefen.orgs.models import OrgNode, Person
from xuefen.policy import engine
from xuefen.policy.engine import Credit
from xuefen.policy.models import Exemption
from xuefen.policy.services import RuleSetIndex

PAIRS = "recompute_keyed_pairs"  # (person, period) to judge, with the person's facts
CONTEXTS = "recompute_keyed_contexts"  # distinct (unit, category, period): rule set, by sums?
SELECTIONS = "recompute_keyed_selections"  # per context and (category list, kind, unit)
FACTS = "recompute_keyed_facts"  # per context and (birth date, hire date)
OTHERS = "recompute_keyed_others"  # people judged on their own
KEYS = "recompute_keyed_keys"  # (person, period, key text, counted total)
VERDICTS = "recompute_keyed_verdicts"  # key text → verdict
TABLES = (PAIRS, CONTEXTS, SELECTIONS, FACTS, OTHERS, KEYS, VERDICTS)
TOUCHED = "judge_people_touched"  # the people `judge_people` judges
PEOPLE_SUMS = "judge_people_sums"  # their credits summed (`sql.credit_sums_select`)
CHUNK = 5000  # people per loader when judging the keys' first people
PROBE_BIRTH = dt.date(1970, 1, 1)  # (a selection probe's bracket is not read)
WORK_MEM = "64MB"  # PostgreSQL: for `judge_people`'s groupings (its transaction only)


@dataclass
class Memo:
    """What the keyed path learns of the rule sets, kept between calls of one run that judges
    under the same `rulesets` (slices of people): each context's number and rule set's answers,
    each selection's rate, each (birth, hire date)'s facts key, each key text's verdict. Numbers
    are given in the order first met, so a key text means the same in every call of the run."""

    rulesets: RuleSetIndex | None = None
    same: Verdicts = field(default_factory=Verdicts)  # the engine's keys, for the judging
    contexts: dict[tuple[int, str, int], tuple[int, int, int]] = field(default_factory=dict)
    selections: dict[tuple[int, str, str, str], tuple[Any, str | None]] = field(
        default_factory=dict
    )
    facts: dict[tuple[int, str, str], int] = field(default_factory=dict)
    numbers: dict[str, int] = field(default_factory=dict)  # each facts key as a small number
    verdicts: dict[str, tuple[str, str, str, str, str]] = field(default_factory=dict)

    def under(self, rulesets: RuleSetIndex) -> "Memo":
        """This memo if it was filled under `rulesets` (the index of one state of the rule
        sets), else an empty one for them."""
        if self.rulesets is rulesets:
            return self
        return Memo(rulesets)


def _pg() -> bool:
    return connection.vendor == "postgresql"


def _create(cursor: Any, table: str, body: str) -> None:
    """A temporary table of this transaction (PostgreSQL) or connection (SQLite, dropped at the
    end), from a column list `(…)` or `AS SELECT …`."""
    cursor.execute(f"DROP TABLE IF EXISTS {table}")
    drop = " ON COMMIT DROP" if _pg() else ""
    if body.startswith("AS "):
        cursor.execute(f"CREATE TEMPORARY TABLE {table}{drop} {body}")
    else:
        cursor.execute(f"CREATE TEMPORARY TABLE {table} {body}{drop}")


def _analyze(cursor: Any, *tables: str) -> None:
    if _pg():
        for table in tables:
            cursor.execute(f"ANALYZE {table}")


def _text(column: str) -> str:
    return f"CAST({column} AS TEXT)"


def _number(column: str) -> str:
    """A summed decimal of the sums table (SQLite: text) as SQL can add and print it alike for
    equal values."""
    if _pg():
        return column
    return f"CAST({column} AS REAL)"


def _rounded(expression: str, places: int) -> str:
    return f"ROUND({expression}, {places})"


def judge_keyed(
    period: int | None,
    rulesets: RuleSetIndex,
    same: Verdicts,
    sums: str,
    *,
    people: str | None = None,
    memo: Memo | None = None,
    every: bool = False,
) -> tuple[int, list[int]]:
    """Judges and writes, from the sums table `sums`, the standings of everyone it can key in SQL
    (with `people`, a table of person ids: of those people only, `sums` holding only theirs);
    returns (standings inserted or changed, the sorted ids of the people left to judge on their
    own). `memo`: what earlier calls of the run learnt (`Memo`). `every`: every standing written
    (judged now), not only those that differ."""
    memo = (memo or Memo()).under(rulesets)
    try:
        with connection.cursor() as cursor:
            _pairs(cursor, period, sums, people)
            _contexts(cursor, rulesets, memo)
            others = _others(cursor, sums, restricted=people is not None)
            _selections(cursor, rulesets, same, sums, memo)
            _facts(cursor, rulesets, same, memo)
            _keys(cursor, sums)
            _verdicts(cursor, rulesets, same, sums, memo)
            changed = _write(cursor, every)
    finally:
        if not _pg():  # (PostgreSQL drops them at commit)
            with connection.cursor() as cursor:
                for table in TABLES:
                    cursor.execute(f"DROP TABLE IF EXISTS {table}")
    return changed, others


def judge_people(ids: Sequence[int], memo: Memo) -> tuple[int, list[int]]:
    """Judges and writes (every one, judged now) the standings of the people `ids` — each period
    they have credits in or a standing for, as `standings.refresh` judges them — that can be keyed
    in SQL, from their credits summed in a temporary table; returns (standings written, the sorted
    ids of the people left to judge on their own). `memo` (of `memo.rulesets`, the rule sets as
    they are) is shared by the calls of one run."""
    if memo.rulesets is None:
        raise ValueError("the memo names the rule sets it judges by")
    people = sorted(set(ids))
    if not people:
        return 0, []
    with connection.cursor() as cursor:
        if _pg():
            # JIT compiling these statements costs more than running them (as the recompute's),
            # and their groupings fit in memory with a little more of it (this transaction).
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SELECT set_config('work_mem', %s, true)", [WORK_MEM])
        _create(cursor, TOUCHED, "(person_id bigint PRIMARY KEY)")
        sql.copy_rows(TOUCHED, ("person_id",), [(pid,) for pid in people])
        _analyze(cursor, TOUCHED)
        # The range as well: read by the ledger's index on person, whatever the planner knows of
        # a ledger just written (unanalysed, it would scan the whole ledger for every slice).
        where = f"person_id BETWEEN %s AND %s AND person_id IN (SELECT person_id FROM {TOUCHED})"
        cursor.execute(f"DROP TABLE IF EXISTS {PEOPLE_SUMS}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {PEOPLE_SUMS}{' ON COMMIT DROP' if _pg() else ''}"
            f" AS {sql.credit_sums_select(where)} ORDER BY person_id, period",
            [people[0], people[-1]],
        )
        cursor.execute(f"CREATE INDEX {PEOPLE_SUMS}_person ON {PEOPLE_SUMS} (person_id, period)")
        _analyze(cursor, f"{PEOPLE_SUMS} (person_id, period)")  # (what its joins and plans read)
    try:
        return judge_keyed(
            None, memo.rulesets, memo.same, PEOPLE_SUMS, people=TOUCHED, memo=memo, every=True
        )
    finally:
        if not _pg():
            with connection.cursor() as cursor:
                for table in (TOUCHED, PEOPLE_SUMS):
                    cursor.execute(f"DROP TABLE IF EXISTS {table}")


def _pairs(cursor: Any, period: int | None, sums: str, people: str | None = None) -> None:
    """Every (person, period) to judge — each period the person has credits in or a standing for;
    `period` only, if given, when they have credits of it or before or a standing for it — with
    the facts the key reads (of the people in the table `people` only, if given)."""
    standing = connection.ops.quote_name(Standing._meta.db_table)
    person = connection.ops.quote_name(Person._meta.db_table)
    params: list[Any] = []
    if people is not None:
        if period is not None:
            raise ValueError("a period is judged for everyone, not for given people")
        wanted = f"SELECT person_id, period FROM {sums} UNION SELECT s.person_id, s.period"
        wanted += f" FROM {people} t JOIN {standing} s ON s.person_id = t.person_id"
    elif period is None:
        wanted = f"SELECT person_id, period FROM {sums} UNION SELECT person_id, period"
        wanted += f" FROM {standing}"
    else:
        wanted = (
            f"SELECT DISTINCT person_id, CAST(%s AS INTEGER) AS period FROM {sums}"
            f" UNION SELECT person_id, period FROM {standing} WHERE period = %s"
        )
        params = [period, period]
    _create(
        cursor,
        PAIRS,
        "(person_id bigint, period integer, unit_id bigint, category text, birth text, hired text)",
    )
    cursor.execute(
        f"INSERT INTO {PAIRS} SELECT w.person_id, w.period, p.unit_id, p.category,"
        f" {_text('p.birth_date')}, COALESCE({_text('p.hired_on')}, '')"
        f" FROM ({wanted}) w JOIN {person} p ON p.id = w.person_id",
        params,
    )
    cursor.execute(f"CREATE INDEX {PAIRS}_person ON {PAIRS} (person_id)")
    _analyze(cursor, PAIRS)


def _contexts(cursor: Any, rulesets: RuleSetIndex, memo: Memo) -> None:
    """Each distinct (unit, category, period) of the pairs: its rule set, whether the verdict is
    the sums' (`engine.judged_by_sums`), whether it carries over (numbered in the memo)."""
    node = connection.ops.quote_name(OrgNode._meta.db_table)
    cursor.execute(
        f"SELECT DISTINCT r.unit_id, r.category, r.period, u.path FROM {PAIRS} r"
        f" JOIN {node} u ON u.id = r.unit_id ORDER BY 1, 2, 3"
    )
    rows = []
    for unit, category, judged, path in cursor.fetchall():
        known = memo.contexts.get((unit, category, judged))
        if known is None:
            rules = rulesets.rules(path, category, judged)
            by_sums = rules is not None and engine.judged_by_sums(rules)
            carry = 1 if rules is not None and rules.carry_over else 0
            known = (len(memo.contexts) + 1, int(by_sums), carry)
            memo.contexts[(unit, category, judged)] = known
        number, by_sums_flag, carry = known
        rows.append((number, unit, category, judged, path, by_sums_flag, carry))
    _create(
        cursor,
        CONTEXTS,
        "(ctx integer PRIMARY KEY, unit_id bigint, category text, period integer, path text,"
        " ok integer, carry integer)",
    )
    sql.copy_rows(CONTEXTS, ("ctx", "unit_id", "category", "period", "path", "ok", "carry"), rows)
    _analyze(cursor, CONTEXTS)


def _others(cursor: Any, sums: str, restricted: bool = False) -> list[int]:
    """The people of the pairs judged on their own: a period whose rule set needs entries or is
    missing, a credit naming an artefact or reversing another, an approved exemption (`restricted`:
    only the exemptions of the pairs' people read)."""
    exemption = connection.ops.quote_name(Exemption._meta.db_table)
    mine = f" AND e.person_id IN (SELECT person_id FROM {PAIRS})" if restricted else ""
    _create(
        cursor,
        OTHERS,
        f"AS SELECT r.person_id FROM {PAIRS} r JOIN {CONTEXTS} c ON c.unit_id = r.unit_id"
        " AND c.category = r.category AND c.period = r.period WHERE c.ok = 0"
        f" UNION SELECT s.person_id FROM {sums} s WHERE s.special = 1"
        f" UNION SELECT e.person_id FROM {exemption} e WHERE e.status = '"
        + Exemption.Status.APPROVED.value
        + "'"
        + mine,
    )
    cursor.execute(f"CREATE INDEX {OTHERS}_person ON {OTHERS} (person_id)")
    _analyze(cursor, OTHERS)
    cursor.execute(
        f"SELECT DISTINCT o.person_id FROM {OTHERS} o"
        f" WHERE EXISTS (SELECT 1 FROM {PAIRS} r WHERE r.person_id = o.person_id) ORDER BY 1"
    )
    return [row[0] for row in cursor.fetchall()]


def _probe(
    rules: Any, same: Verdicts, judged: int, categories: tuple[str, ...], kind: str, unit: str
) -> tuple[Decimal, str | None]:
    """(what one of `unit` counts toward the period's total, which targets select the credit as
    a text of 0/1, None: none) — asked of the engine's own key with one credit of amount 1."""
    day = dt.date(judged, 1, 1)
    probe = Credit(-1, judged, day, day, categories, Decimal(1), unit, kind, None)
    found = same.key(rules, PROBE_BIRTH, None, (), [probe], judged)
    if found is None:  # (not by sums: such contexts are not keyed)
        raise ValueError(f"{rules.ref} is not judged by sums")
    key, rate = found
    summed = cast(tuple[tuple[tuple[Any, ...], Any], ...], key[-1])
    if not summed:
        return rate, None
    selection = summed[0][0][3]
    return rate, "".join("1" if chosen else "0" for chosen in selection)


def _selections(cursor: Any, rulesets: RuleSetIndex, same: Verdicts, sums: str, memo: Memo) -> None:
    """Per context judged by sums and each distinct (category list, kind, unit) of the sums: the
    rate it counts at toward the period's total and the targets that select it."""
    cursor.execute(f"SELECT ctx, path, category, period FROM {CONTEXTS} WHERE ok = 1")
    contexts = cursor.fetchall()
    cursor.execute(f"SELECT DISTINCT categories, kind, unit FROM {sums}")
    kinds = cursor.fetchall()
    rows = []
    for ctx, path, category, judged in contexts:
        rules = rulesets.rules(path, category, judged)
        for categories, kind, unit in kinds:
            text = categories if isinstance(categories, str) else json.dumps(categories)
            known = memo.selections.get((ctx, text, kind, unit))
            if known is None:
                rate, selection = _probe(rules, same, judged, tuple(json.loads(text)), kind, unit)
                counted = rate if _pg() else float(rate)  # (sqlite3 binds no Decimal)
                known = memo.selections[(ctx, text, kind, unit)] = (counted, selection)
            rows.append((ctx, text, kind, unit, *known))
    listed = "jsonb" if _pg() else "text"
    rate_type = "numeric" if _pg() else "real"
    _create(
        cursor,
        SELECTIONS,
        f"(ctx integer, categories {listed}, kind text, unit text, rate {rate_type},"
        " selection text)",
    )
    sql.copy_rows(SELECTIONS, ("ctx", "categories", "kind", "unit", "rate", "selection"), rows)
    cursor.execute(f"CREATE INDEX {SELECTIONS}_key ON {SELECTIONS} (ctx, categories, kind, unit)")
    _analyze(cursor, SELECTIONS)


def _facts(cursor: Any, rulesets: RuleSetIndex, same: Verdicts, memo: Memo) -> None:
    """Per context judged by sums and each distinct (birth date, hire date) of its people: what
    the key makes of them (the age bracket(s) and the hire date that counts)."""
    cursor.execute(
        f"SELECT DISTINCT c.ctx, c.path, c.category, c.period, r.birth, r.hired FROM {PAIRS} r"
        f" JOIN {CONTEXTS} c ON c.unit_id = r.unit_id AND c.category = r.category"
        " AND c.period = r.period WHERE c.ok = 1"
    )
    rows = []
    numbers = memo.numbers  # each distinct facts' key as a small number
    for ctx, path, category, judged, birth, hired in cursor.fetchall():
        fk = memo.facts.get((ctx, birth, hired))
        if fk is None:
            rules = rulesets.rules(path, category, judged)
            hired_on = dt.date.fromisoformat(hired) if hired else None
            found = None
            if rules is not None:
                found = same.key(rules, dt.date.fromisoformat(birth), hired_on, (), [], judged)
            if found is None:
                raise ValueError(f"{path} {category} {judged} is not judged by sums")
            key = found[0]
            fk = numbers.setdefault(repr((key[2], key[4])), len(numbers) + 1)
            memo.facts[(ctx, birth, hired)] = fk
        rows.append((ctx, birth, hired, fk))
    _create(cursor, FACTS, "(ctx integer, birth text, hired text, fk integer)")
    sql.copy_rows(FACTS, ("ctx", "birth", "hired", "fk"), rows)
    cursor.execute(f"CREATE INDEX {FACTS}_key ON {FACTS} (ctx, birth, hired)")
    _analyze(cursor, FACTS)


def _keys(cursor: Any, sums: str) -> None:
    """Each keyed (person, period)'s key text and counted total, from the sums: the context, the
    facts' key, credits of the year before (where the rule set carries over), and the credits
    summed per (period, unit, days given, selection)."""
    amount = _number("s.amount")
    days = _number("s.days")
    if _pg():
        summed, summed_days = "SUM(s.amount)", "SUM(s.days)"
        total = "SUM(CASE WHEN s.period = r.period THEN s.amount * x.rate ELSE 0 END)"
    else:
        summed = _rounded(f"SUM({amount})", 2)
        summed_days = _rounded(f"SUM({days})", 1)
        total = f"SUM(CASE WHEN s.period = r.period THEN {amount} * x.rate ELSE 0 END)"
    group = (
        "CASE WHEN g.selection IS NOT NULL THEN"
        f" {_text('g.sp')} || ':' || g.su || ':' || {_text('g.dn')} || ':' || g.selection"
        f" || ':' || {_text('g.amount')} || ':' || COALESCE({_text('g.days')}, '-') END"
    )
    if _pg():
        joined = f"string_agg({group}, ',' ORDER BY g.sp, g.su, g.dn, g.selection)"
    else:
        joined = f"group_concat({group}, ',')"
    keyed = (
        "SELECT r.person_id, r.period, c.ctx, f.fk, c.carry"
        f" FROM {PAIRS} r"
        f" JOIN {CONTEXTS} c ON c.unit_id = r.unit_id AND c.category = r.category"
        " AND c.period = r.period"
        f" JOIN {FACTS} f ON f.ctx = c.ctx AND f.birth = r.birth AND f.hired = r.hired"
        f" WHERE c.ok = 1 AND NOT EXISTS (SELECT 1 FROM {OTHERS} o WHERE o.person_id = r.person_id)"
    )
    # Grouped by the person's period and the credits' group only (the context, facts and
    # carry-over are the pair's own: carried as aggregates, not as grouping columns).
    grouped = (
        "SELECT r.person_id, r.period, MIN(r.ctx) AS ctx, MIN(r.fk) AS fk, MIN(r.carry) AS carry,"
        " s.period AS sp, s.unit AS su, CASE WHEN s.days IS NULL THEN 1 ELSE 0 END AS dn,"
        f" x.selection, {summed} AS amount, {summed_days} AS days, {total} AS total,"
        " MAX(CASE WHEN s.period = r.period - 1 THEN 1 ELSE 0 END) AS prev"
        f" FROM ({keyed}) r"
        f" LEFT JOIN {sums} s ON s.person_id = r.person_id AND s.period <= r.period"
        f" LEFT JOIN {SELECTIONS} x ON x.ctx = r.ctx AND x.categories = s.categories"
        " AND x.kind = s.kind AND x.unit = s.unit"
        " GROUP BY r.person_id, r.period, s.period, s.unit,"
        " CASE WHEN s.days IS NULL THEN 1 ELSE 0 END, x.selection"
        # SQLite's group_concat takes the rows in the order given (PostgreSQL's string_agg is
        # told); equal keys need only the same order for the same groups.
        + ("" if _pg() else " ORDER BY 1, 2, 6, 7, 8, 9")
    )
    _create(
        cursor,
        KEYS,
        f"AS SELECT g.person_id, g.period,"
        f" {_text('MIN(g.ctx)')} || '|' || {_text('MIN(g.fk)')} || '|'"
        f" || {_text('MAX(g.carry * g.prev)')} || '|' || COALESCE({joined}, '') AS key,"
        f" {_rounded('COALESCE(SUM(g.total), 0)', 2)} AS total"
        f" FROM ({grouped}) g GROUP BY g.person_id, g.period",
    )
    cursor.execute(f"CREATE INDEX {KEYS}_key ON {KEYS} (key)")
    _analyze(cursor, KEYS)


def _verdicts(cursor: Any, rulesets: RuleSetIndex, same: Verdicts, sums: str, memo: Memo) -> None:
    """Each distinct key's verdict: the one judge's, on the key's first person (by id) — once in
    the run (the memo's)."""
    cursor.execute(
        f"SELECT k.key, k.person_id, k.period, k.total FROM {KEYS} k"
        f" JOIN (SELECT key, MIN(person_id) AS first FROM {KEYS} GROUP BY key) m"
        " ON m.key = k.key AND m.first = k.person_id"
    )
    found = cursor.fetchall()
    known = [memo.verdicts[row[0]] for row in found if row[0] in memo.verdicts]
    firsts = sorted(
        (row for row in found if row[0] not in memo.verdicts), key=lambda row: (row[1], row[2])
    )
    ids = sorted({row[1] for row in firsts})
    rows = []
    loaders: dict[int, Loader] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        loader = Loader.summed_range(chunk[0], chunk[-1], rulesets, sums, same, only=chunk)
        for pid in chunk:
            loaders[pid] = loader
    for key, pid, judged, total in firsts:
        # Judged outright: the key is distinct, the engine's own key would find nothing shared.
        loader = loaders[pid]
        evaluation = loader.evaluate(pid, judged, explain=False)
        verdict = verdict_of(evaluation, loader.credits.get(pid, []), judged)
        if abs(Decimal(str(total)) - verdict.earned) >= Decimal("0.005"):
            # The key's counted total must be the judge's: else the key is not the engine's.
            raise ValueError(f"person {pid} {judged}: keyed total {total} != {verdict.earned}")
        shortfalls = json.dumps(verdict.shortfalls)
        row = (key, str(verdict.status), verdict.grade, verdict.ruleset, shortfalls)
        memo.verdicts[key] = row
        rows.append(row)
    rows += known
    listed = "jsonb" if _pg() else "text"
    _create(
        cursor,
        VERDICTS,
        f"(key text PRIMARY KEY, status text, grade text, ruleset text, shortfalls {listed})",
    )
    sql.copy_rows(VERDICTS, ("key", "status", "grade", "ruleset", "shortfalls"), rows)
    # Not analysed: read only whole, by a hash join on its key (its ANALYZE, every key and
    # shortfall list sampled, cost 0.2 s of a full recompute).


def _write(cursor: Any, every: bool = False) -> int:
    """Every keyed standing from its key's verdict and the person's own counted total, in one
    upsert that changes only the standings that differ (`every`: all of them, judged now; the
    columns `standings.store` writes); returns how many it inserted or changed."""
    standing = connection.ops.quote_name(Standing._meta.db_table)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    # Each of the columns `store` writes, from its place here (a column added there fails here).
    values = {
        "person_id": "k.person_id", "period": "k.period", "status": "v.status",
        "grade": "v.grade", "earned": "k.total", "ruleset": "v.ruleset",
        "shortfalls": "v.shortfalls", "evaluated_at": "%s",
    }  # fmt: skip
    selected = ", ".join(values[c] for c in STANDING_COLUMNS)
    updates = ", ".join(f"{c} = excluded.{c}" for c in STANDING_COLUMNS[2:])

    def differs(stored: str, fresh: str, earned: str) -> str:
        return " OR ".join(
            [f"{stored}.{c} <> {fresh}.{c}" for c in ("status", "grade", "ruleset", "shortfalls")]
            + [f"abs({stored}.earned - {earned}) >= 0.005"]
        )

    # Only the standings missing or differing are offered to the upsert: found by one join with
    # the stored ones (a hash join), not by an index probe per standing in ON CONFLICT. The
    # conflict clause stays for a standing written meanwhile. ("WHERE" also keeps SQLite from
    # reading ON CONFLICT as part of the SELECT's join.)
    offered = "WHERE true"
    if not every:
        offered = (
            f"LEFT JOIN {standing} s ON s.person_id = k.person_id AND s.period = k.period"
            f" WHERE s.id IS NULL OR {differs('s', 'v', 'k.total')}"
        )
    cursor.execute(
        f"INSERT INTO {standing} ({', '.join(STANDING_COLUMNS)}) SELECT {selected}"
        f" FROM {KEYS} k JOIN {VERDICTS} v ON v.key = k.key {offered}"
        f" ON CONFLICT (person_id, period) DO UPDATE SET {updates}"
        + ("" if every else f" WHERE {differs(standing, 'excluded', 'excluded.earned')}"),
        [now],
    )
    return max(cursor.rowcount, 0)
