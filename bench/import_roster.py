"""Benchmark (d): a roster of completions (ID number + course code + completion date; 1,000,000 by
default) through the real import path, beside a bare load of the same file and a hand-written
set-based SQL load of the same rows into the same tables, in the same run.

Real path: `intake.actions.submit_batch` (whole-file checks, SHA-256, stored copy, queued Batch),
then `intake.processing.process_batch` — what the background worker runs — called in this process:
it parses the file once into staged rows (formula check, row count; `intake.StagedRow`), and per
chunk (`--chunk` rows, one transaction) stages the plain rows for the ledger by one INSERT … SELECT
that validates them by joins (ID check digits once per distinct number, person in the provider's
scope, course registered, dates), checks any other row one by one, and posts them all with ONE call
of `ledger.bulk.post_entries` (its set-based engine: duplicates by anti-join, chain numbers by
window function, hashes streamed in Python, entries, audit records and totals by INSERT … SELECT),
then writes its BatchRows (INSERT … SELECT) and checkpoint; when the last chunk is in, every person
credited is judged once (`ledger.bulk.judge_people`).
Bare: the same CSV into a table with no index or constraint — `executemany` of the parsed rows in
one transaction on SQLite, `COPY … FROM STDIN (FORMAT csv)` of the file's bytes on PostgreSQL.
Set-based SQL: see `set_based_load` (what it leaves out is listed there); rolled back.

    .venv/bin/python bench/import_roster.py [--rows 1000000] [--people 100000] [--order course]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_import .venv/bin/python bench/import_roster.py

SQLite: /tmp/xuefen_bench_import.sqlite3 (wiped). PostgreSQL: the database named in DATABASE_URL
(its name must contain "bench"; created if missing, its schema wiped). People are created
set-based first and not timed. Each step (raw, set-based SQL, import) runs in its own child
process, its peak memory that process's own (VmHWM). `--check` runs `ledger verify` and
`recompute` afterwards (after ANALYZE). `--snapshot NAME` keeps the prepared database and
roster and starts from them next time; `--only-import` skips the two loads beside the import.
"""

# _population sets Django up, so the environment comes first and Django imports after it.
# ruff: noqa: E402, I001

import argparse
import cProfile
import csv
import datetime as dt
import os
import pstats
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("XUEFEN_SQLITE_PATH", "/tmp/xuefen_bench_import.sqlite3")
# Stored batch files go to a throwaway MEDIA_ROOT; the roster is larger than the 20 MB default.
# A step's child process gets its parent's.
if "XUEFEN_BENCH_VAR_DIR" not in os.environ:
    os.environ["XUEFEN_BENCH_VAR_DIR"] = tempfile.mkdtemp(prefix="xuefen_bench_import_")
os.environ["XUEFEN_VAR_DIR"] = os.environ["XUEFEN_BENCH_VAR_DIR"]
os.environ.setdefault("XUEFEN_MAX_UPLOAD_MB", "200")
# The worker's job is run here, in this process, so the queue need not hold it.
os.environ["XUEFEN_TASK_BACKEND"] = "django.tasks.backends.dummy.DummyBackend"


def _ensure_postgres_database() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        return
    import psycopg
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if "bench" not in name:
        sys.exit(f"refusing to use {name}: the benchmark wants a database whose name has 'bench'")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


_ensure_postgres_database()

from _population import _insert, fresh_database, region_and_unit

from django.db import connection, transaction

from xuefen.core.actors import SYSTEM
from xuefen.intake.actions import submit_batch
from xuefen.intake.models import Batch, Course, Provider
from xuefen.intake.processing import process_batch
from xuefen.ledger.models import Entry, Standing, Total
from xuefen.orgs import idnumber
from xuefen.orgs.models import OrgNode

COURSES = [
    # code, categories, amount: the shapes the shipped rule sets count
    ("GX2026-01", ["public", "online"], "3"),
    ("ZY2026-02", ["professional", "offline"], "6"),
    ("BX2026-03", ["required", "offline"], "8"),
    ("XX2026-04", ["elective", "online"], "2"),
    ("ZY2026-05", ["professional"], "12"),
    ("BX2026-06", ["required", "online"], "4"),
    ("XX2026-07", ["elective", "offline"], "6"),
    ("GX2026-08", ["public"], "1.5"),
    ("ZY2026-09", ["professional", "online"], "5"),
    ("BX2026-10", ["required"], "10"),
]
BATCH = 10_000


