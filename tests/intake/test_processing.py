"""Processing a batch: each row validated, posted once, duplicates recognised, errors named."""

import datetime as dt
from decimal import Decimal

import pytest

from tests import factories as f
from tests.intake import helpers as h
from xuefen.intake.actions import submit_batch
from xuefen.intake.models import Batch, BatchRow
from xuefen.intake.processing import process_batch
from xuefen.ledger.models import Entry, Total


def wrong_check(number):
    return number[:-1] + ("1" if number[-1] == "0" else "0")


def send(intake, upload=None, rows=None, source="upload"):
    batch = submit_batch(intake.pat, intake.pa, upload=upload, rows=rows, source=source)
    return process_batch(batch.pk)


def errors_of(batch):
    return {r.row_number: [e["code"] for e in r.errors] for r in batch.rows.filter(status="error")}


def test_a_good_roster_posts_one_entry_per_row(cast, intake):
    batch = send(intake, h.csv_upload([h.row(cast.person_a), h.row(cast.lena_person)]))
    assert (batch.status, batch.total_rows, batch.posted_rows) == ("done", 2, 2)
    entry = Entry.objects.get(person=cast.person_a)
    assert entry.source_id == "PA:C1:2026-03-01"
    assert entry.amount == Decimal("6") and entry.categories == ["required", "offline"]
    total = Total.objects.get(person=cast.person_a, period=2026, category="*")
    assert total.amount == Decimal("6")


def test_partial_credit_counts_only_what_was_sent(cast, intake):
    send(intake, h.csv_upload([h.row(cast.person_a, amount="2.5")]))
    assert Entry.objects.get(person=cast.person_a).amount == Decimal("2.5")


def test_resent_file_is_refused_as_already_sent_and_changes_nothing(cast, intake):
    from xuefen.intake.errors import IntakeError

    first = send(intake, h.csv_upload([h.row(cast.person_a)]))
    with pytest.raises(IntakeError) as exc:
        send(intake, h.csv_upload([h.row(cast.person_a)]))
    assert exc.value.code == "already_sent" and exc.value.batch.pk == first.pk
    assert Entry.objects.count() == 1 and Batch.objects.count() == 1


def test_rows_already_in_the_ledger_come_back_as_duplicates(cast, intake):
    send(intake, h.csv_upload([h.row(cast.person_a)]))
    again = send(intake, h.csv_upload([h.row(cast.person_a), h.row(cast.lena_person)]))
    assert (again.posted_rows, again.duplicate_rows, again.error_rows) == (1, 1, 0)
    assert Entry.objects.filter(person=cast.person_a).count() == 1


def test_the_same_row_twice_in_one_file_is_a_duplicate(cast, intake):
    batch = send(intake, h.csv_upload([h.row(cast.person_a), h.row(cast.person_a)]))
    assert (batch.posted_rows, batch.duplicate_rows) == (1, 1)


def test_json_batch_is_processed_like_a_roster(cast, intake):
    rows = [
        {
            "id_number": cast.person_a.id_number,
            "course_code": "C1",
            "completed_on": "2026-03-02",
            "amounts": {"required": "3"},
        }
    ]
    batch = send(intake, rows=rows, source="api")
    assert batch.posted_rows == 1
    entry = Entry.objects.get(person=cast.person_a)
    assert (entry.amount, entry.categories) == (Decimal("3"), ["required"])


