"""Check-in with the rotating code, as the phone does it (GET the page the code opens, POST the
confirmation): an expired or reused code, a second phone for the same person, a phone that already
checked someone else in, a scan outside the session's window and a forged code are each refused
with a clear message and change nothing."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.training import helpers as h
from xuefen.training import actions, codes
from xuefen.training.models import Attendance
from xuefen.training.views.checkin import DEVICE_COOKIE

PHONE_A = "phone-a-" + "x" * 20
PHONE_B = "phone-b-" + "y" * 20


def _phone(client, user, device=PHONE_A):
    client.force_login(user)
    client.cookies[DEVICE_COOKIE] = device
    return client


def _url(session, direction=codes.IN, moment=None):
    return reverse("training:checkin", args=[codes.make(session.pk, direction, moment)])


def _rows():
    return list(
        Attendance.objects.values_list("person_id", "checked_in_at", "checked_out_at", "device")
    )


def test_a_learner_checks_in_and_out_with_the_codes(client, cast, running):
    _k, session = running
    phone = _phone(client, cast.lena)
    page = phone.get(_url(session))
    assert page.status_code == 200 and "确认签到" in page.content.decode()
    done = phone.post(_url(session), {"receipt": page.context["receipt"]})
    assert done.status_code == 200 and "已于" in done.content.decode()
    row = Attendance.objects.get(session=session, person=cast.lena_person)
    assert row.checked_in_at is not None and row.device == codes.device_key(PHONE_A)
    # Check-out needs the check-out window: the session's end is near, so try it at the end.
    at_end = session.ends()
    actions.check(cast.lena, session, codes.OUT, codes.device_key(PHONE_A), at_end)
    row.refresh_from_db()
    assert row.checked_out_at == at_end and row.is_present(True)


def test_an_expired_code_is_refused_and_changes_nothing(client, cast, running):
    _k, session = running
    old = timezone.now() - dt.timedelta(seconds=3 * codes.step_seconds())
    phone = _phone(client, cast.lena)
    page = phone.get(_url(session, moment=old))
    assert page.status_code == 410 and "已过期" in page.content.decode()
    posted = phone.post(_url(session, moment=old))
    assert posted.status_code == 409 and "已过期" in posted.content.decode()
    assert _rows() == []


def test_a_reused_code_changes_nothing(client, cast, running):
    _k, session = running
    phone = _phone(client, cast.lena)
    url = _url(session)
    assert phone.post(url).status_code == 200
    before = _rows()
    again = phone.post(url)
    assert again.status_code == 409
    assert "已于" in again.content.decode() and "未作任何更改" in again.content.decode()
    assert _rows() == before


def test_the_same_person_on_a_second_phone_is_refused(client, cast, running):
    _k, session = running
    assert _phone(client, cast.lena, PHONE_A).post(_url(session)).status_code == 200
    before = _rows()
    other = _phone(client, cast.lena, PHONE_B).post(_url(session))
    assert other.status_code == 409 and "另一部手机" in other.content.decode()
    assert _rows() == before


def test_a_phone_checks_in_nobody_else(client, cast, running, ming):
    _k, session = running
    assert _phone(client, cast.lena, PHONE_A).post(_url(session)).status_code == 200
    before = _rows()
    proxy = _phone(client, ming, PHONE_A).post(_url(session))
    assert proxy.status_code == 409 and "其他学员" in proxy.content.decode()
    assert _rows() == before
    assert not Attendance.objects.filter(person=cast.person_a).exists()


def test_a_scan_outside_the_window_is_refused(cast, running):
    _k, session = running
    too_early = session.starts() - dt.timedelta(minutes=31)
    with pytest.raises(Exception) as refused:
        actions.check(cast.lena, session, codes.IN, codes.device_key(PHONE_A), too_early)
    assert refused.value.code == "outside_window"
    assert _rows() == []


def test_checking_out_outside_its_window_is_refused(client, cast, running):
    _k, session = running
    phone = _phone(client, cast.lena)
    phone.post(_url(session))
    before = _rows()
    if actions.window(session, codes.OUT).holds(timezone.now()):
        pytest.skip("the session's end is too near now to be outside the check-out window")
    refused = phone.post(_url(session, codes.OUT))
    assert refused.status_code == 409 and "签退时间" in refused.content.decode()
    assert _rows() == before


def test_a_session_on_another_day_refuses_todays_code(client, cast):
    k = h.klass(cast, "PAST")
    past = h.day_sessions(cast, k, dt.date(h.YEAR, 1, 5), 1)[0]
    actions.change_status(cast.carol, k, "publish")
    actions.assign(cast.carol, k, [cast.lena_person])
    refused = _phone(client, cast.lena).post(_url(past))
    assert refused.status_code == 409 and "签到时间为" in refused.content.decode()
    assert _rows() == []


def test_a_forged_code_is_not_found(client, cast, running):
    _k, session = running
    token = codes.make(session.pk, codes.IN)
    forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    response = _phone(client, cast.lena).post(reverse("training:checkin", args=[forged]))
    assert response.status_code == 404
    assert _rows() == []


def test_someone_not_on_the_roster_learns_nothing(client, cast, running):
    _k, session = running
    outsider = _phone(client, cast.alice)
    assert outsider.post(_url(session)).status_code == 404
    assert _rows() == []


def test_a_phone_that_logs_in_after_scanning_keeps_its_scan(client, cast, running):
    _k, session = running
    url = _url(session)
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and anonymous.url.startswith(reverse("accounts:login"))
    later = timezone.now() + dt.timedelta(seconds=3 * codes.step_seconds())
    # The log-in (in this same browser) takes longer than the code lives.
    client.post(reverse("accounts:login"), {"username": "lena", "password": cast.password})
    client.cookies[DEVICE_COOKIE] = PHONE_A
    from unittest import mock

    with mock.patch("django.utils.timezone.now", return_value=later):
        page = client.get(url)
    assert page.status_code == 200, page.content.decode()[:300]
    done = client.post(url, {"receipt": page.context["receipt"]})
    assert done.status_code == 200
    assert Attendance.objects.filter(person=cast.lena_person, session=session).exists()


def test_a_phone_without_its_cookie_is_asked_to_allow_it(client, cast, running):
    _k, session = running
    client.force_login(cast.lena)
    refused = client.post(_url(session))
    assert refused.status_code == 409 and "Cookie" in refused.content.decode()
    assert _rows() == []
    assert refused.cookies[DEVICE_COOKIE].value  # the page gave the phone its cookie


def test_a_mark_given_back_to_the_code_lets_the_learner_check_in(client, cast, running):
    _k, session = running
    actions.correct(cast.carol, session, cast.lena_person.pk, "absent", "未到")
    refused = _phone(client, cast.lena).post(_url(session))
    assert refused.status_code == 409 and "班次管理员已登记" in refused.content.decode()
    actions.correct(cast.carol, session, cast.lena_person.pk, "", "本人已到，改由签到码")
    assert _phone(client, cast.lena).post(_url(session)).status_code == 200
    row = Attendance.objects.get(session=session, person=cast.lena_person)
    assert row.checked_in_at is not None and row.mark == "" and row.source == "code"
