"""Whole-file refusals: a clear message and nothing written (no batch, no file, no ledger entry)."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.intake import helpers as h
from xuefen.core.actors import SYSTEM
from xuefen.intake.actions import submit_batch
from xuefen.intake.errors import IntakeError
from xuefen.intake.models import Batch
from xuefen.ledger.models import Entry


def refused(intake, upload, settings):
    with pytest.raises(IntakeError) as exc:
        submit_batch(intake.pat, intake.pa, upload=upload, source="upload")
    assert not Batch.objects.exists() and not Entry.objects.exists()
    folder = settings.MEDIA_ROOT / "intake"
    assert not folder.exists() or not any(folder.rglob("*.*"))
    return exc.value


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (12 * 1024 * 1024))
    return buffer.getvalue()


def test_a_pdf_renamed_to_xlsx_is_refused(cast, intake, settings):
    err = refused(intake, SimpleUploadedFile("名单.xlsx", b"%PDF-1.7 not a workbook"), settings)
    assert err.code == "not_spreadsheet" and "名单.xlsx" in str(err)


def test_a_zip_bomb_is_refused_before_it_is_opened(cast, intake, settings):
    settings.XLSX_MAX_UNCOMPRESSED_MB = 5
    err = refused(intake, SimpleUploadedFile("名单.xlsx", zip_bomb()), settings)
    assert err.code == "xlsx_too_large"


def test_a_zip_that_is_no_workbook_is_refused(cast, intake, settings):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("hello.txt", "hi")
    err = refused(intake, SimpleUploadedFile("名单.xlsx", buffer.getvalue()), settings)
    assert err.code == "not_spreadsheet"


def test_missing_columns_are_named(cast, intake, settings):
    upload = h.csv_upload([["x", "C1"]], header=["身份证号", "课程代码"])
    err = refused(intake, upload, settings)
    assert err.code == "missing_columns" and "完成日期" in str(err)


def test_undecodable_csv_is_refused(cast, intake, settings):
    upload = SimpleUploadedFile("名单.csv", b"\xff\xfe\x00\x00" + bytes(range(128, 256)) * 20)
    err = refused(intake, upload, settings)
    assert err.code == "csv_encoding"


def test_utf16_csv_declared_as_csv_is_refused(cast, intake, settings):
    text = "身份证号,课程代码,完成日期\r\n1,C1,2026-03-01\r\n"
    err = refused(intake, SimpleUploadedFile("名单.csv", text.encode("utf-16")), settings)
    assert err.code == "csv_encoding"


def test_empty_file_is_refused(cast, intake, settings):
    err = refused(intake, SimpleUploadedFile("名单.csv", b""), settings)
    assert err.code == "empty_file"


def test_header_without_rows_is_refused(cast, intake, settings):
    err = refused(intake, h.csv_upload([]), settings)
    assert err.code == "no_rows"


def test_too_big_file_is_refused(cast, intake, settings):
    settings.MAX_UPLOAD_MB = 0
    err = refused(intake, h.csv_upload([h.row(cast.person_a)]), settings)
    assert err.code == "file_too_large"


def test_an_old_xls_is_refused(cast, intake, settings):
    upload = SimpleUploadedFile("名单.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    assert refused(intake, upload, settings).code == "old_excel"


def test_a_provider_user_cannot_submit_for_another_provider(cast, intake, settings):
    with pytest.raises(IntakeError) as exc:
        submit_batch(
            intake.quinn, intake.pa, upload=h.csv_upload([h.row(cast.person_a)]), source="upload"
        )
    assert exc.value.code == "forbidden" and not Batch.objects.exists()


def test_idempotency_key_returns_the_same_batch(cast, intake):
    rows = [
        {"id_number": cast.person_a.id_number, "course_code": "C1", "completed_on": "2026-03-01"}
    ]
    first = submit_batch(SYSTEM, intake.pa, rows=rows, source="api", idempotency_key="k1")
    again = submit_batch(SYSTEM, intake.pa, rows=rows, source="api", idempotency_key="k1")
    assert first.pk == again.pk and Batch.objects.count() == 1


def test_idempotency_key_with_another_payload_is_refused(cast, intake):
    rows = [
        {"id_number": cast.person_a.id_number, "course_code": "C1", "completed_on": "2026-03-01"}
    ]
    submit_batch(SYSTEM, intake.pa, rows=rows, source="api", idempotency_key="k1")
    with pytest.raises(IntakeError) as exc:
        submit_batch(SYSTEM, intake.pa, rows=[*rows, rows[0]], source="api", idempotency_key="k1")
    assert exc.value.code == "idempotency_key_reused" and Batch.objects.count() == 1


def test_submitting_enqueues_processing_after_commit(
    cast, intake, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        batch = submit_batch(
            intake.pat, intake.pa, upload=h.csv_upload([h.row(cast.person_a)]), source="upload"
        )
    task = DBTaskResult.objects.get()
    assert task.args_kwargs["args"] == [batch.pk]
