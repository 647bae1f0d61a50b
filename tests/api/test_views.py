"""The API token pages: provider staff manage their provider's tokens; the credit office sees
and revokes all below it and alone may grant credits:read; others get 404."""

import datetime as dt

from xuefen.api.models import ApiToken, TokenScope, hash_secret


def test_provider_staff_see_only_their_providers_tokens(client, api):
    client.force_login(api.pat)
    body = client.get("/api/tokens/").content.decode()
    assert "平台A" in body and "平台B" not in body
    assert api.secret_a not in body and api.token_a.prefix in body


def test_the_credit_office_sees_every_providers_tokens(client, api, cast):
    client.force_login(cast.carol)
    body = client.get("/api/tokens/").content.decode()
    assert "平台A" in body and "平台B" in body


def test_a_unit_administrator_gets_404(client, api, cast):
    client.force_login(cast.alice)
    assert client.get("/api/tokens/").status_code == 404
    assert client.get("/api/tokens/new/").status_code == 404


def test_creating_shows_the_secret_once_and_stores_its_hash(client, api):
    client.force_login(api.pat)
    response = client.post(
        "/api/tokens/new/",
        {"provider": api.pa.pk, "name": "新平台", "scopes": [TokenScope.BATCHES]},
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get(name="新平台")
    secret = response.context["secret"]
    assert secret in response.content.decode()
    assert token.secret_hash == hash_secret(secret) and token.provider == api.pa
    assert secret not in client.get("/api/tokens/").content.decode()


def test_the_expiry_date_ends_the_token_after_that_day(client, api):
    client.force_login(api.pat)
    client.post(
        "/api/tokens/new/",
        {
            "provider": api.pa.pk,
            "name": "限期",
            "scopes": [TokenScope.BATCHES],
            "expires_on": "2027-01-31",
        },
    )
    expires = ApiToken.objects.get(name="限期").expires_at
    assert expires is not None and expires.date() in {dt.date(2027, 1, 31), dt.date(2027, 2, 1)}


def test_provider_staff_are_not_offered_the_credits_scope(client, api):
    client.force_login(api.pat)
    assert TokenScope.CREDITS_READ.value not in client.get("/api/tokens/new/").content.decode()
    response = client.post(
        "/api/tokens/new/",
        {"provider": api.pa.pk, "name": "偷看", "scopes": [TokenScope.CREDITS_READ]},
    )
    assert response.status_code == 200 and not ApiToken.objects.filter(name="偷看").exists()


def test_staff_cannot_make_a_token_for_another_provider(client, api):
    client.force_login(api.quinn)
    client.post("/api/tokens/new/", {"provider": api.pa.pk, "name": "越权", "scopes": ["batches"]})
    assert not ApiToken.objects.filter(name="越权").exists()


def test_the_office_may_grant_the_credits_scope(client, api, cast):
    client.force_login(cast.carol)
    client.post(
        "/api/tokens/new/",
        {"provider": api.pa.pk, "name": "学分", "scopes": [TokenScope.CREDITS_READ]},
    )
    assert ApiToken.objects.get(name="学分").scopes == [TokenScope.CREDITS_READ]


def test_revoking_from_the_page(client, api):
    client.force_login(api.pat)
    response = client.post(f"/api/tokens/{api.token_a.pk}/revoke/")
    assert response.status_code == 302
    assert ApiToken.objects.get(pk=api.token_a.pk).revoked_at is not None
    assert api.client_a.get("/api/v1/courses").status_code == 401


def test_staff_of_another_provider_get_404_revoking(client, api):
    client.force_login(api.quinn)
    assert client.post(f"/api/tokens/{api.token_a.pk}/revoke/").status_code == 404
    assert ApiToken.objects.get(pk=api.token_a.pk).revoked_at is None


def test_the_token_list_takes_few_queries(client, api, cast, django_assert_max_num_queries):
    from xuefen.api.actions import create_token

    for n in range(20):
        create_token(api.pat, api.pa, name=f"t{n}", scopes=[TokenScope.BATCHES])
    client.force_login(cast.carol)
    with django_assert_max_num_queries(12):
        assert client.get("/api/tokens/").status_code == 200
