"""The credit office's grouped menu in a real browser, on the demo county: a group opened by mouse
and by keyboard, a link followed, the group of the page marked, at desktop and phone widths.
Screenshots under var/screenshots/ (nav-*.png)."""

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("append_only_flush")]


@pytest.fixture
def demo(transactional_db):  # type: ignore[no-untyped-def]
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def group(pg, label: str):  # type: ignore[no-untyped-def]
    return pg.locator("nav.mainnav details.navgroup").filter(
        has=pg.locator("summary", has_text=label)
    )


def marked_groups(pg) -> list[str]:  # type: ignore[no-untyped-def]
    return pg.locator("nav.mainnav details.navgroup.current > summary").all_inner_texts()


def test_the_office_opens_a_group_by_mouse_and_by_keyboard(page, demo):
    log_in(page, "office", settings.DEMO_PASSWORD)
    review = group(page, "审核")
    assert page.locator("nav.mainnav > details.navgroup").count() == 6
    assert review.get_by_role("link", name="抽查复核").is_hidden()
    screenshot(page, "nav-desktop-closed")

    # By mouse: the group opens below its button; the link leads to its page, whose group is marked.
    review.locator("summary").click()
    assert review.get_by_role("link", name="抽查复核").is_visible()
    screenshot(page, "nav-desktop-open")
    review.get_by_role("link", name="抽查复核").click()
    page.wait_for_load_state("networkidle")
    assert page.url == page.base_url + reverse("claims:spot_checks")
    assert marked_groups(page) == ["审核"]
    assert group(page, "审核").locator("a[aria-current=page]").text_content() == "抽查复核"
    screenshot(page, "nav-desktop-current")

    # One group open at a time; a click outside closes it.
    group(page, "系统").locator("summary").click()
    group(page, "审核").locator("summary").click()
    assert group(page, "系统").get_by_role("link", name="审计日志").is_hidden()
    page.locator("main h1").click()
    assert group(page, "审核").get_by_role("link", name="抽查复核").is_hidden()

    # By keyboard: Enter opens the group, Tab walks its links, Escape closes it (focus back on
    # its button), Enter on a link follows it.
    results = group(page, "结果与年度")
    results.locator("summary").focus()
    page.keyboard.press("Enter")
    assert results.get_by_role("link", name="统计汇总").is_visible()
    page.keyboard.press("Escape")
    assert results.get_by_role("link", name="统计汇总").is_hidden()
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "培训档案"
    screenshot(page, "nav-desktop-keyboard")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == page.base_url + reverse("archive:people")
    assert marked_groups(page) == ["结果与年度"]


def test_the_office_finds_a_page_through_the_groups_on_a_phone(phone, demo):
    log_in(phone, "office", settings.DEMO_PASSWORD)
    assert phone.locator("nav.mainnav").is_hidden()
    phone.locator("label.nav-toggle-label").tap()
    summaries = phone.locator("nav.mainnav details.navgroup > summary")
    assert summaries.all_inner_texts() == [
        "组织与人员",
        "审核",
        "报送与培训",
        "规则与计划",
        "结果与年度",
        "系统",
    ]
    screenshot(phone, "nav-phone-groups")

    # By touch: a group opens its links below its heading.
    rules = group(phone, "规则与计划")
    rules.locator("summary").tap()
    assert rules.get_by_role("link", name="学分规则").is_visible()
    screenshot(phone, "nav-phone-open")
    with phone.expect_navigation():
        rules.get_by_role("link", name="学分规则").tap()
    assert phone.url == phone.base_url + reverse("policy:list")
    phone.locator("label.nav-toggle-label").tap()
    assert marked_groups(phone) == ["规则与计划"]
    screenshot(phone, "nav-phone-current")

    # By keyboard: Space on the menu's toggle, Tab to a group, Enter, Tab to its link, Enter.
    phone.goto(phone.base_url + reverse("core:home"))
    phone.locator("#nav-toggle").focus()
    phone.keyboard.press("Space")
    assert phone.locator("nav.mainnav").is_visible()
    people = group(phone, "组织与人员")
    people.locator("summary").focus()
    phone.keyboard.press("Enter")
    phone.keyboard.press("Tab")
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.textContent") == "人员"
    screenshot(phone, "nav-phone-keyboard")
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    assert phone.url == phone.base_url + reverse("orgs:people")
