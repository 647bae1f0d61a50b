"""A class from creation to credit, in a real browser: the credit office creates a class and
assigns a learner (调训); the learner signs up for another class from the menu on her phone;
attendance is taken with the rotating code on the classroom screen, scanned by the phone; the
class completes and credits her at once; her personal page shows the credit; she rates the
teacher; the teacher's page shows the rating. No Content-Security-Policy violation on the way."""

import datetime as dt
import types
from unittest import mock

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests import factories as f
from tests.browser.conftest import log_in, screenshot
from tests.browser.test_csp import RECORD_VIOLATIONS
from tests.training import helpers as h
from xuefen.accounts.roles import Role
from xuefen.ledger.models import Entry
from xuefen.training import actions
from xuefen.training.actions import completion
from xuefen.training.models import Attendance, Enrolment, TrainingClass

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("append_only_flush")]


def _session_times() -> tuple[str, str, str]:
    """Today, and a session from 20 minutes ago to 40 minutes from now (within the day)."""
    now = timezone.localtime().replace(second=0, microsecond=0, tzinfo=None)
    day_start = dt.datetime.combine(now.date(), dt.time(0, 0))
    day_end = dt.datetime.combine(now.date(), dt.time(23, 59))
    start = max(day_start, now - dt.timedelta(minutes=20))
    end = min(day_end, now + dt.timedelta(minutes=40))
    return now.date().isoformat(), start.strftime("%H:%M"), end.strftime("%H:%M")


def test_a_class_from_creation_to_credit_and_rating(page, phone, cast, settings):
    settings.TRAINING_RATING_MIN_RESPONSES = 1
    h.township_rules(cast)
    h.township(cast.lena_person)
    h.course(cast, "BR", name="党性教育专题")
    tina = f.user("tina", Role.TEACHER, cast.unit_a)
    h.teacher(cast, "周老师", user=tina)
    other = h.klass(cast, "MENU1", course_obj=h.course(cast, "MN", name="乡村振兴"))
    h.day_sessions(cast, other, timezone.localdate() + dt.timedelta(days=30), 1)
    actions.change_status(cast.carol, other, "publish")
    page.add_init_script(RECORD_VIOLATIONS)

    # The credit office creates the class, its session (running now) and assigns lena.
    log_in(page, "carol", cast.password)
    page.goto(page.base_url + "/training/classes/new/")
    page.select_option("select[name=course]", label="培训机构TP · BR 党性教育专题")
    page.fill("input[name=code]", "BR-1")
    page.fill("input[name=name]", "党性教育专题班")
    page.fill("input[name=capacity]", "10")
    page.uncheck("input[name=checkout_required]")
    page.click("form button[type=submit].primary")
    page.wait_for_load_state("networkidle")
    assert "班次已创建" in page.inner_text("main")
    klass = TrainingClass.objects.get(code="BR-1")

    page.click("a:has-text('添加课次')")
    page.wait_for_selector("input[name=date]")
    day, start, end = _session_times()
    page.fill("input[name=date]", day)
    page.select_option("select[name=half]", "evening")
    page.fill("input[name=starts_at]", start)
    page.fill("input[name=ends_at]", end)
    page.fill("input[name=hours]", "3")
    page.fill("input[name=topic]", "党的创新理论")
    page.select_option("select[name=teacher]", label="周老师（专职教师）")
    page.click("form button[type=submit].primary")
    page.wait_for_load_state("networkidle")
    page.click("button[data-step=publish]")
    page.wait_for_load_state("networkidle")
    assert page.inner_text("[data-testid=class-status]") == "报名中"

    page.click("a:has-text('调训学员')")
    page.wait_for_selector("select[name=unit]")
    page.select_option("select[name=unit]", str(cast.unit_a.pk))
    page.click("form.toolbar button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.check(f"input[name=people][value='{cast.lena_person.pk}']")
    page.click("form.stack button[type=submit].primary")
    page.wait_for_load_state("networkidle")
    assert "已安排 1 人参训" in page.inner_text("main")
    screenshot(page, "training-class-office")

    # Lena signs up for another class from the menu on her phone.
    log_in(phone, "lena", cast.password)
    phone.goto(phone.base_url + "/training/menu/")
    phone.locator("[data-testid=menu-MENU1] button", has_text="报名").click()
    phone.wait_for_load_state("networkidle")
    assert "报名成功" in phone.inner_text("main")
    assert Enrolment.objects.filter(klass=other, person=cast.lena_person).exists()
    screenshot(phone, "training-menu-phone")

    # The classroom screen shows the rotating code; the phone's camera opens it.
    session = klass.sessions.get()
    page.goto(page.base_url + f"/training/sessions/{session.pk}/screen/?d=in")
    page.wait_for_selector("#screen-qr[data-url]")
    link = page.get_attribute("#screen-qr", "data-url")
    assert link and "/training/c/" in link
    screenshot(page, "training-classroom-screen")
    phone.goto(link)
    phone.click("[data-testid=checkin-confirm]")
    phone.wait_for_load_state("networkidle")
    assert "签到" in phone.inner_text("[data-testid=checkin-done]")
    assert Attendance.objects.filter(session=session, person=cast.lena_person).exists()
    expect(page.locator("#screen-in")).to_have_text("1", timeout=15000)  # the next refresh

    # The session is over (the clock of the completion moved past its end) and the class completes.
    later = session.ends() + dt.timedelta(minutes=5)
    clock = types.SimpleNamespace(now=lambda: later, localtime=timezone.localtime)
    page.goto(page.base_url + f"/training/classes/{klass.pk}/")
    with mock.patch.object(completion, "timezone", clock):
        page.click("button[data-step=complete]")
        page.wait_for_load_state("networkidle")
    assert "1 人结业（1 人已登记学时）" in page.inner_text("main")
    entry = Entry.objects.get(person=cast.lena_person, source_type="class")

    # Her personal page shows the credit at once.
    phone.goto(phone.base_url + f"/reports/me/?period={entry.last_day.year}")
    assert "参加党性教育专题班（BR-1）" in phone.inner_text("main")
    screenshot(phone, "training-credit-on-personal-page")

    # She rates the class and its teacher.
    phone.goto(phone.base_url + "/training/mine/")
    phone.click("a:has-text('评价本班次')")
    phone.wait_for_selector("input[name=content]")
    for radio in ("content", "organisation"):
        phone.check(f"input[name={radio}][value='5']")
    phone.check("input[name^=teacher_content][value='4']")
    phone.check("input[name^=teacher_delivery][value='5']")
    phone.click("form button[type=submit].primary")
    phone.wait_for_load_state("networkidle")
    assert "作答已匿名记录" in phone.inner_text("main")

    # The teacher's page shows the rating (and not who gave it).
    teacher_page = page.context.browser.new_context(locale="zh-CN").new_page()  # type: ignore[union-attr]
    teacher_page.base_url = page.base_url  # type: ignore[attr-defined]
    log_in(teacher_page, "tina", cast.password)
    teacher_page.goto(page.base_url + "/training/teaching/")
    row = teacher_page.inner_text("[data-testid=score-BR-1]")
    assert "4.5" in row and cast.lena_person.name not in teacher_page.inner_text("main")
    screenshot(teacher_page, "training-teacher-ratings")
    teacher_page.context.close()

    assert page.evaluate("window.__violations || []") == []
