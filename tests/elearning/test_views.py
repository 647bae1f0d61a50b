"""The pages and endpoints as a learner, the credit office and an auditor see them."""

import json

import pytest
from django.urls import reverse

from tests.elearning import helpers as h
from xuefen.elearning.models import LearningSession, Uncounted

pytestmark = pytest.mark.django_db


def test_the_event_endpoint_judges_json_events(client, cast, lesson):
    client.force_login(cast.lena)
    started = client.post(
        reverse("elearning:start", args=[lesson["course"].pk, lesson["video"].pk]), {"position": 0}
    ).json()
    url = reverse("elearning:event")
    body = {"token": started["token"], "seq": 1, "kind": "play", "position": 0, "rate": 1}
    first = client.post(url, json.dumps(body), content_type="application/json")
    assert first.status_code == 200 and first.json()["accepted"]
    again = client.post(url, json.dumps(body), content_type="application/json")
    assert again.status_code == 409 and again.json()["refusal"] == "replayed"
    assert again.json()["refusal_label"] == "重放（序号已用过）"  # the words, not the code
    bad = client.post(url, "not json", content_type="application/json")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "malformed"
    assert bad.json()["error"]["message"] == "不是有效的播放事件"
    big = client.post(url, json.dumps({**body, "pad": "x" * 3000}), content_type="application/json")
    assert big.status_code == 413 and big.json()["error"]["code"] == "too_large"


def test_a_video_is_served_with_range_requests(client, cast, lesson):
    client.force_login(cast.lena)
    url = reverse("elearning:media", args=[lesson["video"].pk])
    whole = client.get(url)
    size = len(h.DEMO_VIDEO.read_bytes())
    assert whole.status_code == 200 and whole["Accept-Ranges"] == "bytes"
    assert int(whole["Content-Length"]) == size
    part = client.get(url, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 100-199/{size}"
    assert b"".join(part.streaming_content) == h.DEMO_VIDEO.read_bytes()[100:200]
    assert client.get(url, headers={"Range": f"bytes={size + 10}-"}).status_code == 416


def test_the_front_server_sends_the_file_after_the_check(client, cast, lesson, settings):
    settings.ELEARNING_SENDFILE = "x-accel-redirect"
    client.force_login(cast.lena)
    response = client.get(reverse("elearning:media", args=[lesson["video"].pk]))
    assert response["X-Accel-Redirect"].startswith("/protected/elearning/")
    assert response.content == b""


def test_the_learner_sees_each_interval_that_did_not_count_and_why(client, cast, lesson):
    player = h.Player(cast.lena, lesson["course"], lesson["video"])
    player.send("play", 0, 0)
    player.send("seek", 500, 5, **{"from": 5})
    client.force_login(cast.lena)
    page = client.get(reverse("elearning:record")).content.decode()
    assert "拖动跳过" in page and "十分钟视频" in page
    player_page = client.get(
        reverse("elearning:player", args=[lesson["course"].pk, lesson["video"].pk])
    )
    assert player_page.status_code == 200 and b"<video" in player_page.content


def test_the_auditor_sees_reasons_and_people_in_scope(
    client, cast, lesson, django_assert_max_num_queries
):
    for _n in range(3):
        player = h.Player(cast.lena, lesson["course"], lesson["video"])
        player.send("play", 0, 0)
        player.send("tick", 300, 10)
    assert Uncounted.objects.count() == 3
    client.force_login(cast.dave)
    with django_assert_max_num_queries(20):
        page = client.get(reverse("elearning:audit"))
    body = page.content.decode()
    assert "报告的进度超过经过的时间" in body and "林娜" in body
    person = client.get(reverse("elearning:person", args=[cast.lena_person.pk]))
    assert person.status_code == 200


def test_the_office_sees_view_statistics(client, cast, lesson):
    h.Player(cast.lena, lesson["course"], lesson["video"]).watch(0, 30)
    client.force_login(cast.carol)
    page = client.get(reverse("elearning:manage")).content.decode()
    assert "十分钟视频" in page and "C1" in page
    assert LearningSession.objects.count() == 1
