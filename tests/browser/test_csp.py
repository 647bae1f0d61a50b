"""The Content-Security-Policy in a real browser: pages that run scripts (htmx, Chart.js, Swagger
UI, the language switch) work, and the browser reports no violation on any of them."""

import datetime as dt

import pytest

from tests.browser.conftest import log_in, screenshot
from xuefen.ledger.actions import post_entry
from xuefen.orgs.models import Person
from xuefen.policy.actions import import_ruleset
from xuefen.policy.shipped import shipped_texts

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("append_only_flush")]

RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " " + e.blockedURI);
});
"""


def _violations(page):
    return page.evaluate("window.__violations || []")


def test_pages_with_scripts_run_them_and_break_no_rule(page, cast):
    page.add_init_script(RECORD_VIOLATIONS)
    person = cast.lena_person
    Person.objects.filter(pk=person.pk).update(category=Person.Category.PROFESSIONAL)
    import_ruleset(cast.carol, shipped_texts()["professional_national"], cast.region)
    post_entry(
        cast.carol,
        person,
        last_day=dt.date(2026, 5, 1),
        categories=["professional", "offline"],
        amount=50,
        unit="hours",
        source_type="class",
        source_id="csp-1",
        description="培训班",
    )
    log_in(page, "carol", cast.password)
    visited = {}
    for path in (
        "/",
        "/orgs/people/",
        f"/reports/people/{person.pk}/?period=2026",
        "/reports/rollup/?period=2026",
        "/audit/",
        "/api/v1/docs",
    ):
        page.goto(page.base_url + path)
        page.wait_for_load_state("networkidle")
        visited[path] = _violations(page)
    assert all(not v for v in visited.values()), visited

    # Chart.js drew on its canvases; Swagger UI rendered the operations.
    page.goto(page.base_url + "/reports/rollup/?period=2026")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("typeof Chart") == "function"
    page.goto(page.base_url + "/api/v1/docs")
    page.wait_for_selector(".opblock", timeout=15000)
    screenshot(page, "api-docs-under-csp")

    # The language switch (a static script now, no inline handler) still switches.
    page.goto(page.base_url + "/")
    page.select_option("select[name=language]", "en")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert not _violations(page)
