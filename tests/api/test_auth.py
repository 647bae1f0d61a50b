"""Bearer tokens: a missing, garbled, unknown, revoked or expired token is a 401 with the error
body; a token without the scope is a 403."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.api.conftest import TokenClient, error_of
from xuefen.api.actions import revoke_token
from xuefen.api.models import ApiToken

COURSES = "/api/v1/courses"


def test_a_valid_token_reads(api):
    assert api.client_a.get(COURSES).status_code == 200


def test_no_token_is_401_and_names_the_header(api):
    response = TokenClient().get(COURSES)
    assert response.status_code == 401
    assert error_of(response)["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer ",
        "Token abc",
        "Basic dXNlcjpwYXNz",
        "bearer xf_nonsense",
        "Bearer " + "x" * 500,
    ],
)
def test_a_garbled_or_unknown_token_is_401(api, header):
    response = TokenClient().get(COURSES, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert error_of(response)["code"] in {"invalid_token", "not_authenticated"}


def test_a_revoked_token_is_401(api):
    revoke_token(api.pat, api.token_a)
    response = api.client_a.get(COURSES)
    assert response.status_code == 401
    assert error_of(response)["code"] == "token_revoked"


def test_an_expired_token_is_401(api):
    ApiToken.objects.filter(pk=api.token_a.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    response = api.client_a.get(COURSES)
    assert response.status_code == 401
    assert error_of(response)["code"] == "token_expired"


def test_a_token_of_an_inactive_provider_is_refused(api):
    api.pa.is_active = False
    api.pa.save(update_fields=["is_active"])
    response = api.client_a.get(COURSES)
    assert response.status_code == 403
    assert error_of(response)["code"] == "provider_inactive"


def test_a_credits_token_cannot_submit_batches(api):
    response = api.credits_client_a.post_json("/api/v1/batches", {"rows": []})
    assert response.status_code == 403
    assert error_of(response)["code"] == "insufficient_scope"


def test_a_batches_token_cannot_read_credits(api, cast):
    response = api.client_a.get(f"/api/v1/people/{cast.person_a.id_number}/credits")
    assert response.status_code == 403
    assert error_of(response)["code"] == "insufficient_scope"


def test_use_is_recorded(api):
    assert api.token_a.last_used_at is None
    api.client_a.get(COURSES)
    assert ApiToken.objects.get(pk=api.token_a.pk).last_used_at is not None


def test_a_session_cookie_is_not_a_credential(api, client):
    client.force_login(api.pat)
    response = client.get(COURSES)
    assert response.status_code == 401


def test_messages_are_chinese_by_default(api):
    message = error_of(TokenClient().get(COURSES))["message"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message
