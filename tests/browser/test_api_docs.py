"""The API docs page in a real browser: an English browser still reads it in Chinese (Swagger UI's
operations included, fetched in the page's language), the switch turns page and document into
English, and the Content-Security-Policy is kept."""

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_csp import RECORD_VIOLATIONS

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("append_only_flush")]


@pytest.fixture
def english_browser(browser, live_server):
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(15000)
    pg.base_url = live_server.url
    yield pg
    context.close()


def test_the_docs_page_reads_in_chinese_then_in_english(english_browser, db):
    page = english_browser
    page.add_init_script(RECORD_VIOLATIONS)
    page.goto(page.base_url + "/api/v1/docs")
    page.wait_for_selector(".opblock-summary-description")
    summaries = page.locator(".opblock-summary-description").all_inner_texts()
    assert "报送一批完成记录" in summaries
    assert page.locator("#codes-unit").inner_text().count("学时") >= 1
    screenshot(page, "api-docs-zh")

    page.select_option("select[name=language]", "en")
    page.wait_for_load_state("networkidle")
    page.wait_for_selector(".opblock-summary-description")
    assert page.evaluate("document.documentElement.lang") == "en"
    summaries = page.locator(".opblock-summary-description").all_inner_texts()
    assert "Submit a batch of completions" in summaries
    assert page.evaluate("window.__violations || []") == []
