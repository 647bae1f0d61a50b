"""Hostile or damaged rosters: refused at upload when the head shows it, otherwise failed for good
by the worker with the reason and an error file, never posted in part, never resumed again."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from tests.core import hostile
from tests.intake import helpers as h
from xuefen.intake import processing, roster
from xuefen.intake.actions import resume_stalled, submit_batch
from xuefen.intake.errors import IntakeError
from xuefen.intake.models import MAX_ATTEMPTS, Batch, BatchRow, StagedRow
from xuefen.intake.processing import process_batch
from xuefen.ledger.models import Entry


def _roster_workbook(rows, *, damage=None, compression=zipfile.ZIP_DEFLATED):
    sheet = hostile.sheet_xml([h.HEADER, *rows])
    if damage is not None:
        sheet = damage(sheet)
    return hostile.workbook(sheet, compression=compression)


def _good_rows(cast, count):
    return [[cast.person_a.id_number, "李明", "C1", "2026-03-01", "1"] for _ in range(count)]


def _submit(intake, data, name="roster.xlsx"):
    return submit_batch(
        intake.pat, intake.pa, upload=SimpleUploadedFile(name, data), source="upload"
    )


def test_damage_deep_in_the_file_fails_the_batch_for_good_with_its_reason(cast, intake, client):
    data = _roster_workbook(
        _good_rows(cast, 3000),
        damage=lambda sheet: sheet.replace(b"</sheetData>", b"<row><c></sheetData>"),
    )
    batch = _submit(intake, data)  # the head is fine: accepted
    done = process_batch(batch.pk, chunk_rows=100)
    assert (done.status, done.failure_code) == ("failed", "file_damaged")
    assert "roster.xlsx" in done.failure
    assert not Entry.objects.exists() and not BatchRow.objects.exists()
    assert not StagedRow.objects.filter(batch_id=done.pk).exists()

    # Neither `intake resume` nor setup's resume queues it again, however often they run.
    for _ in range(3):
        assert resume_stalled() == []
        call_command("intake", "resume", stdout=io.StringIO())
    done.refresh_from_db()
    assert done.status == "failed" and done.attempts == 1

    client.force_login(intake.pat)
    response = client.get(reverse("intake:batch_errors", args=[done.pk]))
    book = load_workbook(io.BytesIO(response.content))
    assert list(book.worksheets[0].values)[1:] == []  # no row to correct: the file itself is bad
    rows = list(book.worksheets[1].values)
    assert rows[1][-2] == done.failure and rows[1][-1] == "file_damaged"
    page = client.get(reverse("intake:batch_detail", args=[done.pk])).content.decode()
    assert done.failure in page and reverse("intake:batch_errors", args=[done.pk]) in page


def test_bad_crc_fails_the_batch_for_good(cast, intake):
    # Far into a stored member, so that the head check (which reads the first block) passes.
    data = bytearray(_roster_workbook(_good_rows(cast, 3000), compression=zipfile.ZIP_STORED))
    at = data.rindex("李明".encode(), 0, data.index(b"</sheetData>"))
    data[at + 3 : at + 6] = "华".encode()  # still well-formed XML: only the CRC knows
    batch = process_batch(_submit(intake, bytes(data)).pk)
    assert (batch.status, batch.failure_code) == ("failed", "file_damaged")
    assert not Entry.objects.exists()


def test_csv_cell_over_128_kb_in_a_later_row_fails_the_batch_for_good(cast, intake):
    rows = [h.row(cast.person_a)] * 50 + [[cast.person_a.id_number, "长" * 140_000, "C1"]]
    batch = process_batch(
        submit_batch(intake.pat, intake.pa, upload=h.csv_upload(rows), source="upload").pk
    )
    assert (batch.status, batch.failure_code) == ("failed", "cell_too_large")
    assert "52" in batch.failure
    assert resume_stalled() == []


def test_csv_cell_over_128_kb_in_the_first_rows_is_refused_at_upload(cast, intake):
    upload = h.csv_upload([[cast.person_a.id_number, "长" * 140_000, "C1", "2026-03-01"]])
    with pytest.raises(IntakeError) as exc:
        submit_batch(intake.pat, intake.pa, upload=upload, source="upload")
    assert exc.value.code == "cell_too_large"
    assert not Batch.objects.exists()


@pytest.mark.parametrize(
    "damage",
    [
        lambda sheet: sheet.replace(b"<sheetData>", b"<sheetData><row><c>"),
        lambda sheet: b"<!DOCTYPE x [<!ENTITY a 'b'>]>" + sheet.split(b"?>", 1)[1],
    ],
    ids=["malformed_head", "dtd"],
)
def test_damage_in_the_head_is_refused_at_upload_and_nothing_is_stored(
    cast, intake, settings, damage
):
    data = _roster_workbook(_good_rows(cast, 5), damage=damage)
    with pytest.raises(IntakeError) as exc:
        _submit(intake, data)
    assert exc.value.code == "file_damaged"
    assert not Batch.objects.exists()
    assert not any((settings.MEDIA_ROOT / "intake").glob("**/*.xlsx"))


def test_the_shared_strings_bomb_is_refused_at_upload(cast, intake, settings):
    with pytest.raises(IntakeError) as exc:
        _submit(intake, hostile.shared_strings_bomb())
    assert exc.value.code == "shared_strings_too_large"
    assert not Batch.objects.exists()


def test_a_roster_file_is_parsed_once(cast, intake, monkeypatch):
    calls = []
    real = roster.read_file

    def counting(*args, **kwargs):
        calls.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(roster, "read_file", counting)
    upload = h.xlsx_upload([h.row(cast.person_a), h.row(cast.lena_person)] * 30)
    batch = submit_batch(intake.pat, intake.pa, upload=upload, source="upload")
    done = process_batch(batch.pk, chunk_rows=7)
    assert (done.status, done.posted_rows + done.duplicate_rows) == ("done", 60)
    assert len(calls) == 1


def test_a_batch_that_keeps_stopping_without_progress_is_failed_for_good(cast, intake, monkeypatch):
    batch = submit_batch(
        intake.pat, intake.pa, upload=h.csv_upload([h.row(cast.person_a)]), source="upload"
    )

    def crash(*args, **kwargs):
        raise RuntimeError("the worker's code has a bug")

    monkeypatch.setattr(processing, "_commit_chunk", crash)
    for _ in range(MAX_ATTEMPTS):
        with pytest.raises(RuntimeError):
            process_batch(batch.pk)
        batch.refresh_from_db()
        assert batch.interrupted
        assert [b.pk for b in resume_stalled()] == [batch.pk]
    assert process_batch(batch.pk) is None
    batch.refresh_from_db()
    assert (batch.status, batch.failure_code) == ("failed", "keeps_stopping")
    assert resume_stalled() == []
    assert not Entry.objects.exists()
