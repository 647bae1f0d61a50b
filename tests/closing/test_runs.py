"""The results notices of a whole region, produced in the background: every unit's PDF and XLSX
and one ZIP of them; a worker that dies leaves the run resumable, and the resumed run writes each
unit once, going on from the last unit written."""

import datetime as dt
import io
import zipfile

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from xuefen.closing import results, runs
from xuefen.closing.errors import ClosingError
from xuefen.closing.models import NoticeRun
from xuefen.core.errors import PermissionDenied


class WorkerDied(BaseException):
    """Stands for the worker process killed mid-run: nothing of the run's own code sees it."""


def _written(monkeypatch, die_at=None):
    """Records every unit written; raises WorkerDied when the `die_at`-th unit is reached."""
    seen: list[str] = []
    real = runs.write_unit

    def write(run, unit):
        if die_at is not None and len(seen) == die_at:
            raise WorkerDied
        real(run, unit)
        seen.append(unit.code)

    monkeypatch.setattr(runs, "write_unit", write)
    return seen


def test_the_run_writes_every_units_notice_and_one_zip(cast, year, monkeypatch):
    run = runs.start_run(cast.carol, year.close)
    units = runs.units_of(year.close)
    assert run.units_total == len(units) >= 2
    seen = _written(monkeypatch)
    done = runs.process_run(run.pk)
    assert done is not None and done.status == NoticeRun.Status.DONE
    assert seen == [u.code for u in units]
    with zipfile.ZipFile(runs.zip_path(done)) as archive:
        names = set(archive.namelist())
        pdf_a, xlsx_a = runs.file_names(year.close, cast.unit_a)
        assert archive.read(pdf_a).startswith(b"%PDF")
        book = openpyxl.load_workbook(io.BytesIO(archive.read(xlsx_a)))
    assert names == {name for u in units for name in runs.file_names(year.close, u)}
    people = [row[1] for row in book.worksheets[1].iter_rows(min_row=2, values_only=True)]
    assert cast.person_a.name in people


def test_a_dead_worker_leaves_the_run_resumable_and_each_unit_is_written_once(
    cast, year, monkeypatch
):
    run = runs.start_run(cast.carol, year.close)
    units = runs.units_of(year.close)
    seen = _written(monkeypatch, die_at=1)
    with pytest.raises(WorkerDied):
        runs.process_run(run.pk, task_id="")
    run.refresh_from_db()
    assert (run.status, run.units_done) == (NoticeRun.Status.RUNNING, 1)
    # While its worker still shows signs of life, the run is neither resumed nor taken twice.
    assert not runs.is_stale(run)
    with pytest.raises(ClosingError) as refused:
        runs.resume_run(cast.carol, run)
    assert refused.value.code == "not_resumable"
    assert runs.process_run(run.pk) is None
    # No sign of life for a while: the worker is gone.
    NoticeRun.objects.filter(pk=run.pk).update(
        heartbeat_at=timezone.now() - runs.STALE_AFTER - dt.timedelta(seconds=1)
    )
    run.refresh_from_db()
    assert runs.is_stale(run)
    runs.resume_run(cast.carol, run)
    monkeypatch.undo()
    seen_after = _written(monkeypatch)
    done = runs.process_run(run.pk)
    assert done is not None and done.status == NoticeRun.Status.DONE
    assert seen == [units[0].code]
    assert seen_after == [u.code for u in units[1:]]  # from the checkpoint on, none twice
    assert done.units_done == len(units) and done.attempts == 2
    with zipfile.ZipFile(runs.zip_path(done)) as archive:
        assert len(archive.namelist()) == 2 * len(units)


def test_only_the_office_starts_a_run(cast, year):
    with pytest.raises(PermissionDenied):
        runs.start_run(cast.alice, year.close)


def test_the_progress_page_polls_then_offers_the_zip(client, cast, year):
    client.force_login(cast.carol)
    client.cookies["django_language"] = "en"
    response = client.post(reverse("closing:close_run_start", args=[year.close.pk]))
    run = NoticeRun.objects.get(close=year.close)
    assert response.status_code == 302 and response.url == reverse("closing:run", args=[run.pk])
    page = client.get(response.url).content.decode()
    assert 'hx-trigger="every 1500ms"' in page and f"0 of {run.units_total} units" in page
    assert client.get(reverse("closing:run_download", args=[run.pk])).status_code == 404
    close_page = client.get(reverse("closing:close", args=[year.close.pk])).content.decode()
    assert reverse("closing:run", args=[run.pk]) in close_page
    runs.process_run(run.pk)
    box = client.get(reverse("closing:run_progress", args=[run.pk])).content.decode()
    assert "hx-trigger" not in box and f"{run.units_total} of {run.units_total} units" in box
    download = client.get(reverse("closing:run_download", args=[run.pk]))
    assert download.status_code == 200
    assert zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))).namelist()


def test_a_unit_administrator_sees_no_run(client, cast, year):
    run = runs.start_run(cast.carol, year.close)
    client.force_login(cast.alice)
    assert client.get(reverse("closing:run", args=[run.pk])).status_code == 404


def test_the_runs_workbook_is_the_units_own_download_and_its_lines_are_read_once(
    client, cast, year, monkeypatch
):
    read: list[int] = []
    real_lines = results.lines

    def counting_lines(close, node, wording=None):
        read.append(node.pk)
        return real_lines(close, node, wording)

    monkeypatch.setattr(results, "lines", counting_lines)
    run = runs.start_run(cast.carol, year.close)
    done = runs.process_run(run.pk)
    units = runs.units_of(year.close)
    assert read == [u.pk for u in units]  # one read per unit serves its PDF and its XLSX
    monkeypatch.undo()
    client.force_login(cast.carol)
    own = client.get(reverse("closing:results_xlsx", args=[year.close.pk, cast.unit_a.pk]))
    assert own.status_code == 200
    _pdf, xlsx_a = runs.file_names(year.close, cast.unit_a)
    with zipfile.ZipFile(runs.zip_path(done)) as archive:
        from_run = openpyxl.load_workbook(io.BytesIO(archive.read(xlsx_a)))
    downloaded = openpyxl.load_workbook(
        io.BytesIO(b"".join(own.streaming_content) if own.streaming else own.content)
    )

    def rows(book):
        return [list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets]

    assert rows(from_run) == rows(downloaded)
    assert any(cast.person_a.name in row for row in rows(from_run)[1])
