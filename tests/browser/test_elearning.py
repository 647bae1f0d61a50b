"""Online learning in a real browser on a phone: the learner plays part of a short demo video at
normal speed and pauses; the server credits exactly the part played, and the course page shows
that share. No Content-Security-Policy violation on the way."""

import pytest

from tests.browser.conftest import log_in, screenshot
from tests.browser.test_csp import RECORD_VIOLATIONS
from tests.elearning import helpers as h
from xuefen.elearning.models import Uncounted, Watched
from xuefen.orgs.models import Person

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("append_only_flush")]


def test_watching_part_of_a_video_credits_exactly_that_share(phone, cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"
    Person.objects.filter(pk=cast.lena_person.pk).update(category=Person.Category.TOWNSHIP)
    h.rules(cast)
    video = h.video(cast, "二十秒视频", 20)  # the demo's lesson1.webm, 20 seconds long
    course = h.course(cast, "WL1", video)
    phone.add_init_script(RECORD_VIOLATIONS)

    log_in(phone, "lena", cast.password)
    phone.goto(phone.base_url + "/elearning/")
    phone.click("text=网络课程WL1")
    phone.click("text=二十秒视频")
    phone.wait_for_selector("#learn[data-ready='1']")
    phone.wait_for_function("() => document.getElementById('video').readyState >= 1")
    phone.evaluate(
        "() => { const v = document.getElementById('video'); v.muted = true; return v.play(); }"
    )
    phone.wait_for_function(
        "() => document.getElementById('video').currentTime >= 8", timeout=30000
    )
    played = phone.evaluate(
        "() => { const v = document.getElementById('video'); v.pause(); return v.currentTime; }"
    )
    phone.evaluate("() => window.xuefenLearning.settled()")
    screenshot(phone, "elearning-player-phone")

    row = Watched.objects.get(person=cast.lena_person, resource=video)
    assert row.seconds == pytest.approx(played, abs=0.05)
    assert row.intervals[0][0] == 0
    assert not Uncounted.objects.filter(person=cast.lena_person).exists()
    share = round(100 * played / 20)
    phone.goto(phone.base_url + f"/elearning/courses/{course.pk}/")
    assert f"{share}%" in phone.inner_text("[data-testid=course-share]")
    assert phone.evaluate("window.__violations || []") == []


def test_a_learner_takes_the_course_test_on_a_phone(phone, cast, settings, tmp_path):
    from xuefen.elearning import actions
    from xuefen.elearning.models import QuizAttempt

    settings.MEDIA_ROOT = tmp_path / "files"
    h.rules(cast)
    course = h.course(cast, "WT1", h.video(cast, "测试课视频", 20), rule="watch_and_test")
    actions.add_question(cast.carol, course, "会计凭证应当真实吗？", ["对", "错"], [1])
    actions.add_question(
        cast.carol, course, "下列属于资产的有？", ["现金", "应付账款", "存货"], [1, 3]
    )
    phone.add_init_script(RECORD_VIOLATIONS)

    log_in(phone, "lena", cast.password)
    phone.goto(phone.base_url + f"/elearning/courses/{course.pk}/")
    phone.click("[data-testid=take-test]")
    phone.check("[data-testid=question-1] >> text=对")
    phone.check("[data-testid=question-2] >> text=现金")
    phone.check("[data-testid=question-2] >> text=存货")
    screenshot(phone, "elearning-test-phone")
    phone.click("[data-testid=submit-test]")
    result = phone.inner_text("[data-testid=test-result]")
    assert "100" in result and "合格" in result
    attempt = QuizAttempt.objects.get(person=cast.lena_person, course=course)
    assert attempt.passed and str(attempt.score) == "100.0"
    assert phone.evaluate("window.__violations || []") == []
