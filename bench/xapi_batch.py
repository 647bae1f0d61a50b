"""Benchmark (g): an xAPI batch POST of 1,000 statements, beside a raw insert of the same rows.

Builds a throwaway database (see _population: SQLite under /tmp, or a PostgreSQL database whose
name contains "bench") with the shipped rule sets, PEOPLE people (20 ledger entries each), a
provider serving them, ROUNDS courses, a registered platform and each course's activity id mapped.
Then, ROUNDS times (a new course each round, so every completion is new):

- **xAPI, completions**: POST /xapi/statements with 1,000 `completed` statements, one per person,
  in-process through Django's test client (the whole request: Basic authentication, the version
  header, JSON, validation of every statement, the id-conflict check, each learner found in the
  provider's scope, 1,000 ledger entries through `ledger.bulk.post_entries` — hash chains, totals,
  standings judged, an audit record each — and 1,000 statements stored with what became of each);
- **xAPI, the same batch again**: every statement already stored with the same content: nothing
  changes;
- **xAPI, not completions**: 1,000 `experienced` statements (validated and stored, no credit);
- **the ledger's writer alone**: the same number of entries (one per person, another source) by
  `ledger.bulk.post_entries` called directly — what the credited batch spends in the ledger;
- **xAPI, multipart with an attachment**: 1,000 `experienced` statements that each name one
  attachment (a 256 KiB certificate), sent once as a part of a multipart/mixed request (parsed,
  its hash checked, matched against every statement, kept in a file under a /tmp MEDIA_ROOT);
- **raw**: the same 1,000 statement rows (every column the LRS stores, JSON included) by one
  `executemany` (COPY on PostgreSQL) into a bare copy of the statement table, in one transaction.

    XUEFEN_SQLITE_PATH=/tmp/xuefen_bench_i13xapi.sqlite3 .venv/bin/python bench/xapi_batch.py \
        [--people 1000] [--rounds 3]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/xuefen_bench_i13xapi \
        .venv/bin/python bench/xapi_batch.py
"""

# _population sets Django up, so it comes before the Django imports.
# ruff: noqa: I001

import argparse
import base64
import datetime as dt
import hashlib
import json
import secrets
import statistics
import tempfile
import time
import uuid
from decimal import Decimal

from _population import _insert, add_people, fresh_database, region_and_unit

from django.conf import settings
from django.db import connection, transaction
from django.test import Client as HttpClient
from django.test.utils import setup_test_environment

from xuefen.core.actors import SYSTEM
from xuefen.intake.models import Provider
from xuefen.ledger import bulk
from xuefen.ledger.models import Entry
from xuefen.orgs.models import OrgNode, Person
from xuefen.training.models import Course
from xuefen.xapi import actions
from xuefen.xapi.models import Statement

HOME = "https://learn.bench.example.cn"
ADL = "http://adlnet.gov/expapi/verbs/"
COLUMNS = (
    "statement_id, client_id, stored, timestamp, verb_id, actor_ifi, object_type, object_id,"
    " related_activities, related_agents, voided, timestamp_given, data, outcome, note"
)


def statements(ids: list[str], verb: str, activity: str) -> list[dict]:
    return [
        {
            "id": str(uuid.uuid4()),
            "actor": {
                "objectType": "Agent",
                "name": "学员",
                "account": {"homePage": HOME, "name": n},
            },
            "verb": {"id": ADL + verb, "display": {"zh-CN": verb}},
            "object": {
                "objectType": "Activity",
                "id": activity,
                "definition": {"name": {"zh-CN": "基准网络课程"}},
            },
            "result": {"completion": True, "success": True, "duration": "PT45M"},
            "timestamp": "2026-10-01T10:00:00+08:00",
        }
        for n in ids
    ]


def raw_rows(batch: list[dict], client_id: int) -> list[tuple]:
    now = dt.datetime.now(dt.UTC)
    stored = now if connection.vendor == "postgresql" else now.isoformat()
    rows = []
    for s in batch:
        ifi = f"account:{HOME}|{s['actor']['account']['name']}"
        sid = uuid.UUID(s["id"])
        rows.append(
            (
                sid if connection.vendor == "postgresql" else sid.hex, client_id, stored, stored,
                s["verb"]["id"], ifi, "Activity", s["object"]["id"], f"\n{s['object']['id']}\n",
                f"\n{ifi}\n", False, True, json.dumps(s, ensure_ascii=False), "credited", "",
            )
        )  # fmt: skip
    return rows


def post(http: HttpClient, auth: str, batch: list[dict]) -> float:
    body = json.dumps(batch)
    began = time.perf_counter()
    response = http.post(
        "/xapi/statements", body, content_type="application/json",
        headers={"Authorization": auth, "X-Experience-API-Version": "1.0.3"},
    )  # fmt: skip
    took = time.perf_counter() - began
    assert response.status_code == 200, response.content[:300]
    return took


