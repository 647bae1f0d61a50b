"""Browser journey of bulk reporting: a provider uploads a roster and watches it finish."""

import pytest

from tests import factories as f
from tests.browser.conftest import log_in, screenshot
from tests.intake import helpers as h
from xuefen.accounts.roles import Role
from xuefen.intake.models import Batch
from xuefen.intake.processing import process_batch

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("append_only_flush")]


def test_provider_uploads_a_roster_and_sees_it_processed(page, cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"
    provider = h.provider(cast, "PA")
    h.course(provider, "C1")
    f.user("pat", Role.PROVIDER, cast.unit_a)
    roster = tmp_path / "名单.csv"
    rows = [h.row(cast.person_a, day="2026-03-01"), h.row(cast.person_a, course_code="NOPE")]
    roster.write_bytes(h.csv_upload(rows, encoding="gbk").read())

    log_in(page, "pat", cast.password)
    page.goto(page.base_url + "/intake/")
    page.set_input_files("input[name=file]", str(roster))
    page.click("form[enctype] button[type=submit]")
    page.wait_for_selector("#progress")
    assert "排队中" in page.inner_text("#progress")

    done = process_batch(Batch.objects.get().pk)  # the worker's part, done here
    assert done is not None and done.status == "done", done and done.failure
    page.wait_for_selector("a[href$='/errors/']")  # htmx polled, saw it done, reloaded
    body = page.inner_text("main") if page.query_selector("main") else page.inner_text("body")
    assert "已完成" in body and "本机构没有登记此代码的有效课程" in body
    screenshot(page, "intake-batch-done")
