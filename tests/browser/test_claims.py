"""A claim's whole journey in a real browser: the learner claims with a PDF, the unit administrator
checks it, the credit office approves it, and the learner's page shows the credit at once."""

import datetime as dt

import pytest

from tests.browser.conftest import log_in, screenshot
from tests.claims.conftest import PDF, RULES
from xuefen.claims.actions import load_default_types
from xuefen.claims.models import Claim, ClaimType, Status
from xuefen.policy.actions import import_ruleset

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("append_only_flush")]


def _context(browser, live_server, phone=False):  # type: ignore[no-untyped-def]
    size = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
    context = browser.new_context(locale="zh-CN", viewport=size, is_mobile=phone, has_touch=phone)
    pg = context.new_page()
    pg.set_default_timeout(15000)
    pg.base_url = live_server.url
    return context, pg


def test_a_claim_goes_from_the_learner_through_the_unit_and_office_into_her_credits(
    browser, live_server, cast, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "files"
    # A transactional test before this one may have flushed the types the migration loaded.
    load_default_types()
    import_ruleset(cast.carol, RULES, cast.region)
    evidence = tmp_path / "授课通知.pdf"
    evidence.write_bytes(PDF)
    day = dt.date.today() - dt.timedelta(days=2)

    # The learner, on her phone, claims 3 hours of teaching with the teaching notice as a PDF.
    context, learner = _context(browser, live_server, phone=True)
    log_in(learner, "lena", cast.password)
    learner.goto(learner.base_url + "/claims/new/")
    learner.get_by_role("link", name="授课").click()
    learner.wait_for_load_state("networkidle")
    learner.fill("input[name=title]", "财务人员业务培训班授课")
    learner.fill("input[name=start_date]", day.isoformat())
    learner.fill("input[name=end_date]", day.isoformat())
    learner.fill("input[name=f_course]", "县财务人员业务培训班")
    learner.fill("input[name=f_hours]", "3")
    learner.set_input_files("input[name=ev_schedule]", str(evidence))
    screenshot(learner, "claims-new-phone")
    learner.click("button[name=submit]")
    learner.wait_for_load_state("networkidle")
    assert "已提交" in learner.inner_text("body")
    claim = Claim.objects.get()
    assert claim.status == Status.SUBMITTED and claim.evidence_files.count() == 1
    screenshot(learner, "claims-detail-learner")

    # The unit administrator checks it from her queue.
    ctx_unit, unit = _context(browser, live_server)
    log_in(unit, "alice", cast.password)
    unit.goto(unit.base_url + "/claims/check/")
    unit.get_by_role("link", name="财务人员业务培训班授课").click()
    unit.wait_for_load_state("networkidle")
    assert "授课通知.pdf" in unit.inner_text("body")
    screenshot(unit, "claims-unit-check")
    unit.click("button[name=step][value=check]")
    unit.wait_for_load_state("networkidle")
    claim.refresh_from_db()
    assert claim.status == Status.UNIT_CHECKED

    # The credit office approves it from the office queue.
    ctx_office, office = _context(browser, live_server)
    log_in(office, "carol", cast.password)
    office.goto(office.base_url + "/claims/office/")
    screenshot(office, "claims-office-queue")
    office.get_by_role("link", name="财务人员业务培训班授课").click()
    office.wait_for_load_state("networkidle")
    office.click("button[name=step][value=approve]")
    office.wait_for_load_state("networkidle")
    claim.refresh_from_db()
    assert claim.status == Status.CREDITED

    # Her personal page shows the 15 hours (3 hours taught × 5) at once.
    learner.goto(learner.base_url + f"/reports/me/?period={day.year}")
    assert "15 / 90" in learner.inner_text("body")
    screenshot(learner, "claims-personal-page")
    for ctx in (context, ctx_unit, ctx_office):
        ctx.close()


def test_a_conference_over_new_year_is_refused_then_claimed_in_one_year_with_its_days(
    browser, live_server, cast, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "files"
    load_default_types()
    import_ruleset(cast.carol, RULES, cast.region)
    year = dt.date.today().year - 1
    invitation = tmp_path / "会议通知.pdf"
    invitation.write_bytes(PDF)

    # The learner claims a conference from 30 December to 2 January: refused on the start date.
    context, learner = _context(browser, live_server, phone=True)
    log_in(learner, "lena", cast.password)
    learner.goto(learner.base_url + "/claims/new/")
    learner.get_by_role("link", name="学术会议").click()
    learner.wait_for_load_state("networkidle")
    learner.fill("input[name=title]", "全省财政学术年会")
    learner.fill("input[name=start_date]", f"{year - 1}-12-30")
    learner.fill("input[name=end_date]", f"{year}-01-02")
    learner.fill("input[name=f_organiser]", "省财政厅")
    learner.select_option("select[name=f_role]", "attendee")
    learner.set_input_files("input[name=ev_invitation]", str(invitation))
    learner.click("button[name=submit]")
    learner.wait_for_load_state("networkidle")
    start_field = learner.locator(".field", has=learner.locator("input[name=start_date]"))
    assert "按年度分别登记" in start_field.inner_text()
    assert not Claim.objects.exists()
    screenshot(learner, "claims-across-new-year-refused")

    # She claims the two days of the new year instead.
    learner.fill("input[name=start_date]", f"{year}-01-01")
    learner.set_input_files("input[name=ev_invitation]", str(invitation))
    learner.click("button[name=submit]")
    learner.wait_for_load_state("networkidle")
    claim = Claim.objects.get()
    assert (claim.period, claim.days_taken) == (year, 2)
    assert "2 天" in learner.inner_text("body")

    # The unit checks it; the office queue shows the span and the days.
    ctx_unit, unit = _context(browser, live_server)
    log_in(unit, "alice", cast.password)
    unit.goto(unit.base_url + f"/claims/{claim.pk}/")
    unit.click("button[name=step][value=check]")
    unit.wait_for_load_state("networkidle")
    ctx_office, office = _context(browser, live_server)
    log_in(office, "carol", cast.password)
    office.goto(office.base_url + "/claims/office/")
    row = office.locator("tr", has_text="全省财政学术年会")
    assert f"{year}-01-01 – {year}-01-02" in row.inner_text() and "2 天" in row.inner_text()
    screenshot(office, "claims-office-queue-span")
    for ctx in (context, ctx_unit, ctx_office):
        ctx.close()


def test_the_office_picks_where_a_claim_types_days_come_from(page, cast):
    load_default_types()
    log_in(page, "carol", cast.password)
    conference = ClaimType.objects.get(code="conference")
    page.goto(page.base_url + f"/claims/types/{conference.pk}/")
    select = page.locator("select[name=days_field]")
    assert select.input_value() == "@days"
    assert "每天都算（开始至结束）" in select.inner_text()
    select.select_option("")
    screenshot(page, "claims-type-days-field")
    page.click("form button[type=submit].primary")
    page.wait_for_load_state("networkidle")
    conference.refresh_from_db()
    assert conference.days_field == ""
