"""Benchmark (b): post one entry, then read that person's compliance, at 10k and at 100k people.
The time per operation should not grow with the population (every step is per person, indexed).

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

from django.db import connection

from xuefen.core.actors import SYSTEM
from xuefen.ledger.actions import post_entry
from xuefen.ledger.models import Standing
from xuefen.orgs.models import Person
from xuefen.ledger.judging import evaluate_person as person_compliance


def measure(ids: list[int], ops: int, tag: str) -> tuple[float, float, float]:
    rng = random.Random(11)
    post_ms: list[float] = []
    read_ms: list[float] = []
    standing_ms: list[float] = []
    for n in range(ops):
        pid = rng.choice(ids)
        began = time.perf_counter()
        person = Person.objects.select_related("unit").get(pk=pid)
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
    return statistics.median(post_ms), statistics.median(standing_ms), statistics.median(read_ms)


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
    print(f"{'people':>8} {'post_entry':>11} {'read Standing':>14} {'person_compliance':>18}")
    for size in sizes:
        add_people(unit, have, size - have)
        have = size
        ids = list(Person.objects.values_list("id", flat=True))
        post, standing, read = measure(ids, args.ops, f"s{size}")
        print(f"{size:>8} {post:>11.2f} {standing:>14.2f} {read:>18.2f}")


if __name__ == "__main__":
    main()
