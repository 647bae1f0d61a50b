"""Online courses of region R (made by carol, the credit office) with a demo video and an
article, and a `Player` that sends playback events at chosen moments, as a browser (or an
auto-play script) would."""

import datetime as dt
from pathlib import Path
from typing import Any

from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from xuefen.elearning import actions
from xuefen.elearning.models import LearningSession, OnlineCourse, Resource
from xuefen.policy.actions import import_ruleset
from xuefen.policy.shipped import shipped_texts

DEMO_VIDEO = Path(__file__).resolve().parents[2] / "xuefen/elearning/demo_media/lesson1.webm"
T0 = timezone.make_aware(dt.datetime(2026, 6, 1, 9, 0))


def rules(cast: Any) -> None:
    import_ruleset(cast.carol, shipped_texts()["cadre_township"], cast.region)


def video(cast: Any, title: str = "视频", seconds: int = 600) -> Resource:
    upload = SimpleUploadedFile("lesson.webm", DEMO_VIDEO.read_bytes(), "video/webm")
    return actions.add_video(cast.carol, cast.region, title, upload, seconds)


def article(cast: Any, title: str = "文章", minutes: int = 5) -> Resource:
    return actions.add_article(cast.carol, cast.region, title, "学习内容。" * 50, minutes)


def course(cast: Any, code: str, *resources: Resource, rule: str = "watch_all") -> OnlineCourse:
    return actions.create_course(
        cast.carol,
        cast.region,
        actions.CourseInput(
            code=code,
            title=f"网络课程{code}",
            rule_code=rule,
            resource_ids=[r.pk for r in resources],
        ),
    )


class Player:
    """One learning session of a user, events sent at T0 + `at` seconds."""

    def __init__(
        self, user: Any, course: OnlineCourse, resource: Resource, start_at: float = 0
    ) -> None:
        self.user = user
        self.login = f"login-of-{user.username}"
        # The log-in the session is opened in, alive for the tests' whole clock.
        Session.objects.update_or_create(
            session_key=self.login,
            defaults={"session_data": "", "expire_date": T0 + dt.timedelta(days=400)},
        )
        self.session = actions.start_session(
            user, course, resource, login_key=self.login, now=T0 + dt.timedelta(seconds=start_at)
        )
        self.seq = 0

    @property
    def token(self) -> str:
        return self.session.token

    def send(
        self, kind: str, position: float, at: float, *, rate: float = 1.0, seq: int | None = None,
        **extra: Any,
    ) -> actions.EventResult:  # fmt: skip
        if seq is None:
            self.seq += 1
            seq = self.seq
        data = {"token": self.token, "seq": seq, "kind": kind, "position": position, "rate": rate}
        data.update(extra)
        return actions.record_event(
            self.token, data, login_key=self.login, now=T0 + dt.timedelta(seconds=at)
        )

    def watch(self, start: float, end: float, every: float = 15, at: float | None = None) -> None:
        """Plays honestly from `start` to `end` at normal speed, a tick every `every` seconds."""
        clock = start if at is None else at
        self.send("play", start, clock)
        position = start
        while position < end:
            step = min(every, end - position)
            position += step
            clock += step
            self.send("tick", position, clock)

    def refresh(self) -> LearningSession:
        self.session.refresh_from_db()
        return self.session


def open_in_browser(client: Client, cast: Any, lesson: dict[str, Any]) -> str:
    """lena logged in on `client`, her player page's learning session opened: its token."""
    client.force_login(cast.lena)
    started = client.post(
        reverse("elearning:start", args=[lesson["course"].pk, lesson["video"].pk]), {"position": 0}
    )
    assert started.status_code == 200
    return started.json()["token"]
