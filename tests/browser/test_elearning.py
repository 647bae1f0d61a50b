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
