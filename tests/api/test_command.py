"""`xuefen api_token create|list|revoke`."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from xuefen.api.models import ApiToken, hash_secret


def run(*args):
    out = StringIO()
    call_command("api_token", *args, stdout=out)
    return out.getvalue()


def test_create_prints_the_secret_once_and_stores_its_hash(api):
    out = run("create", "--provider", "PA", "--name", "命令行", "--scope", "credits:read")
    secret = out.strip().splitlines()[-1]
    token = ApiToken.objects.get(name="命令行")
    assert token.secret_hash == hash_secret(secret) and token.scopes == ["credits:read"]


def test_list_shows_prefixes_not_secrets(api):
    out = run("list", "--provider", "PA")
    assert api.token_a.prefix in out and api.secret_a not in out
    assert api.token_b.prefix not in out


def test_revoke_by_prefix(api):
    run("revoke", api.token_a.prefix)
    assert ApiToken.objects.get(pk=api.token_a.pk).revoked_at is not None


def test_as_a_user_acts_with_their_rights(api):
    with pytest.raises(CommandError):
        run("create", "--provider", "PA", "--name", "x", "--as", "quinn")
    with pytest.raises(CommandError):
        run("revoke", api.token_a.prefix, "--as", "quinn")
    assert ApiToken.objects.get(pk=api.token_a.pk).revoked_at is None
