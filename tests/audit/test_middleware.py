import pytest
from django.test import RequestFactory

from xuefen.audit.middleware import client_ip


def _request(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_forwarded_header_is_ignored_without_trusted_proxies(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(_request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


def test_forwarded_header_from_a_trusted_proxy_gives_the_client(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    assert client_ip(_request("10.0.0.2", "198.51.100.1")) == "198.51.100.1"


def test_address_forged_by_the_client_left_of_the_real_one_is_ignored(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    assert client_ip(_request("10.0.0.2", "1.2.3.4, 198.51.100.1")) == "198.51.100.1"


@pytest.mark.parametrize("forwarded", ["not-an-address", ""])
def test_unusable_forwarded_header_falls_back_to_the_peer(settings, forwarded):
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    assert client_ip(_request("10.0.0.2", forwarded)) == "10.0.0.2"


def test_login_audit_records_the_client_address(client, cast):
    from xuefen.audit.models import AuditEvent

    client.post(
        "/accounts/login/",
        {"username": "alice", "password": cast.password},
        REMOTE_ADDR="192.0.2.7",
    )
    assert AuditEvent.objects.get(action="login").address == "192.0.2.7"
