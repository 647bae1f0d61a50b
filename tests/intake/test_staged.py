"""The set-based roster path: plain rows validated by joins and staged for the ledger straight from
the staged rows write exactly what the row-by-row path writes for them — entries, audit records,
totals, batch rows — and the rows it is not sure of keep their refusals in their own words."""

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone

from tests import factories as f
from tests.intake import helpers as h
from xuefen.audit.models import AuditEvent
from xuefen.intake import processing
from xuefen.intake.actions import submit_batch
from xuefen.intake.models import StagedRow
from xuefen.ledger import sql
from xuefen.ledger.models import Entry, Total
from xuefen.ledger.verify import verify

NOW = dt.datetime(2026, 11, 20, 4, 0, tzinfo=dt.UTC)


class _Rollback(Exception):
    pass


def _rows(cast, people):
    rows = [h.row(p, "C2") for p in people]  # plain rows
    rows += [h.row(p, "C2", day="2026-04-02") for p in people[:3]]  # a second entry each
    rows.append(h.row(people[0], "C2"))  # the same completion again: a duplicate
    rows.append(
        h.row(people[1], "C2", amount="1.5")
    )  # one by one; the same completion: a duplicate
    rows.append([people[2].id_number, "别人", "C2", "2026-03-03", ""])  # wrong name
    rows.append(h.row(people[3], "NOPE"))  # unknown course
    rows.append(h.row(people[4], "C2", day="2025-12-30"))  # before the course starts
    number = people[5].id_number  # its check digit changed (the factory's own may be X)
    wrong = "X" if number[-1] != "X" else "0"
    rows.append([number[:-1] + wrong, "", "C2", "2026-03-01", ""])  # check digit
    rows.append(h.row(people[5], "C2", day="2026-12-01"))  # in the future
    return rows


def _run(intake, rows, *, plain: bool):
    """The ledger and batch rows one path writes, rolled back after its snapshot."""
    taken = {}
    stage = processing._stage_plain_rows if plain else (lambda *a, **k: 0)
    with (
        mock.patch.object(timezone, "now", return_value=NOW),
        mock.patch.object(processing, "_stage_plain_rows", side_effect=stage),
    ):
        try:
            with transaction.atomic():
                batch = submit_batch(
                    intake.pat, intake.pa, upload=h.csv_upload(rows), source="upload"
                )
                done = processing.process_batch(batch.pk, chunk_rows=7)
                assert done.status == "done"
                assert list(verify()) == []
                assert not StagedRow.objects.filter(batch_id=batch.pk).exists()
                taken["counts"] = (done.posted_rows, done.duplicate_rows, done.error_rows)
                taken["entries"] = [
                    {c: getattr(e, c) for c in sql.columns(Entry) if c not in SKIP}
                    for e in Entry.objects.order_by("person_id", "seq")
                ]
                taken["totals"] = sorted(
                    Total.objects.values_list("person_id", "period", "category", "unit", "amount")
                )
                taken["audit"] = sorted(
                    # the note names the batch, numbered anew on PostgreSQL
                    (
                        e.person_id,
                        e.action,
                        e.object_repr,
                        sorted((k, v) for k, v in e.changes.items() if k != "note"),
                    )
                    for e in AuditEvent.objects.filter(object_type="ledger.entry")
                )
                key = {e.pk: (e.person_id, e.seq) for e in Entry.objects.all()}
                taken["rows"] = [
                    (
                        r.row_number,
                        r.status,
                        r.person_id,
                        r.id_number_masked,
                        r.course_code,
                        r.first_day,
                        r.completed_on,
                        r.days,
                        key.get(r.entry_id),
                        [(e["code"], e["field"], e["message"]) for e in r.errors],
                        r.sent,
                    )
                    for r in done.rows.order_by("row_number")
                ]
                raise _Rollback
        except _Rollback:
            pass
    return taken


# Columns that name the batch (evidence: "intake batch #N row R") or follow from it (the hash).
SKIP = {"evidence", "hash", "prev_hash"}


@pytest.fixture
def people(cast, intake):
    h.course(intake.pa, "C2", kind="online_course", amount=Decimal("4"))
    return [f.person(cast.unit_a, f"学员{i}") for i in range(8)]


def test_plain_rows_set_based_write_what_the_row_by_row_path_writes(cast, intake, people):
    rows = _rows(cast, people)
    with mock.patch.object(
        processing, "validate_chunk", side_effect=processing.validate_chunk
    ) as one_by_one:
        fast = _run(intake, rows, plain=True)
        checked_fast = sum(len(c.args[1]) for c in one_by_one.call_args_list)
        one_by_one.reset_mock()
        slow = _run(intake, rows, plain=False)
        checked_slow = sum(len(c.args[1]) for c in one_by_one.call_args_list)
    # The set-based path took the plain rows; only the others were checked one by one.
    assert checked_slow == len(rows)
    assert checked_fast < len(rows) - 8
    assert fast["counts"] == slow["counts"] == (11, 2, 5)
    for part in ("entries", "totals", "audit", "rows"):
        assert fast[part] == slow[part], part
    refusals = sorted(e[0] for r in fast["rows"] if r[1] == "error" for e in r[9])
    assert refusals == [
        "course_unknown",
        "date_future",
        "date_outside_course",
        "id_check_digit",
        "name_mismatch",
    ]
