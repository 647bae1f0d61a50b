"""Whole journeys in a real browser, as the people who use Xuefen walk them."""

import datetime as dt

import pytest

from tests.browser.conftest import log_in, screenshot
from xuefen.ledger.actions import post_entry
from xuefen.orgs.models import Person
from xuefen.policy.actions import import_ruleset
from xuefen.policy.shipped import shipped_texts

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("append_only_flush")]


def test_unit_admin_searches_a_person_and_opens_the_import_page(page, cast):
    log_in(page, "alice", cast.password)
    screenshot(page, "home-unit-admin")

    page.goto(page.base_url + "/orgs/people/")
    page.fill("input[name=q]", "李明")
    page.click("form.toolbar button[type=submit]")
    page.wait_for_load_state("networkidle")
    rows = page.locator("table tbody tr")
    assert rows.count() == 1
    assert "李明" in rows.first.inner_text()
    # Unit B's person is not to be found, whatever the search.
    assert "王芳" not in page.content()
    screenshot(page, "people-search")

    page.goto(page.base_url + "/orgs/people/")
    page.get_by_role("link", name="导入").first.click()
    page.wait_for_load_state("networkidle")
    assert page.locator("input[type=file]").count() == 1
    assert page.locator("a[href$='template/']").count() >= 1 or "模板" in page.content()
    screenshot(page, "people-import")


def test_unit_admin_of_b_gets_not_found_for_a_person_of_a(page, cast):
    log_in(page, "bob", cast.password)
    response = page.goto(page.base_url + f"/orgs/people/{cast.person_a.pk}/")
    assert response is not None and response.status == 404


def test_learner_sees_the_gap_on_a_phone_and_gets_a_transcript(phone, cast):
    person = cast.lena_person
    Person.objects.filter(pk=person.pk).update(category=Person.Category.PROFESSIONAL)
    import_ruleset(cast.carol, shipped_texts()["professional_hunan"], cast.region)
    for number, (amount, categories) in enumerate(
        [(50, ["professional", "offline"]), (24, ["public", "online"])], start=1
    ):
        post_entry(
            cast.carol,
            person,
            last_day=dt.date(2026, 5, number),
            categories=categories,
            amount=amount,
            unit="hours",
            source_type="class",
            source_id=f"journey-{number}",
            description=f"培训班 {number}",
        )

    log_in(phone, "lena", cast.password)
    phone.goto(phone.base_url + "/reports/me/?period=2026")
    text = phone.inner_text("body")
    # 湖南 rules (湘人社办函〔2025〕37号): 专业 60 and 公需 30 of 90; she has 50 and 24.
    assert "还差 专业科目 10 学时" in text
    assert "还差 公需科目 6 学时" in text
    assert "74 / 90" in text
    screenshot(phone, "personal-page-phone")

    phone.click("form[action*='/certificate/'] button[type=submit]")
    phone.wait_for_url("**/certificate/**")
    response = phone.request.get(phone.url)
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