def peak_mb() -> float:
    """The process's peak resident memory (VmHWM: its own since exec; ru_maxrss would count the
    parent's memory a child was forked with)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def id_number(i: int) -> str:
    """Person i's ID number, as bench/_population makes them (unique for i < 10,000,000)."""
    birth = dt.date(1970, 1, 1) + dt.timedelta(days=i % 10000)
    return idnumber.make("110101", birth, i // 10000 % 1000, "M" if i % 2 else "F")


def add_people(unit: OrgNode, count: int) -> None:
    """`count` people in `unit`, alternating 一般干部 / 专技人员, inserted raw in batches."""
    stamp = "2026-11-23 00:00:00+00:00" if connection.vendor == "postgresql" else "2026-11-23"
    columns = (
        "id_number, name, sex, birth_date, unit_id, category, title_level, position, phone,"
        " status, hired_on, created_at, updated_at"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, count, BATCH):
            rows = []
            for i in range(start, min(count, start + BATCH)):
                birth = dt.date(1970, 1, 1) + dt.timedelta(days=i % 10000)
                category = "general" if i % 3 else "professional"
                rows.append(
                    (id_number(i), f"测试{i}", "M" if i % 2 else "F", birth, unit.pk, category,
                     "", "", "", "active", None, stamp, stamp)
                )  # fmt: skip
            _insert(cursor, "orgs_person", columns, rows)


def provider_and_courses(region: OrgNode) -> Provider:
    provider = Provider.objects.create(
        code="DX01", name="基准党校", kind=Provider.Kind.PROVIDER, node=region, serves=region
    )
    for code, categories, amount in COURSES:
        Course.objects.create(
            provider=provider,
            code=code,
            name=f"课程 {code}",
            kind="training",
            categories=categories,
            amount=amount,
            unit="hours",
            starts_on=dt.date(2026, 1, 1),
            ends_on=dt.date(2026, 10, 31),
        )
    return provider


def write_roster(path: Path, rows: int, people: int, order: str) -> None:
    """The roster as a provider's office would export it: UTF-8 CSV, one completion a row."""
    numbers = [id_number(i) for i in range(people)]
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["身份证号", "课程代码", "完成日期"])
        for n in range(rows):
            if order == "course":  # each course's whole class, then the next course
                course, person = divmod(n, people)
            else:  # each person's courses together
                person, course = divmod(n, len(COURSES))
            code = COURSES[course % len(COURSES)][0]
            day = dt.date(2026, 1, 5) + dt.timedelta(days=(course * 29 + person) % 280)
            writer.writerow([numbers[person % people], code, day.isoformat()])


def raw_load(path: Path) -> float:
    """The floor: the same rows into a bare table (no index, no constraint), in one transaction."""
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw_roster")
        cursor.execute(
            "CREATE TABLE bench_raw_roster"
            " (id_number varchar(18), course_code varchar(40), completed_on date)"
        )
    began = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = "COPY bench_raw_roster FROM STDIN WITH (FORMAT csv, HEADER true)"
            with cursor.cursor.copy(sql) as copy, open(path, "rb") as fh:
                while block := fh.read(1 << 20):
                    copy.write(block)
        else:
            with open(path, encoding="utf-8", newline="") as fh:
                reader = csv.reader(fh)
                next(reader)
                connection.connection.executemany(
                    "INSERT INTO bench_raw_roster VALUES (?, ?, ?)", reader
                )
    return time.perf_counter() - began


class _RolledBack(Exception):
    pass


