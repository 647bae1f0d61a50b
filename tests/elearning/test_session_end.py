"""A learning session ends with the log-in it was opened in: after a log-out — or after the
account is deactivated — a script that kept the old cookie and token earns nothing; its events are
refused as "ended" and recorded. A log-out ends only that log-in's session."""

import datetime as dt
import json

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.elearning import helpers as h
from xuefen.accounts import actions as account_actions
from xuefen.elearning.models import LearningSession, RefusedEvent, Watched

pytestmark = pytest.mark.django_db

URL = "/elearning/events/"


_open = h.open_in_browser


def _send(client: Client, token: str, seq: int, kind: str, position: float):
    body = {"token": token, "seq": seq, "kind": kind, "position": position, "rate": 1}
    return client.post(URL, json.dumps(body), content_type="application/json")


def _script_with_cookie_of(client: Client) -> Client:
    """An auto-play script that copied the browser's log-in cookie."""
    script = Client()
    name = django_settings.SESSION_COOKIE_NAME
    script.cookies[name] = client.cookies[name].value
    return script


def _watched(cast, lesson) -> float:
    row = Watched.objects.filter(person=cast.lena_person, resource=lesson["video"]).first()
    return row.seconds if row else 0.0


def test_after_log_out_the_kept_cookie_earns_nothing(client, cast, lesson):
    token = _open(client, cast, lesson)
    script = _script_with_cookie_of(client)
    assert _send(script, token, 1, "play", 0).status_code == 200  # the cookie works while logged in
    assert client.post(reverse("accounts:logout")).status_code in (200, 302)
    assert LearningSession.objects.get(token=token).status == LearningSession.Status.ENDED
    before = _watched(cast, lesson)
    answer = _send(script, token, 2, "tick", 30)
    assert answer.status_code == 409
    assert answer.json()["refusal"] == "ended"
    assert answer.json()["refusal_label"] == "该会话已结束"
    assert list(RefusedEvent.objects.values_list("reason", "seq")) == [("ended", 2)]
    assert _watched(cast, lesson) == before


def test_a_log_out_ends_only_the_session_of_that_log_in(client, cast, lesson):
    token = _open(client, cast, lesson)
    # lena opens a second log-in elsewhere (a phone); her desktop session is replaced there
    phone = h.Player(cast.lena, lesson["course2"], lesson["other"])
    other = Client()
    other.force_login(cast.lena)
    assert other.post(reverse("accounts:logout")).status_code in (200, 302)
    assert LearningSession.objects.get(token=token).status == LearningSession.Status.SUPERSEDED
    assert phone.refresh().status == LearningSession.Status.ACTIVE  # not that log-in's session


def test_a_deactivated_account_learns_no_more(client, cast, lesson):
    token = _open(client, cast, lesson)
    account_actions.set_active(cast.sam, cast.lena, False)
    assert LearningSession.objects.get(token=token).status == LearningSession.Status.ENDED
    answer = _send(client, token, 1, "play", 0)
    assert answer.status_code == 409 and answer.json()["refusal"] == "ended"
    # reactivated: the old session stays ended
    account_actions.set_active(cast.sam, cast.lena, True)
    assert LearningSession.objects.get(token=token).status == LearningSession.Status.ENDED


# --- the log-in's own life: idle expiry, and a new password ---------------------------------------


def test_a_log_in_expired_when_idle_ends_the_learning(client, cast, lesson):
    token = _open(client, cast, lesson)
    assert _send(client, token, 1, "play", 0).status_code == 200
    # nobody touched the browser for the idle time: the log-in's row has expired
    key = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - dt.timedelta(0, 1))
    before = _watched(cast, lesson)
    answer = _send(client, token, 2, "tick", 15)
    assert answer.status_code == 409
    assert answer.json()["refusal"] == "logged_out"
    assert answer.json()["refusal_label"] == "登录已结束或已超时，请重新登录后继续学习"
    assert LearningSession.objects.get(token=token).status == LearningSession.Status.ENDED
    assert list(RefusedEvent.objects.values_list("reason", "seq")) == [("logged_out", 2)]
    assert _watched(cast, lesson) == before
    # and the session stays ended however the script goes on
    assert _send(client, token, 3, "tick", 30).json()["refusal"] == "ended"


