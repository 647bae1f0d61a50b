"""The office edits and retires its resources, with clear errors for a refused file; a forged or
replayed event sent to the endpoint earns nothing."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.elearning import helpers as h
from xuefen.elearning.models import RefusedEvent, Resource, Watched

pytestmark = pytest.mark.django_db


def test_the_office_changes_a_video_and_its_file(client, cast, lesson):
    client.force_login(cast.carol)
    video = lesson["video"]
    old_name = video.stored_name
    url = reverse("elearning:resource_edit", args=[video.pk])
    upload = SimpleUploadedFile("new.webm", h.DEMO_VIDEO.read_bytes(), "video/webm")
    answer = client.post(url, {"title": "改名视频", "duration_seconds": 300, "file": upload})
    assert answer.status_code == 302
    video.refresh_from_db()
    assert video.title == "改名视频" and video.duration_seconds == 300
    assert video.stored_name != old_name and video.original_name == "new.webm"


def test_a_file_that_is_no_video_is_refused_with_a_clear_error(client, cast, lesson):
    client.force_login(cast.carol)
    video = lesson["video"]
    upload = SimpleUploadedFile("virus.webm", b"MZ\x90\x00 not a video", "video/webm")
    answer = client.post(
        reverse("elearning:resource_edit", args=[video.pk]),
        {"title": "视频", "duration_seconds": 300, "file": upload},
    )
    page = answer.content.decode()
    assert answer.status_code == 200 and "has-error" in page and "不是 WebM 或 MP4" in page
    video.refresh_from_db()
    assert video.title == "十分钟视频"  # nothing changed


def test_the_office_changes_an_article(client, cast):
    article = h.article(cast)
    client.force_login(cast.carol)
    url = reverse("elearning:resource_edit", args=[article.pk])
    assert client.post(url, {"title": "新", "duration_seconds": 60, "body": " "}).status_code == 200
    client.post(url, {"title": "新文章", "duration_seconds": 120, "body": "新的内容"})
    article.refresh_from_db()
    assert (article.title, article.body, article.duration_seconds) == ("新文章", "新的内容", 120)


def test_a_retired_resource_is_offered_for_no_new_course_but_stays_in_its_courses(
    client, cast, lesson
):
    client.force_login(cast.carol)
    video = lesson["video"]
    client.post(reverse("elearning:resource_retire", args=[video.pk]))
    video.refresh_from_db()
    assert video.retired_at is not None
    form = client.get(reverse("elearning:course_new")).content.decode()
    assert "十分钟视频" not in form and "另一视频" in form
    refused = client.post(
        reverse("elearning:course_new"),
        {"owner": cast.region.pk, "code": "NEW", "title": "新课", "rule_code": "watch_all",
         "resources": [video.pk], "publish": "on"},
    )  # fmt: skip
    assert refused.status_code == 200
    assert lesson["course"].resources.filter(pk=video.pk).exists()
    client.force_login(cast.lena)
    page = client.get(reverse("elearning:player", args=[lesson["course"].pk, video.pk]))
    assert page.status_code == 200


def test_another_office_cannot_edit_the_resource(client, cast, lesson):
    client.force_login(cast.bob)
    url = reverse("elearning:resource_edit", args=[lesson["video"].pk])
    assert client.get(url).status_code == 404
    assert (
        client.post(reverse("elearning:resource_retire", args=[lesson["video"].pk])).status_code
        == 404
    )
    assert Resource.objects.get(pk=lesson["video"].pk).retired_at is None


def test_a_forged_or_replayed_event_earns_nothing_through_the_endpoint(client, cast, lesson):
    client.force_login(cast.lena)
    started = client.post(
        reverse("elearning:start", args=[lesson["course"].pk, lesson["video"].pk])
    ).json()
    url = reverse("elearning:event")

    def send(body, **cookies):
        return client.post(url, json.dumps(body), content_type="application/json")

    play = {"token": started["token"], "seq": 1, "kind": "play", "position": 0, "rate": 1}
    assert send(play).status_code == 200
    forged = {"token": "x" * 43, "seq": 2, "kind": "tick", "position": 500, "rate": 1}
    assert send(forged).status_code == 409
    replayed = send(play)
    assert replayed.status_code == 409 and replayed.json()["counted"] == 0
    # the right token from another log-in (a script copying the token, not the cookie)
    other = client.__class__()
    other.force_login(cast.lena)
    stolen = {"token": started["token"], "seq": 2, "kind": "tick", "position": 500, "rate": 1}
    answer = other.post(url, json.dumps(stolen), content_type="application/json")
    assert answer.status_code == 409 and answer.json()["refusal"] == "forged"
    row = Watched.objects.get(person=cast.lena_person, resource=lesson["video"])
    assert row.seconds == 0
    assert sorted(RefusedEvent.objects.values_list("reason", flat=True)) == [
        "forged", "forged", "replayed"
    ]  # fmt: skip


def test_the_office_changes_a_course_and_the_change_is_audited(client, cast, lesson):
    from xuefen.audit.models import AuditEvent
    from xuefen.elearning.models import OnlineCourse

    client.force_login(cast.carol)
    course = lesson["course"]
    url = reverse("elearning:course_edit", args=[course.pk])
    page = client.get(url).content.decode()
    assert "网络课程C1" in page and "另一视频" in page  # the title, and a resource to add
    answer = client.post(
        url,
        {"title": "改名课程", "description": "新说明", "rule_code": "watch_and_test",
         "resources": [lesson["video"].pk, lesson["other"].pk]},
    )  # fmt: skip
    assert answer.status_code == 302
    course = OnlineCourse.objects.get(pk=course.pk)
    assert course.title == "改名课程" and course.needs_test and not course.is_published
    assert list(course.items.values_list("resource_id", flat=True)) == [
        lesson["video"].pk,
        lesson["other"].pk,
    ]
    event = AuditEvent.objects.filter(object_type__icontains="onlinecourse").latest("pk")
    assert event.changes["title"] == ["网络课程C1", "改名课程"]
    assert event.changes["rule_code"] == ["watch_all", "watch_and_test"]
    assert event.changes["resources"][1] == sorted([lesson["video"].pk, lesson["other"].pk])


def test_a_course_keeps_a_retired_resource_but_cannot_take_a_new_one(client, cast, lesson):
    from xuefen.elearning import actions

    actions.retire_resource(cast.carol, lesson["video"])
    actions.retire_resource(cast.carol, lesson["other"])
    client.force_login(cast.carol)
    url = reverse("elearning:course_edit", args=[lesson["course"].pk])
    base = {"title": "网络课程C1", "rule_code": "watch_all", "publish": "on"}
    kept = client.post(url, {**base, "resources": [lesson["video"].pk]})
    assert kept.status_code == 302  # the retired video the course had stays
    added = client.post(url, {**base, "resources": [lesson["video"].pk, lesson["other"].pk]})
    assert added.status_code == 200  # a retired video is not offered to add
    assert lesson["course"].items.count() == 1


def test_another_office_cannot_change_the_course(client, cast, lesson):
    client.force_login(cast.bob)
    url = reverse("elearning:course_edit", args=[lesson["course"].pk])
    assert client.get(url).status_code == 404
    answer = client.post(url, {"title": "x", "rule_code": "watch_all", "resources": []})
    assert answer.status_code == 404
    lesson["course"].refresh_from_db()
    assert lesson["course"].title == "网络课程C1"
