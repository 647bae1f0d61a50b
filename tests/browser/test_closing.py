"""Closing a year in a real browser: the credit office closes 2025 and publishes its public
notice; the learner objects to a credit recorded twice, with evidence; the office upholds the
objection; the learner's own page shows the credit reversed, and the ledger still verifies."""

from io import StringIO

import pytest
from django.core.management import call_command

from tests.browser.conftest import log_in, screenshot
from tests.closing.conftest import PDF, YEAR, credit
from xuefen.closing.models import FixedGrade, Objection
from xuefen.ledger.models import Entry
from xuefen.policy.actions import import_ruleset
from xuefen.policy.shipped import shipped_texts

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("append_only_flush")]


def _context(browser, live_server):  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(15000)
    pg.base_url = live_server.url
    return context, pg


def test_close_publish_object_uphold_and_the_credit_is_reversed(
    browser, live_server, cast, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "files"
    import_ruleset(cast.carol, shipped_texts()["cadre_township"], cast.region)
    credit(cast, cast.lena_person, 60, "b1", description="党校春季班")
    twice = credit(cast, cast.lena_person, 30, "b2", description="党校春季班（重复登记）")
    credit(cast, cast.person_a, 90, "b3", description="党校秋季班")
    evidence = tmp_path / "签到表.pdf"
    evidence.write_bytes(PDF)

    # The credit office closes 2025 for the county.
    ctx_office, office = _context(browser, live_server)
    log_in(office, "carol", cast.password)
    office.goto(office.base_url + "/closing/")
    office.select_option("select[name=region]", str(cast.region.pk))
    office.fill("input[name=period]", str(YEAR))
    office.click("[data-testid=close-period]")
    office.wait_for_load_state("networkidle")
    assert "关账" in office.inner_text("[data-testid=close-state]")
    assert FixedGrade.objects.filter(person=cast.lena_person, earned=90).exists()
    screenshot(office, "closing-closed")

    # … and publishes its public notice.
    office.click("[data-testid=publish-notice]")
    office.wait_for_load_state("networkidle")
    assert "异议受理期" in office.inner_text("[data-testid=notice-window]")
    screenshot(office, "closing-notice")

    # The learner reads the notice and objects to the credit recorded twice, with evidence.
    ctx_learner, learner = _context(browser, live_server)
    log_in(learner, "lena", cast.password)
    learner.goto(learner.base_url + "/closing/notices/")
    learner.get_by_role("link", name=f"{YEAR}年度").first.click()
    learner.wait_for_load_state("networkidle")
    assert cast.person_a.masked_id_number in learner.inner_text("body")
    assert cast.person_a.id_number not in learner.content()
    learner.get_by_role("link", name=cast.lena_person.name).click()
    learner.wait_for_load_state("networkidle")
    learner.check(f"input[name=entry][value='{twice.pk}']")
    learner.fill("textarea[name=reason]", "春季班学时重复登记了一次")
    learner.set_input_files("input[name=evidence]", str(evidence))
    screenshot(learner, "closing-objection-form")
    learner.click("[data-testid=raise-objection]")
    learner.wait_for_load_state("networkidle")
    assert "已提交学分办" in learner.inner_text("body")
    objection = Objection.objects.get()
    assert objection.entry_id == twice.pk and objection.evidence_name == "签到表.pdf"

    # The office upholds it.
    office.goto(office.base_url + "/closing/objections/")
    office.get_by_role("link", name=str(objection.pk), exact=True).click()
    office.wait_for_load_state("networkidle")
    assert "签到表.pdf" in office.inner_text("body")
    office.fill("input[name=reason]", "核实签到表，确属重复")
    office.click("[data-testid=uphold]")
    office.wait_for_load_state("networkidle")
    assert office.inner_text("[data-testid=objection-status]") == "成立"
    screenshot(office, "closing-objection-upheld")

    # The learner's own page shows the credit reversed, naming the objection.
    learner.goto(learner.base_url + f"/reports/me/?period={YEAR}")
    body = learner.inner_text("body")
    assert f"异议 #{objection.pk} 成立" in body
    screenshot(learner, "closing-learner-page")
    assert Entry.objects.filter(reverses=twice).exists()
    assert FixedGrade.objects.get(person=cast.lena_person).earned == 60

    # And the ledger still verifies.
    out = StringIO()
    call_command("ledger", "verify", stdout=out, stderr=StringIO())
    ctx_office.close()
    ctx_learner.close()
