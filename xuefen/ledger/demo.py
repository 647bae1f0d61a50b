"""Demo ledger for the county: 2025 and 2026 (to late November) of classes, online courses, exams
and papers for every demo person, seeded. Some people meet their targets and some fall short.

Fast: entries are built in memory with their hash chains and inserted with plain multi-row
INSERTs (table and column names are constants here); totals and standings are then built
set-based by the recompute code, exactly as `xuefen recompute` would.
"""

import datetime as dt
import json
import random
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import connection

from xuefen.accounts.models import User
from xuefen.audit.models import AuditEvent
from xuefen.ledger.models import GENESIS, Chain, Entry
from xuefen.ledger.recompute import recompute
from xuefen.orgs.models import Person

SEED = 20261124
LAST_DAY = {2025: dt.date(2025, 12, 20), 2026: dt.date(2026, 11, 16)}
BATCH = 2000
ENTRY_COLUMNS = [
    "person_id", "seq", "period", "activity_date", "categories", "amount", "unit", "kind",
    "artefact_key", "source_type", "source_id", "description", "evidence", "approved_by_id",
    "approved_at", "reverses_id", "created_by_id", "created_at", "prev_hash", "hash",
]  # fmt: skip
AUDIT_COLUMNS = [
    "at", "actor_id", "actor_name", "address", "action", "object_type", "object_id",
    "object_repr", "changes", "node_path", "person_id",
]  # fmt: skip

PARTY_CLASSES = [
    "县委党校中青年干部培训班",
    "县委党校科级干部进修班",
    "学习贯彻党的二十届三中全会精神专题班",
    "乡村振兴专题培训班",
]
TOPIC_CLASSES = [
    "基层治理能力提升专题培训",
    "安全生产专题培训",
    "依法行政专题培训",
    "财经法规专题培训",
]
ONLINE_COURSES = [
    "习近平新时代中国特色社会主义思想概论",
    "全面从严治党专题讲座",
    "数字政府建设与政务服务",
    "中华优秀传统文化",
    "新质生产力解读",
    "保密知识与保密管理",
    "突发事件应对与舆情处置",
    "心理健康与压力管理",
]
PUBLIC_COURSES = [
    "专业技术人员职业道德与诚信建设",
    "人工智能与数字经济",
    "知识产权保护",
    "专业技术人员心理健康",
    "法治素养提升",
]
PRO_TRAINING = ["市级专业技术骨干研修班", "新技术新方法培训班", "学术年会", "专业技能提升培训"]


def _activities(
    rng: random.Random, person: Person, year: int
) -> list[tuple[str, list[str], Decimal, str, str, str]]:
    """(kind, categories, amount, description, source type, artefact key) for one person's year."""
    cadre = person.category != Person.Category.PROFESSIONAL
    # How diligent this person is this year: most reach the target, a fair share falls short.
    effort = rng.triangular(0.35, 1.5, 1.1)
    out: list[tuple[str, list[str], Decimal, str, str, str]] = []
    if cadre:
        goal = Decimal(110 if person.category == Person.Category.COUNTY else 90) * Decimal(
            f"{effort:.2f}"
        )
        earned = Decimal(0)
        if rng.random() < 0.7:
            days = rng.choice([2, 3, 4, 5])
            amount = Decimal("7.5") * days
            out.append(
                (
                    "party_school_day",
                    ["required", "offline"],
                    amount,
                    rng.choice(PARTY_CLASSES),
                    "class",
                    "",
                )
            )
            earned += amount
        while earned < goal:
            r = rng.random()
            if r < 0.2:
                amount = Decimal("7.5") * rng.choice([1, 2])
                out.append(
                    (
                        "training_day",
                        ["required", "offline"],
                        amount,
                        rng.choice(TOPIC_CLASSES),
                        "class",
                        "",
                    )
                )
            elif r < 0.9:
                amount = Decimal(rng.choice(["2", "3", "4", "6"]))
                out.append(
                    (
                        "online_course",
                        ["elective", "online"],
                        amount,
                        rng.choice(ONLINE_COURSES),
                        "elearning",
                        "",
                    )
                )
            else:
                amount = Decimal("0.5")
                out.append(
                    ("online_test", ["elective", "online"], amount, "网络课程结业测试", "exam", "")
                )
            earned += amount
        return out
    factor = Decimal(f"{effort:.2f}")
    public_goal, pro_goal = Decimal(30) * factor, Decimal(60) * factor
    earned = Decimal(0)
    while earned < public_goal:
        amount = Decimal(rng.choice(["4", "6", "8"]))
        out.append(
            (
                "public_training",
                ["public", "online"],
                amount,
                rng.choice(PUBLIC_COURSES),
                "elearning",
                "",
            )
        )
        earned += amount
    earned = Decimal(0)
    while earned < pro_goal:
        r = rng.random()
        if r < 0.75:
            amount = Decimal(rng.choice(["6", "12", "18", "24"]))
            out.append(
                (
                    "professional_training",
                    ["professional", "offline"],
                    amount,
                    rng.choice(PRO_TRAINING),
                    "class",
                    "",
                )
            )
        elif r < 0.9:
            amount = Decimal(10)
            out.append(("exam", ["professional"], amount, "专业课程考核通过", "exam", ""))
        else:
            amount = Decimal(rng.choice([12, 24]))
            key = f"paper-{person.pk}-{year}-{len(out)}"
            out.append(("paper", ["professional"], amount, "发表专业论文", "claim", key))
        earned += amount
    return out


