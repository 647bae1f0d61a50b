"""The people import in a real browser: the upload returns at once, the page waits for the
background worker's check (polled by htmx) and then shows the preview to confirm."""

import pytest

from tests import factories as f
from tests.browser.conftest import log_in, screenshot
from tests.orgs.conftest import person_row, xlsx_bytes
from xuefen.orgs.actions import check_people_import
from xuefen.orgs.models import PeopleImport, Person

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("append_only_flush")]


def test_upload_then_the_checked_preview_appears_and_is_confirmed(page, cast, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    number = f.valid_id()
    path = tmp_path / "人员.xlsx"
    path.write_bytes(xlsx_bytes([person_row(number, "赵六")]))
    log_in(page, "alice", cast.password)
    page.goto(page.base_url + "/orgs/people/import/")
    page.set_input_files("input[type=file]", str(path))
    page.click("form[enctype='multipart/form-data'] button[type=submit]")
    page.wait_for_url("**/orgs/people/import/*/")
    assert page.locator("#import-status [role=status]").count() == 1  # waiting for the worker

    check_people_import(PeopleImport.objects.get().pk)  # the background worker's step
    page.wait_for_selector("#import-status table", timeout=15000)  # htmx brought the preview
    assert "赵六" in page.inner_text("#import-status")
    screenshot(page, "people-import-preview")
    page.click("#import-status form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert Person.objects.filter(id_number=number, unit=cast.unit_a).exists()