def set_based_load(provider: Provider, path: Path) -> float:
    """The same rows into the same tables by hand-written set-based SQL, rolled back afterwards:
    one pass into a staging table (executemany / COPY), people and courses by join, the
    idempotency check as an anti-join, chain numbers by window function, entries, audit records and
    batch rows by INSERT … SELECT, chain heads and totals by grouped upserts. What it leaves out:
    the hashes (a chain cannot be hashed set-based; they are left empty), the ID check digit, the
    rule set's calendar (every row lands in the period of its year) and the standings (judging is
    the engine's). A floor for the real path, not a replacement."""
    p = "%s"
    json_each = (
        "jsonb_array_elements_text(e.categories) AS j(tag)"
        if connection.vendor == "postgresql"
        else "json_each(e.categories) AS j"
    )
    tag = "j.tag" if connection.vendor == "postgresql" else "j.value"
    year = (
        "EXTRACT(YEAR FROM s.completed_on)::int"
        if connection.vendor == "postgresql"
        else "CAST(substr(s.completed_on, 1, 4) AS integer)"
    )
    batch = Batch.objects.create(
        provider=provider, source="upload", payload_sha256="0" * 64, file_path="bench"
    )
    began = time.perf_counter()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMPORARY TABLE bench_stage (n integer, id_number varchar(18),"
                " course_code varchar(40), completed_on date)"
            )
            if connection.vendor == "postgresql":
                sql = "COPY bench_stage (id_number, course_code, completed_on) FROM STDIN"
                sql += " WITH (FORMAT csv, HEADER true)"
                with cursor.cursor.copy(sql) as copy, open(path, "rb") as fh:
                    while block := fh.read(1 << 20):
                        copy.write(block)
                cursor.execute(
                    "UPDATE bench_stage SET n = t.n FROM (SELECT ctid, row_number() OVER () AS n"
                    " FROM bench_stage) t WHERE bench_stage.ctid = t.ctid"
                )
            else:
                with open(path, encoding="utf-8", newline="") as fh:
                    reader = csv.reader(fh)
                    next(reader)
                    connection.connection.executemany(
                        "INSERT INTO bench_stage VALUES (?, ?, ?, ?)",
                        ((n, *row) for n, row in enumerate(reader, start=2)),
                    )
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE bench_stage")
            cursor.execute("SELECT coalesce(max(id), 0) FROM ledger_entry")
            (before,) = cursor.fetchone()
            cursor.execute(
                "CREATE TEMPORARY TABLE bench_new AS SELECT s.n, p.id AS person_id, c.id AS"
                f" course_id, s.completed_on, {year} AS period,"
                f" {p} || ':' || c.code || ':' || s.completed_on AS source_id"
                " FROM bench_stage s JOIN orgs_person p ON p.id_number = s.id_number"
                f" JOIN intake_course c ON c.code = s.course_code AND c.provider_id = {p}"
                " AND c.is_active AND s.completed_on BETWEEN c.starts_on AND c.ends_on",
                [provider.code, provider.pk],
            )
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE bench_new")
            cursor.execute(
                "INSERT INTO ledger_entry (person_id, seq, period, first_day, last_day, days,"
                " categories, amount, unit, kind, artefact_key, artefact_exclusive, source_type,"
                " source_id, description, evidence, approved_by_id, approved_at, reverses_id,"
                " created_by_id, created_at, prev_hash, hash)"
                " SELECT w.person_id, coalesce(h.last_seq, 0)"
                " + row_number() OVER (PARTITION BY w.person_id ORDER BY w.n), w.period,"
                " w.completed_on, w.completed_on, NULL, c.categories, c.amount, c.unit, c.kind,"
                " '', false, 'roster', w.source_id, c.name, 'bench row ' || w.n, NULL, NULL,"
                " NULL, NULL, CURRENT_TIMESTAMP, '', ''"
                " FROM bench_new w JOIN intake_course c ON c.id = w.course_id"
                " LEFT JOIN ledger_chain h ON h.person_id = w.person_id"
                " WHERE NOT EXISTS (SELECT 1 FROM ledger_entry x WHERE x.person_id = w.person_id"
                " AND x.source_type = 'roster' AND x.source_id = w.source_id)"
                " ORDER BY w.person_id, w.n"
            )
            cursor.execute(
                "INSERT INTO audit_auditevent (at, actor_id, actor_name, address, action,"
                " object_type, object_id, object_repr, changes, node_path, person_id)"
                " SELECT CURRENT_TIMESTAMP, NULL, 'system', NULL, 'post', 'ledger.entry',"
                " CAST(e.id AS varchar(20)), e.description, '{}', u.path, e.person_id"
                " FROM ledger_entry e JOIN orgs_person p ON p.id = e.person_id"
                f" JOIN orgs_orgnode u ON u.id = p.unit_id WHERE e.id > {p}",
                [before],
            )
            cursor.execute(
                "INSERT INTO intake_batchrow (batch_id, row_number, status, person_id,"
                " id_number_masked, course_code, first_day, completed_on, days, entry_id, errors,"
                f" sent) SELECT {p}, s.n, CASE WHEN e.id IS NULL THEN 'error' ELSE 'posted' END,"
                " e.person_id, substr(s.id_number, 1, 6) || '********' || substr(s.id_number, 15),"
                " s.course_code, s.completed_on, s.completed_on, NULL, e.id, '[]', '{}'"
                " FROM bench_stage s LEFT JOIN bench_new w ON w.n = s.n LEFT JOIN ledger_entry e"
                " ON e.person_id = w.person_id AND e.source_type = 'roster'"
                f" AND e.source_id = w.source_id AND e.id > {p}",
                [batch.pk, before],
            )
            cursor.execute(
                "INSERT INTO ledger_chain (person_id, last_seq, last_hash)"
                f" SELECT person_id, max(seq), '' FROM ledger_entry WHERE id > {p}"
                " GROUP BY person_id ON CONFLICT (person_id) DO UPDATE"
                " SET last_seq = excluded.last_seq, last_hash = excluded.last_hash",
                [before],
            )
            cursor.execute(
                "INSERT INTO ledger_total (person_id, period, category, unit, amount)"
                f" SELECT e.person_id, e.period, {tag}, e.unit, sum(e.amount)"
                f" FROM ledger_entry e, {json_each} WHERE e.id > {p}"
                f" GROUP BY e.person_id, e.period, {tag}, e.unit"
                " UNION ALL SELECT person_id, period, '*', unit, sum(amount) FROM ledger_entry"
                f" WHERE id > {p} GROUP BY person_id, period, unit"
                " ON CONFLICT (person_id, period, category, unit) DO UPDATE"
                " SET amount = ledger_total.amount + excluded.amount",
                [before, before],
            )
            cursor.execute("SELECT count(*) FROM ledger_entry WHERE id > %s", [before])
            (posted,) = cursor.fetchone()
            spent = time.perf_counter() - began
            print(f"  set-based SQL posted {posted:,} entries (rolled back)")
            raise _RolledBack
    except _RolledBack:
        pass
    with connection.cursor() as cursor:
        for table in ("bench_stage", "bench_new"):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
    return spent