def _long_video_player(cast) -> h.Player:
    """lena on a 60-minute video, her log-in (idle time 30 minutes) last used at T0."""
    video = h.video(cast, "一小时视频", 3600)
    player = h.Player(cast.lena, h.course(cast, "C9", video), video)
    age = dt.timedelta(seconds=django_settings.SESSION_COOKIE_AGE)
    Session.objects.filter(session_key=player.login).update(expire_date=h.T0 + age)
    return player


def _expiry(player: h.Player) -> dt.datetime:
    return Session.objects.get(session_key=player.login).expire_date


def test_a_learner_who_answers_the_prompts_keeps_the_log_in_alive(cast, lesson):
    """Forty minutes of honest watching, the "still learning?" prompt answered each time: the
    log-in outlives its 30 minutes of idle time and every second counts."""
    player = _long_video_player(cast)
    player.send("play", 0, 0)
    for clock in range(15, 2401, 15):
        result = player.send("tick", clock, clock)
        assert result.accepted, (clock, result)
        if result.prompt:
            assert player.send("answer", clock, clock, answer=result.prompt).accepted
    assert _watched_of(cast, player) == 2400
    assert _expiry(player) >= h.T0 + dt.timedelta(seconds=2400 - 60 + 1800)
    assert not RefusedEvent.objects.exists()


def test_a_player_left_alone_lets_the_log_in_expire(cast, lesson):
    """Nobody answers the prompt: time stops counting at the interaction interval (10 minutes),
    the log-in is no longer kept alive from then on and expires 30 minutes later; the script's
    next event is refused and the learning session ends."""
    player = _long_video_player(cast)
    player.send("play", 0, 0)
    clock, result = 0, None
    while clock < 3600:
        clock += 15
        result = player.send("tick", clock, clock)
        if not result.accepted:
            break
    assert result is not None and result.refusal == "logged_out"
    expired = _expiry(player)
    assert expired <= h.T0 + dt.timedelta(seconds=600 + 1800)  # last kept alive by 10 minutes
    assert h.T0 + dt.timedelta(seconds=clock) >= expired
    assert h.T0 + dt.timedelta(seconds=clock - 15) < expired  # refused at the first event after
    assert _watched_of(cast, player) == 600
    assert player.refresh().status == LearningSession.Status.ENDED
    assert list(RefusedEvent.objects.values_list("reason", flat=True)) == ["logged_out"]


def _watched_of(cast, player: h.Player) -> float:
    row = Watched.objects.filter(person=cast.lena_person, resource=player.session.resource_id)
    return row.get().seconds


def test_a_password_reset_by_the_office_ends_the_learning(client, cast, lesson):
    token = _open(client, cast, lesson)
    account_actions.reset_password(cast.sam, cast.lena, "Temp-Pass-2026-x")
    assert LearningSession.objects.get(token=token).status == LearningSession.Status.ENDED
    answer = _send(_script_with_cookie_of(client), token, 1, "play", 0)
    assert answer.status_code == 409 and answer.json()["refusal"] == "ended"


def test_a_learner_changing_her_password_ends_her_learning_sessions(client, cast, lesson):
    token = _open(client, cast, lesson)
    account_actions.change_password(cast.lena, cast.lena, "Lena-New-Pass-2026")
    assert LearningSession.objects.get(token=token).status == LearningSession.Status.ENDED


def test_saving_the_account_for_anything_else_leaves_the_learning_alone(client, cast, lesson):
    token = _open(client, cast, lesson)
    cast.lena.first_name = "莉娜"
    cast.lena.save()  # no new password, still active
    cast.lena.last_login = timezone.now()
    cast.lena.save(update_fields=["last_login"])
    assert LearningSession.objects.get(token=token).status == LearningSession.Status.ACTIVE
    assert _send(client, token, 1, "play", 0).status_code == 200
