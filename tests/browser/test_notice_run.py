"""The results notices of a whole region in a real browser: the credit office starts the run for
the closed 2025, watches the progress box (htmx) move as the worker writes unit after unit, then
downloads the ZIP; the test opens unit A's PDF and XLSX from it and finds person_a's row."""

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.archive.pdfcells import pdf_text
from tests.browser.conftest import log_in, screenshot
from tests.closing.conftest import YEAR, credit
from xuefen.closing import actions, runs
from xuefen.closing.models import NoticeRun
from xuefen.policy.actions import import_ruleset
from xuefen.policy.shipped import shipped_texts

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("append_only_flush")]

PROGRESS = "[data-testid=run-progress]"


def test_the_office_runs_every_notice_watches_the_progress_and_opens_a_units_row(
    page, cast, settings, tmp_path, monkeypatch
):
    settings.MEDIA_ROOT = tmp_path / "files"
    import_ruleset(cast.carol, shipped_texts()["cadre_township"], cast.region)
    credit(cast, cast.person_a, 95, "a1", description="党校春季班")
    credit(cast, cast.person_b, 20, "b1", description="网络专题班")
    close = actions.close_period(cast.carol, cast.region, YEAR)

    log_in(page, "carol", cast.password)
    page.goto(page.base_url + f"/closing/{close.pk}/")
    page.click("[data-testid=produce-all]")
    page.wait_for_selector(PROGRESS)
    run = NoticeRun.objects.get(close=close)
    assert run.units_total >= 2
    assert f"0 / {run.units_total}" in page.inner_text(PROGRESS)
    run_url = page.url

    # The worker's part runs here; before its second unit, the page (polling, not reloaded)
    # shows the first one written.
    real_write = runs.write_unit
    written: list[str] = []

    def write_unit(run, unit):  # type: ignore[no-untyped-def]
        if len(written) == 1:
            step = 100 // run.units_total
            page.wait_for_selector(f"{PROGRESS} [role=progressbar][aria-valuenow='{step}']")
            assert f"1 / {run.units_total}" in page.inner_text(PROGRESS)
            screenshot(page, "closing-run-progress")
        real_write(run, unit)
        written.append(unit.code)

    monkeypatch.setattr(runs, "write_unit", write_unit)
    done = runs.process_run(run.pk)
    assert done is not None and done.status == NoticeRun.Status.DONE
    assert len(written) == run.units_total

    page.wait_for_selector("[data-testid=run-download]")  # the box turned into the download
    assert page.url == run_url
    screenshot(page, "closing-run-done")
    with page.expect_download() as download:
        page.click("[data-testid=run-download]")
    with zipfile.ZipFile(Path(download.value.path())) as archive:
        pdf_name, xlsx_name = runs.file_names(close, cast.unit_a)
        pdf = pdf_text(archive.read(pdf_name))
        book = openpyxl.load_workbook(io.BytesIO(archive.read(xlsx_name)), read_only=True)
        rows = [list(row) for row in book.worksheets[1].iter_rows(min_row=2, values_only=True)]

    assert cast.unit_a.name in pdf and cast.person_a.name in pdf
    mine = [row for row in rows if row[1] == cast.person_a.name]
    assert len(mine) == 1
    unit, _name, id_number, _category, earned, status, _grade = mine[0]
    assert unit == cast.unit_a.name
    assert earned == 95
    assert status == "达标"
    assert cast.person_a.id_number not in (id_number or "")  # masked on a notice
    assert cast.person_b.name not in [row[1] for row in rows]  # unit B's person
    assert cast.person_b.name not in pdf