def checkpoint() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("CHECKPOINT")
            cursor.execute("ANALYZE")
        else:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.execute("ANALYZE")


def _claim_lock_only_the_batch(batch_id: int) -> Batch | None:
    """intake.processing._claim as committed, with FOR UPDATE OF the batch only: PostgreSQL refuses
    FOR UPDATE over the nullable side of the LEFT JOIN that select_related("created_by") makes
    (reported to the intake owner; used only while processing._claim has that problem)."""
    from django.utils import timezone
    from xuefen.intake.actions import is_stale

    with transaction.atomic():
        batch = (
            Batch.objects.select_for_update(of=("self",))
            .select_related("provider", "provider__node", "provider__serves", "created_by")
            .filter(pk=batch_id)
            .first()
        )
        if batch is None or batch.status in (Batch.Status.DONE, Batch.Status.FAILED):
            return None
        if batch.status == Batch.Status.RUNNING and not is_stale(batch):
            return None
        now = timezone.now()
        batch.status = Batch.Status.RUNNING
        batch.started_at = batch.started_at or now
        batch.heartbeat_at = now
        batch.save(update_fields=["status", "started_at", "heartbeat_at"])
        return batch


def _time_phases() -> dict[str, list[float]]:
    """Wall time of the import's phases (the first pass, each chunk's parts, the judging at the
    end), by wrapping the functions that do them."""
    from xuefen.intake import processing
    from xuefen.ledger import bulk

    phases: dict[str, list[float]] = {}

    def wrap(module, name: str, label: str) -> None:  # type: ignore[no-untyped-def]
        original = getattr(module, name)
        phases[label] = [0.0, 0]

        def timed(*args, **kwargs):  # type: ignore[no-untyped-def]
            began = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                phases[label][0] += time.perf_counter() - began
                phases[label][1] += 1

        setattr(module, name, timed)

    wrap(processing, "_prepare", "first pass (parse, stage rows)")
    wrap(processing, "_commit_chunk", "chunks (validate, post, batch rows)")
    wrap(processing, "_stage_plain_rows", "  staging plain rows (joins)")
    wrap(bulk, "_check_staged", "  writer's set-based checks")
    wrap(bulk, "_append", "  writer: number, hash, insert")
    wrap(bulk, "judge_people", "judging at the end")
    return phases