def post_multipart(http: HttpClient, auth: str, batch: list[dict], data: bytes) -> float:
    """The batch with `data` as the one attachment part every statement names."""
    digest = hashlib.sha256(data).hexdigest()
    attachment = {
        "usageType": "http://id.tincanapi.com/attachment/certificate-of-completion",
        "display": {"zh-CN": "结业证书"},
        "contentType": "application/pdf",
        "length": len(data),
        "sha2": digest,
    }
    for statement in batch:
        statement["attachments"] = [attachment]
    boundary = secrets.token_hex(12).encode()
    body = b"".join(
        [
            b"--" + boundary + b"\r\nContent-Type: application/json\r\n\r\n",
            json.dumps(batch).encode(),
            b"\r\n--" + boundary + b"\r\nContent-Type: application/pdf\r\n"
            b"Content-Transfer-Encoding: binary\r\nX-Experience-API-Hash: " + digest.encode(),
            b"\r\n\r\n" + data + b"\r\n--" + boundary + b"--\r\n",
        ]
    )
    began = time.perf_counter()
    response = http.post(
        "/xapi/statements", body, content_type=f"multipart/mixed; boundary={boundary.decode()}",
        headers={"Authorization": auth, "X-Experience-API-Version": "1.0.3"},
    )  # fmt: skip
    took = time.perf_counter() - began
    assert response.status_code == 200, response.content[:300]
    return took


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    setup_test_environment()
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="xuefen_bench_i13xapi_files_")
    fresh_database()
    unit = region_and_unit()
    add_people(unit, 0, args.people)
    region = OrgNode.objects.get(code="BENCH")
    provider = Provider.objects.create(code="BX", name="基准学院", node=region, serves=region)
    client, secret = actions.create_client(SYSTEM, provider, name="基准平台", home_page=HOME)
    auth = "Basic " + base64.b64encode(f"{client.key}:{secret}".encode()).decode()
    ids = list(Person.objects.order_by("id").values_list("id_number", flat=True)[: args.people])
    http = HttpClient(HTTP_HOST="localhost")
    http.get("/xapi/about")  # the first request imports the URL conf: not timed
    timings: dict[str, list[float]] = {
        "credit": [], "again": [], "store": [], "multipart": [], "raw": [], "writer": []
    }  # fmt: skip
    person_ids = list(Person.objects.order_by("id").values_list("id", flat=True)[: args.people])
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_raw_statement AS SELECT * FROM xapi_statement WHERE 1=0")
    for n in range(args.rounds):
        course = Course.objects.create(
            provider=provider, code=f"BX{n}", name=f"基准课程{n}", categories=["elective", "online"],
            amount=Decimal("1"), unit="hours", starts_on=dt.date(2026, 1, 1),
        )  # fmt: skip
        activity = f"{HOME}/courses/{n}"
        actions.map_activity(SYSTEM, client, activity_id=activity, course=course)
        completions = statements(ids, "completed", activity)
        before = Entry.objects.count()
        timings["credit"].append(post(http, auth, completions))
        assert Entry.objects.count() - before == len(ids), "every completion credited once"
        timings["again"].append(post(http, auth, completions))
        assert Entry.objects.count() - before == len(ids), "nothing credited twice"
        timings["store"].append(post(http, auth, statements(ids, "experienced", activity)))
        certificate = secrets.token_bytes(256 * 1024)
        batch = statements(ids, "experienced", activity)
        timings["multipart"].append(post_multipart(http, auth, batch, certificate))
        items = [
            bulk.NewEntry(
                person_id=pid,
                last_day=dt.date(2026, 10, 1),
                categories=("elective", "online"),
                amount=Decimal("1"),
                unit="hours",
                source_type="bench",
                source_id=f"W{n}",
            )
            for pid in person_ids
        ]
        began = time.perf_counter()
        bulk.post_entries(SYSTEM, items)
        timings["writer"].append(time.perf_counter() - began)
        rows = raw_rows(statements(ids, "completed", activity), client.pk)
        began = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            _insert(cursor, "bench_raw_statement", COLUMNS, rows)
        timings["raw"].append(time.perf_counter() - began)
        print(
            f"round {n + 1}: credit {timings['credit'][-1] * 1000:.0f} ms, again "
            f"{timings['again'][-1] * 1000:.0f} ms, store {timings['store'][-1] * 1000:.0f} ms, "
            f"multipart {timings['multipart'][-1] * 1000:.0f} ms, "
            f"raw {timings['raw'][-1] * 1000:.0f} ms, writer {timings['writer'][-1] * 1000:.0f} ms",
            flush=True,
        )
    raw = statistics.median(timings["raw"])
    print(f"\n{connection.vendor}, {len(ids)} statements per batch, median of {args.rounds}:")
    print("| step | ms | statements/s | ÷ raw |")
    print("|---|---:|---:|---:|")
    for key, label in (
        ("raw", "raw insert of the same rows"),
        ("writer", "the ledger's writer alone: 1,000 entries (post_entries)"),
        ("credit", "xAPI POST, 1,000 completions credited"),
        ("again", "xAPI POST, the same batch again (nothing changes)"),
        ("store", "xAPI POST, 1,000 statements that credit nothing"),
        ("multipart", "xAPI POST multipart/mixed, 1,000 statements + one 256 KiB attachment"),
    ):
        took = statistics.median(timings[key])
        print(f"| {label} | {took * 1000:.0f} | {len(ids) / took:,.0f} | {took / raw:.1f} |")
    print(f"statements stored: {Statement.objects.count()}, xapi entries: "
          f"{Entry.objects.filter(source_type='xapi').count()}")  # fmt: skip


if __name__ == "__main__":
    main()
