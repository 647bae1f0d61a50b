"""Shared set-up of the benchmarks: a throwaway database and a synthetic population, built fast.

The database is chosen by DATABASE_URL (PostgreSQL: its name must contain "bench", it is wiped);
without it, a SQLite file under /tmp (XUEFEN_SQLITE_PATH, default /tmp/xuefen_bench.sqlite3).
"""

import datetime as dt
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xuefen.settings")
if not os.environ.get("DATABASE_URL"):
    os.environ.setdefault("XUEFEN_SQLITE_PATH", "/tmp/xuefen_bench.sqlite3")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from xuefen.core.actors import SYSTEM  # noqa: E402
from xuefen.orgs import idnumber  # noqa: E402
from xuefen.orgs.models import OrgNode  # noqa: E402

CATEGORY_SETS = [
    ["required", "offline"],
    ["elective", "online"],
    ["public", "online"],
    ["professional", "offline"],
    ["professional"],
]
ENTRIES_PER_PERSON = 20
BATCH = 10_000


def fresh_database() -> None:
    """An empty, migrated database: refuses anything but a throwaway one."""
    settings_db = connection.settings_dict
    if connection.vendor == "sqlite":
        path = Path(settings_db["NAME"])
        if not str(path).startswith("/tmp/"):
            sys.exit(f"refusing to use {path}: the benchmark wants a SQLite file under /tmp")
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        if "bench" not in settings_db["NAME"]:
            sys.exit(f"refusing to wipe {settings_db['NAME']}: its name must contain 'bench'")
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    call_command("migrate", verbosity=0)


def checkpoint(*vacuumed: str) -> None:
    """PostgreSQL: the tables `vacuumed` of their dead rows, then a checkpoint — as a table stands
    when a run comes long after its last write (its first change of a page logs the whole page)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in vacuumed:
            cursor.execute(f"VACUUM {table}")
        cursor.execute("CHECKPOINT")


def region_and_unit() -> OrgNode:
    from xuefen.policy.actions import import_ruleset
    from xuefen.policy.shipped import shipped_texts

    region = OrgNode.objects.create(code="BENCH", name="基准县", kind="region", path="")
    region.path = f"/{region.pk}/"
    region.save(update_fields=["path"])
    unit = OrgNode.objects.create(
        code="BENCH01",
        name="基准单位",
        kind="unit",
        unit_type="organ",
        parent=region,
        depth=1,
        path="",
    )
    unit.path = f"{region.path}{unit.pk}/"
    unit.save(update_fields=["path"])
    texts = shipped_texts()
    import_ruleset(SYSTEM, texts["cadre_township"], region)
    import_ruleset(SYSTEM, texts["professional_national"], region)
    return unit


def _insert(cursor: Any, table: str, columns: str, rows: list[tuple[Any, ...]]) -> None:
    if connection.vendor == "postgresql":
        # COPY: executemany of millions of rows takes minutes on PostgreSQL.
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join(["%s"] * len(columns.split(",")))
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)


def add_people(unit: OrgNode, start: int, count: int, seed: int = 7) -> float:
    """Adds people start..start+count-1, each with ENTRIES_PER_PERSON entries (2026) and a chain head.
    Raw executemany (COPY on PostgreSQL): the benchmark measures reading and writing the ledger, not building it. The
    synthetic entries carry placeholder hashes (verify is not benchmarked here)."""
    rng = random.Random(seed + start)
    began = time.perf_counter()
    now = (
        "2026-11-23 00:00:00+00:00" if connection.vendor == "postgresql" else "2026-11-23 00:00:00"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        for offset in range(0, count, BATCH):
            n = min(BATCH, count - offset)
            people = []
            for i in range(start + offset, start + offset + n):
                birth = dt.date(1970, 1, 1) + dt.timedelta(days=i % 10000)
                people.append(
                    (
                        idnumber.make("110101", birth, i // 10000 % 1000, "M" if i % 2 else "F")
                        if i < 10_000_000
                        else f"X{i:017d}",
                        f"测试{i}",
                        "M" if i % 2 else "F",
                        birth,
                        unit.pk,
                        "general" if i % 3 else "professional",
                        "",
                        "",
                        "",
                        "active",
                        None,
                        now,
                        now,
                    )
                )
            _insert(
                cursor,
                "orgs_person",
                "id_number, name, sex, birth_date, unit_id, category, title_level, position,"
                " phone, status, hired_on, created_at, updated_at",
                people,
            )
            marks = ", ".join(["%s"] * len(people))
            cursor.execute(
                f"SELECT id FROM orgs_person WHERE id_number IN ({marks})",
                [p[0] for p in people],
            )
            ids = [row[0] for row in cursor.fetchall()]
            entries = []
            for pid in ids:
                for seq in range(1, ENTRIES_PER_PERSON + 1):
                    day = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(300))
                    entries.append(
                        (
                            pid,
                            seq,
                            2026,
                            day,
                            day,
                            json.dumps(rng.choice(CATEGORY_SETS)),
                            rng.choice(["0.5", "1", "2", "3", "6", "7.5"]),
                            "hours",
                            "",
                            "",
                            "bench",
                            str(seq),
                            "",
                            "",
                            now,
                            "0" * 64,
                            "0" * 64,
                            False,
                        )
                    )
            columns = (
                "person_id, seq, period, first_day, last_day, categories, amount, unit, kind,"
                " artefact_key, source_type, source_id, description, evidence, created_at,"
                " prev_hash, hash, artefact_exclusive"
            )
            _insert(cursor, "ledger_entry", columns, entries)
            _insert(
                cursor,
                "ledger_chain",
                "person_id, last_seq, last_hash",
                [(pid, ENTRIES_PER_PERSON, "0" * 64) for pid in ids],
            )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
        else:
            # Fold the bulk insert's write-ahead log into the database before anything is timed.
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.execute("ANALYZE")
    return time.perf_counter() - began
