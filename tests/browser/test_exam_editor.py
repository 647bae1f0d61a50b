"""The exam office's editor in a real browser: a question file with a bad row is refused with the
row and column named, the corrected file is imported, a paper drawn by rule is made on the form
and previewed; and a candidate who guesses one-time codes is locked out until the proctor
unlocks the check-in. No Content-Security-Policy violation."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, screenshot
from tests.browser.test_csp import RECORD_VIOLATIONS
from tests.browser.test_exams import _page, camera_browser  # noqa: F401  (a fixture)
from tests.exams import helpers as h
from xuefen.exams import actions, codes
from xuefen.exams.models import CheckIn, Paper, Question
from xuefen.exams.policy import checkin_guard

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("append_only_flush")]

HEADER = "科目,题型,题目,选项,答案,分值\n"
ROWS = "党纪法规,单选,哪一个？,甲|乙|丙,B,10\n党纪法规,判断,对吗？,,对,10\n"


def test_the_office_imports_the_bank_and_previews_a_drawn_paper(page, live_server, cast, tmp_path):
    page.add_init_script(RECORD_VIOLATIONS)
    log_in(page, "carol", cast.password)
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + ROWS + "公共管理,填空,哪种题？,,,5\n", encoding="utf-8")
    page.goto(page.base_url + "/exams/questions/import/")
    page.set_input_files("input[name=file]", str(bad))
    page.click("form button.primary")
    errors = page.get_by_test_id("import-errors")
    expect(errors).to_contain_text("题型")
    expect(errors.locator("tbody tr")).to_have_count(1)
    expect(errors.locator("tbody td").first).to_have_text("4")
    assert not Question.objects.exists()
    screenshot(page, "exams-import-errors")

    good = tmp_path / "good.csv"
    good.write_text(HEADER + ROWS, encoding="utf-8")
    page.set_input_files("input[name=file]", str(good))
    page.click("form button.primary")
    page.wait_for_url("**/exams/questions/")
    assert Question.objects.count() == 2

    page.goto(page.base_url + "/exams/papers/new/")
    page.fill("input[name=name]", "抽题卷")
    page.check("input[name=mode][value=drawn]")
    page.fill("textarea[name=rules]", "党纪法规, 单选, 1, 60\n党纪法规, 判断, 1, 40")
    page.click("form button.primary")
    page.wait_for_url("**/exams/papers/*/")
    expect(page.get_by_test_id("preview-total")).to_contain_text("100")
    expect(page.get_by_test_id("preview-1")).to_contain_text("哪一个？")
    expect(page.get_by_test_id("preview-2")).to_contain_text("对吗？")
    screenshot(page, "exams-paper-preview")
    assert Paper.objects.get(name="抽题卷").rules[0]["count"] == 1
    assert page.evaluate("window.__violations || []") == []


def test_guessed_codes_lock_the_check_in_until_the_proctor_unlocks_it(
    camera_browser,  # noqa: F811
    live_server,
    cast,
):
    exam = h.exam(cast, short=False)
    (candidate,) = actions.register_candidates(cast.carol, exam, [cast.lena_person])
    actions.register_photo(cast.carol, cast.lena_person, h.face(), exam.node)
    right = codes.code_for(candidate.pk, exam.pk)
    wrong = "000000" if right != "000000" else "111111"
    learner = _page(camera_browser, live_server)
    proctor = _page(camera_browser, live_server)

    log_in(learner, "lena", cast.password)
    learner.goto(learner.base_url + f"/exams/mine/{candidate.pk}/check-in/")
    learner.click("#checkin-camera")
    expect(learner.locator("#checkin-take")).to_be_enabled()
    learner.wait_for_function("() => document.getElementById('checkin-video').videoWidth > 0")
    learner.fill("#checkin-code", wrong)
    message = learner.get_by_test_id("checkin-message")
    for _ in range(checkin_guard().wrong_codes):
        expect(learner.locator("#checkin-take")).to_be_enabled()
        learner.click("#checkin-take")
        expect(message).to_have_class("error")
        expect(learner.locator("#checkin-take")).to_be_enabled()
    expect(message).to_contain_text("锁定")
    learner.fill("#checkin-code", right)
    learner.click("#checkin-take")
    expect(learner.locator("#checkin-take")).to_be_enabled()
    expect(message).to_contain_text("锁定")
    assert not CheckIn.objects.exists()
    screenshot(learner, "exams-checkin-locked")

    log_in(proctor, "carol", cast.password)
    proctor.goto(proctor.base_url + f"/exams/{exam.pk}/proctor/")
    proctor.get_by_test_id(f"unlock-{candidate.seat}").click()
    expect(proctor.get_by_test_id(f"unlock-{candidate.seat}")).to_have_count(0)

    learner.click("#checkin-take")
    expect(message).to_contain_text("等待监考")
    assert learner.evaluate("window.__violations || []") == []
    assert proctor.evaluate("window.__violations || []") == []
