"""Providers, courses and tokens for the API tests.

Provider PA acts at unit A and reports for department D (which holds unit A and lena); provider
PB acts at unit B and reports for unit B. pat is PA's staff, quinn PB's. Each provider has a
`batches` token; PA also has a `credits:read` token that carol (the credit office) granted.
"""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from tests import factories as f
from xuefen.accounts.roles import Role
from xuefen.api.actions import create_token
from xuefen.api.models import TokenScope
from xuefen.intake.models import Course, Provider


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    """Rows are dated in 2026; 'today' is fixed after them so date checks are stable."""
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2026, 11, 23))


def provider(code: str, node: Any, serves: Any) -> Provider:
    return Provider.objects.create(
        code=code, name=f"培训机构{code}", kind=Provider.Kind.PROVIDER, node=node, serves=serves
    )


def course(prov: Provider, code: str, **extra: Any) -> Course:
    values: dict[str, Any] = {
        "name": f"课程{code}",
        "kind": "training_day",
        "categories": ["required", "offline"],
        "amount": Decimal("6"),
        "unit": "hours",
        "starts_on": dt.date(2026, 1, 1),
        "ends_on": dt.date(2026, 12, 31),
    }
    values.update(extra)
    return Course.objects.create(provider=prov, code=code, **values)


class TokenClient(Client):
    """A test client that sends `Authorization: Bearer <secret>` with every request."""

    def __init__(self, secret: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.secret = secret

    def request(self, **request: Any) -> Any:
        if self.secret is not None:
            request.setdefault("HTTP_AUTHORIZATION", f"Bearer {self.secret}")
        return super().request(**request)

    def post_json(self, path: str, data: Any, **extra: Any) -> Any:
        return self.post(path, data, content_type="application/json", **extra)


@pytest.fixture
def api(cast):
    pa = provider("PA", cast.unit_a, cast.dept)
    pb = provider("PB", cast.unit_b, cast.unit_b)
    pat = f.user("pat", Role.PROVIDER, cast.unit_a)
    quinn = f.user("quinn", Role.PROVIDER, cast.unit_b)
    token_a, secret_a = create_token(pat, pa, name="平台A", scopes=[TokenScope.BATCHES])
    token_b, secret_b = create_token(quinn, pb, name="平台B", scopes=[TokenScope.BATCHES])
    credits_a, credits_secret_a = create_token(
        cast.carol, pa, name="学分查询A", scopes=[TokenScope.CREDITS_READ]
    )
    credits_b, credits_secret_b = create_token(
        cast.carol, pb, name="学分查询B", scopes=[TokenScope.CREDITS_READ]
    )
    return SimpleNamespace(
        pa=pa,
        pb=pb,
        course_a=course(pa, "C1"),
        course_a2=course(pa, "C2", name="课程C2", categories=["elective"]),
        course_b=course(pb, "CB"),
        pat=pat,
        quinn=quinn,
        token_a=token_a,
        token_b=token_b,
        credits_a=credits_a,
        credits_b=credits_b,
        client_a=TokenClient(secret_a),
        client_b=TokenClient(secret_b),
        credits_client_a=TokenClient(credits_secret_a),
        credits_client_b=TokenClient(credits_secret_b),
        secret_a=secret_a,
    )


def error_of(response: Any) -> dict[str, Any]:
    """The `error` object of an API refusal (and a check that the body has the one shape)."""
    assert response["Content-Type"].startswith("application/json"), response.content
    body = response.json()
    assert set(body) == {"error"}, body
    assert {"code", "message"} <= set(body["error"]), body
    return body["error"]


def rows_for(*people: Any, course_code: str = "C1", day: str = "2026-03-01") -> list[dict]:
    return [
        {"id_number": p.id_number, "course_code": course_code, "completed_on": day} for p in people
    ]