def _entry(person: Person, seq: int, prev: str, office: User | None, **fields: object) -> Entry:
    entry = Entry(
        person=person, seq=seq, prev_hash=prev, approved_by=office, created_by=office, **fields
    )
    entry.hash = entry.compute_hash()
    return entry


def _insert(table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Plain INSERTs (COPY on PostgreSQL): the ORM's bulk_create spends most of the demo's time
    building SQL."""
    names = ", ".join(columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[start : start + BATCH])


def _entry_row(e: Entry) -> tuple[Any, ...]:
    ops = connection.ops
    return (
        e.person_id, e.seq, e.period, ops.adapt_datefield_value(e.activity_date),
        json.dumps(e.categories), ops.adapt_decimalfield_value(e.amount, 9, 2), e.unit, e.kind,
        e.artefact_key, e.source_type, e.source_id, e.description, e.evidence, e.approved_by_id,
        ops.adapt_datetimefield_value(e.approved_at), e.reverses_id, e.created_by_id,
        ops.adapt_datetimefield_value(e.created_at), e.prev_hash, e.hash,
    )  # fmt: skip


def _audit_rows(
    entries: list[Entry],
    ids: dict[tuple[int, int], int],
    office: User | None,
    paths: dict[int, str],
) -> list[tuple[Any, ...]]:
    """The audit record post_entry / reverse_entry would have written for each entry."""
    ops = connection.ops
    name = office.get_username() if office else "system"
    return [
        (
            ops.adapt_datetimefield_value(e.created_at),
            office.pk if office else None,
            name,
            None,
            AuditEvent.Action.REVERSE if e.reverses_id else AuditEvent.Action.POST,
            Entry._meta.label_lower,
            str(ids[(e.person_id, e.seq)]),
            str(e)[:200],
            json.dumps({"amount": str(e.amount), "period": e.period, "demo": True}),
            paths[e.person_id],
            e.person_id,
        )
        for e in entries
    ]


def _ids() -> dict[tuple[int, int], int]:
    return {(p, q): i for p, q, i in Entry.objects.values_list("person_id", "seq", "id")}


def load(write: Callable[[str], object]) -> None:
    began = time.perf_counter()
    rng = random.Random(SEED)
    office = User.objects.filter(username="office").first()
    people = list(Person.objects.select_related("unit").order_by("id"))
    entries: list[Entry] = []
    heads: dict[int, tuple[int, str, Entry]] = {}
    for person in people:
        planned = []
        for year in (2025, 2026):
            if year == 2025 and rng.random() < 0.3:
                continue  # not everyone's 2025 is on record
            start = dt.date(year, 1, 5)
            span = (LAST_DAY[year] - start).days
            for n, (kind, cats, amount, text, source, artefact) in enumerate(
                _activities(rng, person, year)
            ):
                day = start + dt.timedelta(days=rng.randrange(span))
                planned.append((day, year, n, kind, cats, amount, text, source, artefact))
        planned.sort(key=lambda p: (p[0], p[2]))
        prev = GENESIS
        for seq, (day, year, n, kind, cats, amount, text, source, artefact) in enumerate(
            planned, 1
        ):
            created = dt.datetime.combine(
                day + dt.timedelta(days=rng.randrange(1, 5)), dt.time(2, 30), tzinfo=dt.UTC
            )
            entry = _entry(
                person,
                seq,
                prev,
                office,
                period=year,
                activity_date=day,
                categories=cats,
                amount=amount,
                unit="hours",
                kind=kind,
                artefact_key=artefact,
                source_type=source,
                source_id=f"demo-{year}-{n}",
                description=text,
                evidence="demo",
                approved_at=created,
                created_at=created,
            )
            entries.append(entry)
            prev = entry.hash
            heads[person.pk] = (seq, prev, entry)
    _insert("ledger_entry", ENTRY_COLUMNS, [_entry_row(e) for e in entries])
    ids = _ids()

    # A few corrections: about one person in a hundred has their latest entry reversed.
    reversals: list[Entry] = []
    for person in people:
        if person.pk not in heads or rng.random() >= 0.01:
            continue
        seq, prev, last = heads[person.pk]
        created = last.created_at + dt.timedelta(days=2)
        reversal = _entry(
            person,
            seq + 1,
            prev,
            office,
            period=last.period,
            activity_date=last.activity_date,
            categories=list(last.categories),
            amount=-last.amount,
            unit=last.unit,
            kind=last.kind,
            artefact_key=last.artefact_key,
            source_type="reversal",
            source_id=str(ids[(person.pk, seq)]),
            description="重复报送，冲销",
            evidence="",
            approved_at=created,
            created_at=created,
            reverses_id=ids[(person.pk, seq)],
        )
        reversals.append(reversal)
        heads[person.pk] = (seq + 1, reversal.hash, reversal)
    _insert("ledger_entry", ENTRY_COLUMNS, [_entry_row(e) for e in reversals])
    ids = _ids()
    Chain.objects.bulk_create(
        [
            Chain(person_id=pid, last_seq=seq, last_hash=digest)
            for pid, (seq, digest, _e) in heads.items()
        ],
        batch_size=BATCH,
    )
    _insert(
        "audit_auditevent",
        AUDIT_COLUMNS,
        _audit_rows(entries + reversals, ids, office, {p.pk: p.unit.path for p in people}),
    )
    totals, standings = recompute()
    write(
        f"ledger: {len(entries) + len(reversals)} entries ({len(reversals)} reversals) for "
        f"{len(heads)} people; {totals} totals, {standings} standings "
        f"({time.perf_counter() - began:.1f} s)"
    )
