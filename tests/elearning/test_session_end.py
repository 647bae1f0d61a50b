"""A learning session ends with the log-in it was opened in: after a log-out — or after the
account is deactivated — a script that kept the old cookie and token earns nothing; its events are
refused as "ended" and recorded. A log-out ends only that log-in's session."""

import json

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

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