@pytest.mark.parametrize(
    ("cells", "code"),
    [
        (lambda c: ["110101850615123", "", "C1", "2026-03-01", ""], "id_15_digit"),
        (lambda c: [wrong_check(c.person_a.id_number), "", "C1", "2026-03-01", ""], None),
        (lambda c: [c.person_b.id_number, "", "C1", "2026-03-01", ""], "person_unknown"),
        (lambda c: [f.valid_id(), "", "C1", "2026-03-01", ""], "person_unknown"),
        (lambda c: [c.person_a.id_number, "别人", "C1", "2026-03-01", ""], "name_mismatch"),
        (lambda c: [c.person_a.id_number, "", "NOPE", "2026-03-01", ""], "course_unknown"),
        (lambda c: [c.person_a.id_number, "", "C1", "2025-12-31", ""], "date_outside_course"),
        (lambda c: [c.person_a.id_number, "", "C1", "2026-12-01", ""], "date_future"),
        (lambda c: [c.person_a.id_number, "", "C1", "2026-03-01", "7"], "amount_too_large"),
        (lambda c: [c.person_a.id_number, "", "C1", "2026-03-01", "-1"], "amount_invalid"),
        (lambda c: [c.person_a.id_number, "", "C1", "2026-03-01", "1.234"], "amount_invalid"),
        (lambda c: [c.person_a.id_number, "", "C1", "2026-03-01", "abc"], "amount_invalid"),
        (lambda c: [c.person_a.id_number, "", "C1", "someday", ""], "bad_date"),
    ],
)
def test_bad_row_is_an_error_with_its_reason_and_posts_nothing(cast, intake, cells, code):
    values = cells(cast)
    batch = send(intake, h.csv_upload([values, h.row(cast.lena_person)]))
    codes = errors_of(batch)[2]
    if code == "id_15_digit":
        assert codes == ["id_15_digit"]
    elif code is None:  # wrong check digit (or a birth date made impossible)
        assert codes and codes[0].startswith("id_")
    else:
        assert code in codes
    assert (batch.posted_rows, batch.error_rows) == (1, 1)
    assert not Entry.objects.exclude(person=cast.lena_person).exists()


def test_person_outside_scope_reads_like_an_unknown_person(cast, intake):
    batch = send(
        intake,
        h.csv_upload([h.row(cast.person_b), [f.valid_id(), "", "C1", "2026-03-01", ""]]),
    )
    messages = [r.errors[0]["message"] for r in batch.rows.order_by("row_number")]
    assert messages[0] == messages[1]
    assert cast.person_b.name not in str(messages)


def test_course_of_another_provider_is_refused(cast, intake):
    intake.course_b.code = "ONLYB"
    intake.course_b.save()
    batch = send(intake, h.csv_upload([h.row(cast.person_a, course_code="ONLYB")]))
    assert errors_of(batch)[2] == ["course_unknown"]
    assert not Entry.objects.exists()


def test_inactive_course_is_refused(cast, intake):
    intake.course_a.is_active = False
    intake.course_a.save()
    batch = send(intake, h.csv_upload([h.row(cast.person_a)]))
    assert errors_of(batch)[2] == ["course_unknown"]


@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_chinese_excel_csv_encodings_are_read(cast, intake, encoding):
    batch = send(intake, h.csv_upload([h.row(cast.person_a)], encoding=encoding))
    assert batch.posted_rows == 1 and batch.error_rows == 0


def test_xlsx_roster_is_read(cast, intake):
    batch = send(
        intake,
        h.xlsx_upload([[cast.person_a.id_number, "李明", "C1", dt.date(2026, 3, 1), 6]]),
    )
    assert batch.posted_rows == 1


def test_formula_in_a_cell_fails_the_whole_batch_and_writes_nothing(cast, intake):
    upload = h.xlsx_upload(
        [h.row(cast.lena_person), [cast.person_a.id_number, "李明", "=A1", "2026-03-01", ""]]
    )
    batch = send(intake, upload)
    assert batch.status == "failed" and batch.failure_code == "formula"
    assert "3" in batch.failure
    assert not Entry.objects.exists() and not BatchRow.objects.exists()


def test_processing_twice_changes_nothing(cast, intake):
    batch = send(intake, h.csv_upload([h.row(cast.person_a)]))
    assert process_batch(batch.pk) is None
    assert Entry.objects.count() == 1 and BatchRow.objects.count() == 1


def test_rows_are_processed_in_chunks_with_a_checkpoint(cast, intake):
    people = [f.person(cast.unit_a, f"人{i}") for i in range(7)]
    batch = submit_batch(
        intake.pat, intake.pa, upload=h.csv_upload([h.row(p) for p in people]), source="upload"
    )
    batch = process_batch(batch.pk, chunk_rows=3)
    assert (batch.processed_rows, batch.posted_rows) == (7, 7)
    assert Entry.objects.count() == 7
