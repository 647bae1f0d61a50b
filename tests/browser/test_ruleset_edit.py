"""The credit office edits a requirement in the rule-set form; after recompute a learner's page
shows the gap the new version sets."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.browser.conftest import log_in, screenshot
from xuefen.ledger.actions import post_entry
from xuefen.policy.actions import import_ruleset
from xuefen.policy.models import RuleSet
from xuefen.policy.shipped import shipped_texts

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("append_only_flush")]


def test_office_raises_the_hours_alternative_and_the_learner_sees_the_new_gap(page, cast):
    # Last year: its days are all past, so its credits can be posted whatever today is.
    year = timezone.localdate().year - 1
    township = import_ruleset(cast.carol, shipped_texts()["cadre_township"], cast.region)
    post_entry(
        cast.carol,
        cast.lena_person,  # a general cadre of unit A: judged by cadre_township
        first_day=dt.date(year, 4, 6),
        last_day=dt.date(year, 4, 10),
        days=5,
        categories=["required", "offline", "centralised"],
        amount="37.5",
        unit="hours",
        kind="party_school_day",
        source_type="class",
        source_id="party-school-spring",
        description="党校春季主体班",
    )

    log_in(page, "carol", cast.password)
    page.goto(page.base_url + "/policy/")
    page.get_by_role("link", name="乡科级及以下干部教育培训").click()
    page.get_by_role("link", name="编辑（另存为新版本）").click()
    page.wait_for_load_state("networkidle")
    hours = page.locator("input[name='req-0-alt-1-min']")
    assert hours.input_value() == "90"
    hours.fill("100")
    page.fill("input[name='basics-valid_from']", f"{year}-01-01")
    screenshot(page, "ruleset-edit")
    page.locator("button[name=save]").first.click()
    page.wait_for_load_state("networkidle")

    saved = RuleSet.objects.get(code="cadre_township", version=township.version + 1)
    assert page.url.endswith(f"/policy/{saved.pk}/")
    assert "集中培训 12 天 或 集中培训 100 学时" in page.inner_text("main")
    screenshot(page, "ruleset-detail-new-version")

    call_command("recompute")

    page.context.clear_cookies()
    log_in(page, "lena", cast.password)
    page.goto(page.base_url + f"/reports/me/?period={year}")
    gap = page.get_by_test_id("gap-annual").inner_text()
    # 5 of 12 days, 37.5 of the new 100 hours.
    assert gap == "还差 年度集中培训 7 天 或 62.5 学时"
    screenshot(page, "personal-page-after-rule-edit")
