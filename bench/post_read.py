"""Benchmark (b): post one entry, then read that person's compliance, at 10k and at 100k people.
The time per operation should not grow with the population (every step is per person, indexed).
Beside each post, the same writes by hand-written SQL (`raw_post`), and the ratio of the medians.

    .venv/bin/python bench/post_read.py [--sizes 10000,100000] [--ops 300]
"""

# _population sets Django up, so it comes before the Django imports.
# ruff: noqa: I001

import argparse
import datetime as dt
import random
import statistics
import time

from _population import add_people, fresh_database, region_and_unit

from django.db import connection, transaction
from django.utils import timezone

from xuefen.core.actors import SYSTEM
from xuefen.ledger.actions import post_entry
from xuefen.ledger.models import Standing
from xuefen.orgs.models import Person
from xuefen.ledger.judging import evaluate_person as person_compliance


def raw_post(pid: int, source_id: str) -> None:
    """The floor: the same writes by hand-written SQL, in one transaction — the entry, its chain
    head, its three totals, the standing (a fixed verdict) and an audit record — nothing read,
    checked or judged."""
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT last_seq FROM ledger_chain WHERE person_id = %s", [pid])
        seq = cursor.fetchone()[0] + 1
        cursor.execute(
            "INSERT INTO ledger_entry (person_id, seq, period, first_day, last_day, categories,"
            " amount, unit, kind, artefact_key, source_type, source_id, description, evidence,"
            " created_at, prev_hash, hash, artefact_exclusive)"
            " VALUES (%s, %s, 2026, %s, %s, %s, 1, 'hours', '', '', 'raw', %s, '', '', %s, %s,"
            " %s, %s)",
            [pid, seq, dt.date(2026, 10, 1), dt.date(2026, 10, 1), '["elective", "online"]',
             source_id, now, "0" * 64, "1" * 64, False],
        )  # fmt: skip
        cursor.execute(
            "UPDATE ledger_chain SET last_seq = %s, last_hash = %s WHERE person_id = %s",
            [seq, "1" * 64, pid],
        )
        cursor.execute(
            "INSERT INTO ledger_total (person_id, period, category, unit, amount) VALUES"
            " (%s, 2026, 'elective', 'hours', 1), (%s, 2026, 'online', 'hours', 1),"
            " (%s, 2026, '*', 'hours', 1) ON CONFLICT (person_id, period, category, unit)"
            " DO UPDATE SET amount = ledger_total.amount + excluded.amount",
            [pid, pid, pid],
        )
        cursor.execute(
            "INSERT INTO ledger_standing (person_id, period, status, grade, earned, ruleset,"
            " shortfalls, evaluated_at) VALUES (%s, 2026, 'short', 'fail', 1, 'x v1', '[]', %s)"
            " ON CONFLICT (person_id, period) DO UPDATE SET earned = excluded.earned,"
            " evaluated_at = excluded.evaluated_at",
            [pid, now],
        )
        cursor.execute(
            "INSERT INTO audit_auditevent (at, actor_name, action, object_type, object_id,"
            " object_repr, changes, node_path, person_id) VALUES (%s, 'system', 'post',"
            " 'ledger.entry', '0', 'raw', '{}', '/', %s)",
            [now, pid],
        )


def measure(ids: list[int], ops: int, tag: str) -> tuple[float, float, float, float]:
    rng = random.Random(11)
    post_ms: list[float] = []
    read_ms: list[float] = []
    standing_ms: list[float] = []
    raw_ms: list[float] = []
    for n in range(ops):
        pid = rng.choice(ids)
        began = time.perf_counter()
        raw_post(pid, f"{tag}-{n}")
        raw_ms.append((time.perf_counter() - began) * 1000)
        person = Person.objects.select_related("unit").get(pk=pid)  # (the caller's, not timed)
        began = time.perf_counter()
        post_entry(
            SYSTEM,
            person,
            last_day=dt.date(2026, 10, 1),
            categories=["elective", "online"],
            amount="1",
            unit="hours",
            source_type="bench",
            source_id=f"{tag}-{n}",
        )
        post_ms.append((time.perf_counter() - began) * 1000)
        began = time.perf_counter()
        Standing.objects.get(person_id=pid, period=2026)
        standing_ms.append((time.perf_counter() - began) * 1000)
        began = time.perf_counter()
        person_compliance(person, 2026)
        read_ms.append((time.perf_counter() - began) * 1000)
    return (
        statistics.median(post_ms),
        statistics.median(raw_ms),
        statistics.median(standing_ms),
        statistics.median(read_ms),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--ops", type=int, default=300)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"database: {connection.vendor}; {args.ops} operations per size, median ms")
    fresh_database()
    unit = region_and_unit()
    have = 0
    print(
        f"{'people':>8} {'post_entry':>11} {'raw SQL':>8} {'ratio':>6} {'read Standing':>14}"
        f" {'person_compliance':>18}"
    )
    for size in sizes:
        add_people(unit, have, size - have)
        have = size
        ids = list(Person.objects.values_list("id", flat=True))
        post, raw, standing, read = measure(ids, args.ops, f"s{size}")
        print(
            f"{size:>8} {post:>11.2f} {raw:>8.2f} {post / raw:>6.2f} {standing:>14.2f}"
            f" {read:>18.2f}"
        )


if __name__ == "__main__":
    main()
