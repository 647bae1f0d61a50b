"""The upgrade a county makes: a ledger written before credits had spans (one activity date, a
standing that was only met or not) goes through `xuefen setup`; afterwards every chain verifies,
every entry is a one-day span without days, and a recompute changes nothing."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests import factories as f
from xuefen.audit.models import AuditEvent
from xuefen.core.actors import SYSTEM
from xuefen.ledger.models import GENESIS, Entry, Standing, chain_hash
from xuefen.ledger.recompute import recompute
from xuefen.ledger.verify import verify
from xuefen.orgs.models import OrgNode, Person
from xuefen.policy.actions import import_ruleset
from xuefen.policy.shipped import shipped_texts

BEFORE_SPANS = ("ledger", "0002_entry_append_only")
OLD_COLUMNS = (
    "person_id", "seq", "period", "activity_date", "categories", "amount", "unit", "kind",
    "artefact_key", "source_type", "source_id", "description", "evidence", "approved_by_id",
    "approved_at", "reverses_id", "created_by_id", "created_at", "prev_hash", "hash",
)  # fmt: skip


def _old_rows(person: Person, specs: list[tuple[dt.date, list[str], str]], at: dt.datetime):
    """Entries as the ledger wrote them before spans, each hashed as it was then."""
    rows, prev = [], GENESIS
    for seq, (day, categories, amount) in enumerate(specs, start=1):
        hashed = {
            "person": person.pk, "seq": seq, "period": day.year,
            "activity_date": day.isoformat(), "categories": sorted(categories),
            "amount": f"{Decimal(amount):.2f}", "unit": "hours", "kind": "", "artefact_key": "",
            "source_type": "class", "source_id": str(seq), "description": "党校培训班",
            "evidence": "", "approved_by": None, "approved_at": None, "reverses": None,
            "created_at": at.isoformat(),
        }  # fmt: skip
        digest = chain_hash(hashed, prev)
        rows.append(
            (person.pk, seq, day.year, connection.ops.adapt_datefield_value(day),
             json.dumps(categories), amount, "hours", "", "", "class", str(seq), "党校培训班", "",
             None, None, None, None, connection.ops.adapt_datetimefield_value(at), prev, digest)
        )  # fmt: skip
        prev = digest
    return rows, prev


@pytest.mark.usefixtures("append_only_flush")
def test_a_ledger_from_before_spans_verifies_and_recomputes_to_nothing_after_setup(
    settings, tmp_path
):
    settings.STATIC_ROOT = tmp_path / "static"
    region = f.node("示范县", OrgNode.Kind.REGION, code="R")
    unit = f.node("财政局机关", OrgNode.Kind.UNIT, region, code="A")
    import_ruleset(SYSTEM, shipped_texts()["cadre_township"], region)
    people = [
        f.person(unit, "李明", category="township"),
        f.person(unit, "林娜", category="township"),
    ]
    at = timezone.now().replace(microsecond=0)
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE_SPANS])
    specs = {
        people[0].pk: [(dt.date(2026, 3, 2), ["required", "offline"], "60"),
                       (dt.date(2026, 5, 8), ["required", "offline"], "30")],
        people[1].pk: [(dt.date(2025, 11, 3), ["elective", "online"], "12")],
    }  # fmt: skip
    with connection.cursor() as cursor:
        for person in people:
            rows, head = _old_rows(person, specs[person.pk], at)
            marks = ", ".join(["%s"] * len(OLD_COLUMNS))
            cursor.executemany(
                f"INSERT INTO ledger_entry ({', '.join(OLD_COLUMNS)}) VALUES ({marks})",  # noqa: S608
                rows,
            )
            cursor.execute(
                "INSERT INTO ledger_chain (person_id, last_seq, last_hash) VALUES (%s, %s, %s)",
                [person.pk, len(rows), head],
            )
            cursor.execute(
                "INSERT INTO ledger_standing (person_id, period, met, grade, earned, ruleset,"
                " evaluated_at) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                [person.pk, 2026, True, "pass", "90", "cadre_township v1",
                 connection.ops.adapt_datetimefield_value(at)],
            )  # fmt: skip
        cursor.execute("SELECT id, person_id FROM ledger_entry")
        for entry_id, person_id in cursor.fetchall():
            AuditEvent.objects.create(
                actor_name="system", action=AuditEvent.Action.POST, object_type="ledger.entry",
                object_id=str(entry_id), person_id=person_id, node_path=unit.path,
            )  # fmt: skip

    call_command("setup", "--no-demo", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert list(verify()) == []
    spans = set(Entry.objects.values_list("first_day", "last_day", "days"))
    assert all(first == last and days is None for first, last, days in spans)
    assert recompute() == (0, 0)
    # The old standings follow the new judgement: 90 学时 of classes without the 集中培训 tag and
    # without days recorded do not make the yearly 12 days or 90 学时 of 集中培训.
    statuses = dict(Standing.objects.filter(period=2026).values_list("person_id", "status"))
    assert statuses == {people[0].pk: "short", people[1].pk: "short"}