def real_import(provider: Provider, path: Path, chunk: int | None) -> tuple[float, float, Batch]:
    if connection.vendor == "postgresql":
        import inspect

        from xuefen.intake import processing

        if "of=" not in inspect.getsource(processing._claim):
            processing._claim = _claim_lock_only_the_batch  # type: ignore[assignment]
            print("note: intake.processing._claim patched to lock FOR UPDATE OF the batch only")
    began = time.perf_counter()
    with open(path, "rb") as fh:
        batch = submit_batch(SYSTEM, provider, upload=fh, source="upload", filename=path.name)
    submitted = time.perf_counter() - began
    process_batch(batch.pk, chunk_rows=chunk)
    return submitted, time.perf_counter() - began, Batch.objects.get(pk=batch.pk)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--people", type=int, default=None, help="default: rows / 10")
    parser.add_argument("--order", choices=["course", "person"], default="course")
    parser.add_argument("--chunk", type=int, default=None, help="intake chunk rows")
    parser.add_argument("--profile", help="write cProfile stats of the import to this file")
    parser.add_argument(
        "--sql-times", action="store_true", help="time spent per statement kind (the import)"
    )
    parser.add_argument("--check", action="store_true", help="verify + recompute afterwards")
    parser.add_argument(
        "--only-import", action="store_true", help="skip the raw and set-based SQL loads"
    )
    parser.add_argument(
        "--snapshot",
        help="keep the prepared database (people, courses, roster) under this name (SQLite: a file"
        " path; PostgreSQL: a template database) and start from it when it is there",
    )
    # Internal: one step in a child process (its own peak memory).
    parser.add_argument("--step", choices=["raw", "sql", "import"], help=argparse.SUPPRESS)
    parser.add_argument("--roster", help=argparse.SUPPRESS)
    return parser.parse_args()


def _step(args: argparse.Namespace) -> None:
    """One measured step, alone in this (child) process: its last line is its result."""
    import json

    provider = Provider.objects.get(code="DX01")
    roster = Path(args.roster)
    if args.step == "raw":
        spent = raw_load(roster)
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE bench_raw_roster")
        print(json.dumps({"seconds": spent, "peak": peak_mb()}))
        return
    if args.step == "sql":
        spent = set_based_load(provider, roster)
        print(json.dumps({"seconds": spent, "peak": peak_mb()}))
        return
    timings: dict[str, list[float]] = {}

    def timed_sql(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            key = " ".join(sql.split()[:4])[:60]
            timings.setdefault(key, []).append(time.perf_counter() - began)

    phases = _time_phases()
    before = peak_mb()
    profiler = cProfile.Profile() if args.profile else None
    if profiler:
        profiler.enable()
    if args.sql_times:
        with connection.execute_wrapper(timed_sql):
            submitted, total, batch = real_import(provider, roster, args.chunk)
        for key, spent in sorted(timings.items(), key=lambda kv: -sum(kv[1]))[:15]:
            print(f"  sql {sum(spent):7.2f} s  {len(spent):6d}x  {key}")
    else:
        submitted, total, batch = real_import(provider, roster, args.chunk)
    if profiler:
        profiler.disable()
        profiler.dump_stats(args.profile)
        pstats.Stats(args.profile).sort_stats("cumulative").print_stats(40)
    print(f"{'  of which submit_batch (checks, copy)':<44} {submitted:8.1f} s")
    for name, (spent, calls) in phases.items():
        print(f"  of which {name:<34} {spent:8.1f} s  ({calls}x)")
    print(f"batch {batch.status}: {batch.posted_rows:,} posted, {batch.duplicate_rows:,} "
          f"duplicates, {batch.error_rows:,} errors")  # fmt: skip
    print(f"entries {Entry.objects.count():,}, totals {Total.objects.count():,}, "
          f"standings {Standing.objects.count():,}")  # fmt: skip
    print(json.dumps({"seconds": total, "peak": peak_mb(), "before": before}))


def _in_child(args: argparse.Namespace, step: str, roster: Path) -> dict[str, float]:
    """Runs one step in a child process (so each step's peak memory is its own)."""
    import json
    import subprocess

    command = [sys.executable, __file__, "--step", step, "--roster", str(roster)]
    command += ["--rows", str(args.rows)]
    if args.chunk:
        command += ["--chunk", str(args.chunk)]
    if args.profile:
        command += ["--profile", args.profile]
    if args.sql_times:
        command += ["--sql-times"]
    connection.close()
    done = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True)
    *lines, last = done.stdout.strip().splitlines()
    for line in lines:
        print(line)
    return dict(json.loads(last))


