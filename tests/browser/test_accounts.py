"""Claiming an account in a real browser: the unit prints the letters, the person activates with
the ID number and the code on paper, and then logs in with the ID number."""

import pytest

from tests.browser.conftest import log_in, screenshot
from xuefen.accounts import actions
from xuefen.accounts.models import User

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("append_only_flush")]


def test_a_unit_prints_letters_and_a_person_claims_the_account(page, cast):
    log_in(page, "alice", cast.password)
    page.goto(page.base_url + f"/accounts/letters/?unit={cast.unit_a.pk}")
    assert cast.person_a.name in page.inner_text("body")
    screenshot(page, "activation-letters")
    with page.expect_download() as download:
        page.click("button[name=all_without_account]")
    assert download.value.suggested_filename.endswith(".pdf")

    # The code printed on the letter (the test issues a fresh one to know it).
    (letter,) = actions.issue_activation_letters(cast.alice, [cast.person_a])
    page.click("form[action$='/logout/'] button")
    page.goto(page.base_url + "/accounts/activate/")
    page.fill("input[name=id_number]", cast.person_a.id_number)
    page.fill("input[name=code]", actions.format_code(letter.code))
    page.fill("input[name=new_password1]", "my-own-secret-2026")
    page.fill("input[name=new_password2]", "my-own-secret-2026")
    screenshot(page, "activate")
    page.click("form button[type=submit].primary")
    page.wait_for_load_state("networkidle")
    assert User.objects.get(person=cast.person_a).username in page.inner_text("body")

    page.click("form[action$='/logout/'] button")
    log_in(page, cast.person_a.id_number, "my-own-secret-2026")
    assert page.url.rstrip("/") == page.base_url.rstrip("/")
