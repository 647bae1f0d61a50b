"""The training archive in a real browser: unit A's administrator opens the archive of a person who
moved in from unit B, sees only the year since the move, pulls the archive and sees the earlier
year, downloads it as a PDF; then prints the unit's archives in bulk and the progress box (htmx)
turns into the download once the worker is done."""

import datetime as dt
from pathlib import Path

import pytest

from tests import factories as f
from tests.archive.pdfcells import pdf_text
from tests.browser.conftest import log_in, screenshot
from tests.closing.conftest import credit
from xuefen.archive import printing
from xuefen.archive.models import ArchivePull, PrintJob
from xuefen.closing import actions as closing
from xuefen.orgs.actions import transfer_person
from xuefen.policy.actions import import_ruleset
from xuefen.policy.shipped import shipped_texts

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("append_only_flush")]


def test_open_pull_and_download_an_archive_then_print_the_unit(page, cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"
    import_ruleset(cast.carol, shipped_texts()["cadre_township"], cast.region)
    zhao = f.person(cast.unit_b, "赵强")
    credit(cast, zhao, 90, "z-2025", day=dt.date(2025, 6, 1), description="党校秋季班")
    closing.close_period(cast.carol, cast.region, 2025)
    transfer_person(cast.carol, zhao, cast.unit_a, effective_on=dt.date(2026, 3, 1))
    credit(cast, zhao, 12, "z-2026", day=dt.date(2026, 4, 2), description="专题讲座")

    log_in(page, "alice", cast.password)
    page.goto(page.base_url + "/archive/?q=赵")
    page.click("text=赵强")
    page.wait_for_load_state("networkidle")
    assert "2026年以前的记录" in page.inner_text("[data-testid=archive-horizon]")
    credits = page.inner_text("[data-testid=archive-credits]")
    assert "2026" in credits and "2025" not in credits

    page.click("[data-testid=pull-archive]")
    page.wait_for_load_state("networkidle")
    assert ArchivePull.objects.filter(person=zhao, unit=cast.unit_a).exists()
    assert "2025" in page.inner_text("[data-testid=archive-credits]")
    assert "合格" in page.inner_text("[data-testid=archive-grades]")
    screenshot(page, "archive-person")

    with page.expect_download() as download:
        page.click("[data-testid=archive-pdf]")
    text = pdf_text(Path(download.value.path()).read_bytes())
    assert "培训档案" in text and "赵强" in text and "2025" in text

    # Bulk printing: the worker's part is run here, while the page polls its progress.
    page.goto(page.base_url + "/archive/prints/")
    page.select_option("select[name=kind]", "archives")
    page.click("[data-testid=start-print]")
    page.wait_for_selector("[data-testid=print-progress]")
    printing.process_print(PrintJob.objects.get().pk)
    page.wait_for_selector("[data-testid=print-pdf]")
    screenshot(page, "archive-bulk-print")
    with page.expect_download() as bulk:
        page.click("[data-testid=print-pdf]")
    assert pdf_text(Path(bulk.value.path()).read_bytes()).count("培训档案") == 3
