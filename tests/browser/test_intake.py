"""Browser journey of bulk reporting: a provider uploads a roster and watches it finish."""

import datetime as dt

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


def test_provider_sends_classes_over_several_days_and_sees_their_days(
    page, cast, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "files"
    provider = h.provider(cast, "PA")
    h.course(provider, "C1", starts_on=dt.date(2025, 12, 1))
    f.user("pat", Role.PROVIDER, cast.unit_a)
    roster = tmp_path / "多日培训名单.csv"
    rows = [
        h.span_row(cast.person_a, "2026-03-02", "2026-03-04", "2.5"),
        h.span_row(cast.lena_person, "2025-12-30", "2026-01-02", "4"),
    ]
    roster.write_bytes(h.csv_upload(rows, header=h.SPAN_HEADER, encoding="gbk").read())

    log_in(page, "pat", cast.password)
    page.goto(page.base_url + "/intake/")
    page.set_input_files("input[name=file]", str(roster))
    page.click("form[enctype] button[type=submit]")
    page.wait_for_selector("#progress")
    process_batch(Batch.objects.get().pk)
    page.wait_for_selector("a[href$='/errors/']")
    posted = page.locator("tr", has_text="2026-03-02").inner_text()
    assert "2026-03-04" in posted and "2.5" in posted
    refused = page.locator("tr", has_text="2025-12-30").inner_text()
    assert "开始日期" in refused and "2025" in refused and "2026" in refused
    screenshot(page, "intake-batch-span-days")
