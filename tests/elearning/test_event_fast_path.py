"""POST /elearning/events/ is answered ahead of the general middleware stack
(elearning.middleware.EventMiddleware). Every case here is played both ways — "fast" as the site
runs, "slow" with that middleware taken out (the request then passes the whole stack to the view)
— and must give the same answer, the same words and record the same refusals and intervals."""

import datetime as dt
import json

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from tests import factories as f
from tests.elearning import helpers as h
from xuefen.audit.middleware import AuditContextMiddleware
from xuefen.elearning.models import LearningSession, RefusedEvent, Uncounted, Watched

pytestmark = pytest.mark.django_db

FAST = "xuefen.elearning.middleware.EventMiddleware"
URL = "/elearning/events/"


@pytest.fixture(params=["fast", "slow"])
def way(request, settings):
    assert FAST in django_settings.MIDDLEWARE  # the site runs the fast way
    if request.param == "slow":
        settings.MIDDLEWARE = [m for m in django_settings.MIDDLEWARE if m != FAST]
    return request.param


_open = h.open_in_browser


def _send(client: Client, token: str, seq: int, kind: str, position: float, **headers):
    body = {"token": token, "seq": seq, "kind": kind, "position": position, "rate": 1}
    return client.post(URL, json.dumps(body), content_type="application/json", headers=headers)


def _refused() -> list[tuple[str, int | None, int | None]]:
    return list(RefusedEvent.objects.order_by("pk").values_list("reason", "seq", "person_id"))


def test_the_event_is_answered_before_the_general_middleware(client, cast, lesson, monkeypatch):
    token = _open(client, cast, lesson)

    def not_run(self, request):
        raise AssertionError("the general middleware ran")

    monkeypatch.setattr(AuditContextMiddleware, "__call__", not_run)
    assert _send(client, token, 1, "play", 0).status_code == 200
    with pytest.raises(AssertionError, match="general middleware"):
        client.get(reverse("elearning:record"))  # every other request still passes it


def test_honest_events_are_accepted_and_credited(client, cast, lesson, way):
    token = _open(client, cast, lesson)
    assert _send(client, token, 1, "play", 0).json()["accepted"]
    session = LearningSession.objects.get(token=token)
    # the playhead where normal-speed playback puts it (its clock: the session's last event)
    LearningSession.objects.filter(pk=session.pk).update(
        last_event_at=session.last_event_at - dt.timedelta(seconds=10),
        interaction_at=session.interaction_at - dt.timedelta(seconds=10),
    )
    answer = _send(client, token, 2, "tick", 10)
    assert answer.status_code == 200
    assert answer.json() == {
        "accepted": True,
        "counted": 10.0,
        "watched": 10.0,
        "refusal": "",
        "refusal_label": "",
        "prompt": "",
        "uncounted": [],
        "completed": False,
    }
    assert Watched.objects.get(person=cast.lena_person, resource=lesson["video"]).seconds == 10
    assert _refused() == []


def test_the_answers_carry_the_same_headers(cast, lesson, settings):
    headers = {}
    for way in ("fast", "slow"):
        if way == "slow":
            settings.MIDDLEWARE = [m for m in django_settings.MIDDLEWARE if m != FAST]
        client = Client()
        token = _open(client, cast, lesson)
        answer = _send(client, token, 1, "play", 0)
        assert answer.status_code == 200
        headers[way] = {k: v for k, v in answer.headers.items() if k not in ("Date",)}
    assert headers["fast"] == headers["slow"]
    assert headers["fast"]["Content-Language"] == "zh-hans"
    assert "no-store" in headers["fast"]["Cache-Control"]
    assert headers["fast"]["X-Frame-Options"] == "DENY"


def test_without_the_log_in_cookie_the_event_is_refused_as_forged(client, cast, lesson, way):
    token = _open(client, cast, lesson)
    client.cookies.pop(django_settings.SESSION_COOKIE_NAME)
    answer = _send(client, token, 1, "play", 0)
    assert answer.status_code == 409
    assert answer.json()["refusal"] == "forged"
    assert answer.json()["refusal_label"] == "不是本人学习会话的事件"
    assert _refused() == [("forged", 1, cast.lena_person.pk)]
    assert LearningSession.objects.get(token=token).seq == 0


