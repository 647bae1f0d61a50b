"""An exam sat in a real browser: the candidate enters the one-time code and checks in with the
camera — Chromium's fake camera plays a video made from the shipped face photo — the proctor sees
the registered photo beside the live one and confirms, the paper opens, the answers autosave, the
candidate hands in and sees the pass, credited once. No Content-Security-Policy violation."""

from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import CHROMIUM, log_in, screenshot
from tests.browser.test_csp import RECORD_VIOLATIONS
from tests.exams import helpers as h
from xuefen.exams import actions, codes
from xuefen.exams.models import Attempt
from xuefen.ledger.models import Entry

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("append_only_flush")]


def face_video(path: Path, frames: int = 15) -> Path:
    """A Y4M video (what Chromium's fake camera plays) of the shipped face on a grey 640×480
    frame, 4:2:0 as the format's C420jpeg header says."""
    image = cv2.imread(str(h.FACE))
    frame = np.full((480, 640, 3), 200, np.uint8)
    frame[30:450, 140:500] = cv2.resize(image, (360, 420))
    planes = cv2.cvtColor(frame, cv2.COLOR_BGR2YUV_I420).tobytes()
    with path.open("wb") as out:
        out.write(b"YUV4MPEG2 W640 H480 F15:1 Ip A1:1 C420jpeg\n")
        for _ in range(frames):
            out.write(b"FRAME\n" + planes)
    return path


@pytest.fixture
def camera_browser(browser, tmp_path: Path) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A second Chromium from the package's Playwright, with a fake camera playing the face."""
    video = face_video(tmp_path / "face.y4m")
    instance = browser.browser_type.launch(
        executable_path=CHROMIUM,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    yield instance
    instance.close()


def _page(browser, live_server):  # type: ignore[no-untyped-def]
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 1280, "height": 900}, permissions=["camera"]
    )
    pg = context.new_page()
    pg.set_default_timeout(20000)
    pg.base_url = live_server.url
    pg.add_init_script(RECORD_VIOLATIONS)
    return pg


def test_a_candidate_sits_the_exam_after_the_proctors_confirmation(
    camera_browser, live_server, cast
):
    exam = h.exam(cast, short=False)
    (candidate,) = actions.register_candidates(cast.carol, exam, [cast.lena_person])
    actions.register_photo(cast.carol, cast.lena_person, h.face(), exam.node)
    learner = _page(camera_browser, live_server)
    proctor = _page(camera_browser, live_server)

    # The candidate: the one-time code and a photo from the camera.
    log_in(learner, "lena", cast.password)
    learner.goto(learner.base_url + "/exams/mine/")
    learner.click(f"[data-testid=exam-{exam.pk}] a")
    learner.fill("#checkin-code", codes.code_for(candidate.pk, exam.pk))
    learner.click("#checkin-camera")
    expect(learner.locator("#checkin-take")).to_be_enabled()
    learner.wait_for_function("() => document.getElementById('checkin-video').videoWidth > 0")
    learner.click("#checkin-take")
    expect(learner.get_by_test_id("checkin-message")).to_contain_text("等待监考")
    expect(learner.get_by_test_id("start-exam")).to_be_hidden()
    screenshot(learner, "exams-checkin-waiting")

    # The proctor compares the registered photo with the live one and confirms.
    log_in(proctor, "carol", cast.password)
    proctor.goto(proctor.base_url + f"/exams/{exam.pk}/proctor/")
    pair = proctor.get_by_test_id("checkin-1")
    expect(pair.locator("img")).to_have_count(2)
    assert pair.locator("img").nth(1).evaluate("img => img.naturalWidth") == 640
    screenshot(proctor, "exams-proctor")
    proctor.get_by_test_id("confirm-1").click()
    expect(proctor.get_by_test_id("no-pending")).to_be_visible()

    # The paper opens for the candidate once the page hears of the confirmation.
    learner.get_by_test_id("start-exam").click()
    learner.wait_for_url("**/attempts/*/")
    expect(learner.get_by_test_id("exam-clock")).to_contain_text(":")
    learner.locator("[data-testid=question-1] input[value='1']").check()
    learner.locator("[data-testid=question-2] input[value='0']").check()
    learner.locator("[data-testid=question-2] input[value='2']").check()
    learner.locator("[data-testid=question-3] input[value='true']").check()
    expect(learner.locator("#exam-saved")).to_contain_text("已保存")
    attempt = Attempt.objects.get(person=cast.lena_person)
    for _ in range(50):  # the three autosaves are in flight together
        if attempt.answers.count() == 3:
            break
        learner.wait_for_timeout(200)
    assert attempt.answers.count() == 3
    screenshot(learner, "exams-paper")
    learner.once("dialog", lambda dialog: dialog.accept())
    learner.get_by_test_id("submit-exam").click()
    learner.wait_for_url("**/result/")
    expect(learner.get_by_test_id("attempt-result")).to_have_text("合格")
    expect(learner.get_by_test_id("attempt-score")).to_have_text("70")
    screenshot(learner, "exams-result")
    assert Entry.objects.filter(person=cast.lena_person, source_type="exam").count() == 1
    assert learner.evaluate("window.__violations || []") == []
    assert proctor.evaluate("window.__violations || []") == []
