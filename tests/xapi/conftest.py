"""A learning platform for the xAPI tests: provider PX acts at unit A and serves department D
(unit A: person A and lena; not unit B). Its platform `platform` has the secret SECRET, learner
accounts on HOME named by ID number, and the activity COURSE_IRI mapped to course X1."""

import base64
import datetime as dt
import json
import uuid
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client as DjangoClient

from xuefen.intake.models import Provider
from xuefen.training.models import Course
from xuefen.xapi import actions

SECRET = "s3cret-for-tests"
HOME = "https://learn.example.cn"
COURSE_IRI = "https://learn.example.cn/courses/x1"
COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
PASSED = "http://adlnet.gov/expapi/verbs/passed"
EXPERIENCED = "http://adlnet.gov/expapi/verbs/experienced"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"
URL = "/xapi/statements"


class LrsClient(DjangoClient):
    """Sends Basic authentication and X-Experience-API-Version with every request."""

    def __init__(self, key: str, secret: str, version: str | None = "1.0.3", **kw: Any) -> None:
        super().__init__(**kw)
        self.auth = "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()
        self.version = version

    def _headers(self, extra: dict[str, Any]) -> dict[str, Any]:
        headers = {"Authorization": self.auth}
        if self.version is not None:
            headers["X-Experience-API-Version"] = self.version
        headers.update(extra.pop("headers", {}) or {})
        return headers

    def send(self, statements: Any, **extra: Any) -> Any:
        return self.post(
            URL,
            json.dumps(statements),
            content_type="application/json",
            headers=self._headers(extra),
            **extra,
        )

    def put_one(self, statement_id: Any, statement: Any, **extra: Any) -> Any:
        return self.put(
            f"{URL}?statementId={statement_id}",
            json.dumps(statement),
            content_type="application/json",
            headers=self._headers(extra),
            **extra,
        )

    def fetch(self, url: str = URL, params: dict[str, Any] | None = None, **extra: Any) -> Any:
        return self.get(url, params or {}, headers=self._headers(extra), **extra)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2026, 11, 23))


@pytest.fixture
def lrs(cast):
    provider = Provider.objects.create(
        code="PX", name="网络学院", node=cast.unit_a, serves=cast.dept
    )
    course = Course.objects.create(
        provider=provider,
        code="X1",
        name="网络课程一",
        kind="",
        categories=["elective", "online"],
        amount=Decimal("2"),
        unit="hours",
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 12, 31),
    )
    platform, secret = actions.create_client(
        cast.carol, provider, name="县网络学院平台", home_page=HOME, secret=SECRET
    )
    actions.map_activity(cast.carol, platform, activity_id=COURSE_IRI, course=course)
    return SimpleNamespace(
        provider=provider,
        course=course,
        platform=platform,
        secret=secret,
        http=LrsClient(platform.key, secret),
    )


def statement(
    id_number: str = "",
    *,
    verb: str = COMPLETED,
    activity: str = COURSE_IRI,
    sid: Any = None,
    timestamp: str = "2026-06-01T10:00:00+08:00",
    **extra: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "actor": {
            "objectType": "Agent",
            "name": "学员",
            "account": {"homePage": HOME, "name": id_number or "x"},
        },
        "verb": {"id": verb, "display": {"zh-CN": "完成", "en-US": "completed"}},
        "object": {
            "objectType": "Activity",
            "id": activity,
            "definition": {"name": {"zh-CN": "网络课程一"}},
        },
        "timestamp": timestamp,
    }
    if sid is not None:
        body["id"] = str(sid)
    body.update(extra)
    return body


def new_id() -> str:
    return str(uuid.uuid4())