def test_another_persons_learning_session_is_refused_as_forged(client, cast, lesson, way):
    _open(client, cast, lesson)
    ming = f.user("ming", person=cast.person_a)
    theirs = h.Player(ming, lesson["course"], lesson["video"])  # opened in ming's own log-in
    answer = _send(client, theirs.token, 1, "play", 0)
    assert answer.status_code == 409 and answer.json()["refusal"] == "forged"
    assert _refused() == [("forged", 1, cast.person_a.pk)]
    assert theirs.refresh().seq == 0
    made_up = _send(client, "made-up-token", 1, "play", 0)
    assert made_up.status_code == 409 and made_up.json()["refusal"] == "forged"
    assert _refused()[-1] == ("forged", 1, None)


def test_a_cross_site_request_cannot_name_the_session_and_earns_nothing(client, cast, lesson, way):
    token = _open(client, cast, lesson)
    # CSRF checks on, the log-in cookie sent along (as a browser sends it with a cross-site
    # request): an ordinary form is refused without its CSRF token; the event has none of its
    # own — the learning session's token is the secret another site cannot know.
    other_site = Client(enforce_csrf_checks=True)
    other_site.cookies = client.cookies
    page = other_site.post(
        reverse("elearning:start", args=[lesson["course"].pk, lesson["video"].pk])
    )
    assert page.status_code == 403
    guessed = _send(other_site, "x" * 43, 1, "play", 0, Origin="https://evil.example")
    assert guessed.status_code == 409 and guessed.json()["refusal"] == "forged"
    nameless = other_site.post(URL, json.dumps({"seq": 1}), content_type="application/json")
    assert nameless.status_code == 400 and nameless.json()["error"]["code"] == "malformed"
    assert _refused() == [("forged", 1, None)]
    assert LearningSession.objects.get(token=token).seq == 0
    assert _send(other_site, token, 1, "play", 0).json()["accepted"]  # the player page's own


def test_a_replayed_event_is_refused_in_the_learners_language(client, cast, lesson, way):
    token = _open(client, cast, lesson)
    assert _send(client, token, 1, "play", 0).status_code == 200
    again = _send(client, token, 1, "play", 0, Accept_Language="en")
    assert again.status_code == 409
    # the browser's language does not decide (as on every page): the switch's cookie does
    assert again.json()["refusal_label"] == "重放（序号已用过）"
    assert again.headers["Content-Language"] == "zh-hans"
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    english = _send(client, token, 1, "play", 0)
    assert english.json()["refusal_label"] == "Replayed (a sequence number already used)"
    assert english.headers["Content-Language"] == "en"
    assert _refused() == [("replayed", 1, cast.lena_person.pk)] * 2


def test_an_impossible_event_records_the_interval_that_did_not_count(client, cast, lesson, way):
    token = _open(client, cast, lesson)
    assert _send(client, token, 1, "play", 0).status_code == 200
    answer = _send(client, token, 2, "tick", 300)  # five minutes of video within a moment
    assert answer.status_code == 409
    assert answer.json()["refusal"] == "impossible"
    assert answer.json()["refusal_label"] == "报告的进度超过经过的时间"
    assert _refused() == [("impossible", 2, cast.lena_person.pk)]
    rows = list(Uncounted.objects.values_list("start", "end", "reason"))
    assert rows == [(0.0, 300.0, "impossible")]
    assert Watched.objects.get(person=cast.lena_person, resource=lesson["video"]).seconds == 0


def test_what_is_not_an_event_is_answered_as_before(client, cast, lesson, way):
    token = _open(client, cast, lesson)
    bad = client.post(URL, "not json", content_type="application/json")
    assert bad.status_code == 400
    assert bad.json()["error"] == {"code": "malformed", "message": "不是有效的播放事件"}
    big = client.post(
        URL, json.dumps({"token": token, "pad": "x" * 3000}), content_type="application/json"
    )
    assert big.status_code == 413 and big.json()["error"]["code"] == "too_large"
    assert client.get(URL).status_code == 405
    assert _refused() == []  # not events: nothing recorded
    assert (
        client.post(
            URL, "{}", content_type="application/json", HTTP_HOST="evil.example"
        ).status_code
        == 400
    )