def _pg_admin(statement: str) -> None:
    import psycopg
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(os.environ["DATABASE_URL"])
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(statement)


def _prepare(args: argparse.Namespace, people: int) -> Path:
    """People, courses and the roster file, or (`--snapshot`) the kept ones: a copy of the SQLite
    file, or on PostgreSQL a template database of that name."""
    roster = Path(os.environ["XUEFEN_VAR_DIR"]) / "roster.csv"
    snapshot = args.snapshot
    name = connection.settings_dict["NAME"]
    pg = connection.vendor == "postgresql"
    kept = f"/tmp/{snapshot}.csv" if pg else f"{snapshot}.csv"
    if snapshot is not None and Path(kept).exists():
        connection.close()
        if pg:
            _pg_admin(f'DROP DATABASE IF EXISTS "{name}"')
            _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{snapshot}"')
        else:
            for suffix in ("-wal", "-shm"):
                Path(f"{name}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(snapshot, name)
        shutil.copyfile(kept, roster)
        return roster
    fresh_database()
    unit = region_and_unit()
    region = OrgNode.objects.get(pk=unit.parent_id)
    add_people(unit, people)
    provider_and_courses(region)
    write_roster(roster, args.rows, people, args.order)
    checkpoint()
    if snapshot is not None:
        connection.close()
        if pg:
            if "bench" not in snapshot:
                sys.exit("a PostgreSQL snapshot's name must contain 'bench'")
            _pg_admin(f'DROP DATABASE IF EXISTS "{snapshot}"')
            _pg_admin(f'CREATE DATABASE "{snapshot}" TEMPLATE "{name}"')
        else:
            shutil.copyfile(name, snapshot)
        shutil.copyfile(roster, kept)
    return roster


def main() -> None:
    args = _arguments()
    if args.step:
        _step(args)
        return
    people = args.people or max(1, args.rows // len(COURSES))
    print(f"database: {connection.vendor}; {args.rows:,} rows, {people:,} people, "
          f"order by {args.order}; each step in its own process")  # fmt: skip
    began = time.perf_counter()
    roster = _prepare(args, people)
    size_mb = roster.stat().st_size / 1e6
    label = f"set-up (people, courses, CSV of {size_mb:.0f} MB)"
    print(f"{label:<44} {time.perf_counter() - began:8.1f} s")
    raw = by_sql = None
    if not args.only_import:
        raw = _in_child(args, "raw", roster)
        print(f"{'raw load into a bare table':<44} {raw['seconds']:8.1f} s   "
              f"{args.rows / raw['seconds']:>10,.0f} rows/s   peak {raw['peak']:6.0f} MB")  # fmt: skip
        checkpoint()
        by_sql = _in_child(args, "sql", roster)
        print(f"{'hand-written set-based SQL, same tables':<44} {by_sql['seconds']:8.1f} s   "
              f"{args.rows / by_sql['seconds']:>10,.0f} rows/s   "
              f"peak {by_sql['peak']:6.0f} MB")  # fmt: skip
        checkpoint()
    done = _in_child(args, "import", roster)
    total = done["seconds"]
    print(f"{'import through intake (submit + process)':<44} {total:8.1f} s   "
          f"{args.rows / total:>10,.0f} rows/s   peak {done['peak']:6.0f} MB"
          f" (set-up in the process: {done['before']:.0f} MB)")  # fmt: skip
    if raw is not None and by_sql is not None:
        print(f"ratio import / raw (rows/s): {raw['seconds'] / total:.3f}")
        print(f"ratio import / set-based SQL (rows/s): {by_sql['seconds'] / total:.3f}")
    print(f"goal >= 20,000 rows/s: {'met' if args.rows / total >= 20_000 else 'NOT met'}")
    print(f"peak memory of the import's process (VmHWM): {done['peak']:.0f} MB"
          "  (goal < 300 MB)")  # fmt: skip
    if args.check:
        from xuefen.ledger.recompute import recompute
        from xuefen.ledger.verify import verify

        checkpoint()  # statistics of the tables just filled, as a database in service has them
        problems = sum(1 for _ in verify())
        print(f"verify: {problems} problems; recompute changed {recompute()}")


if __name__ == "__main__":
    child = "--step" in sys.argv
    try:
        main()
    finally:
        if not child:
            shutil.rmtree(os.environ["XUEFEN_VAR_DIR"], ignore_errors=True)
