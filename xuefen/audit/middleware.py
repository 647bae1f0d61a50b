import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from xuefen.audit.actions import client_address


def _valid(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def client_ip(request: HttpRequest) -> str | None:
    """The client's address. X-Forwarded-For is believed only when the request comes from a proxy
    listed in settings.TRUSTED_PROXIES, and then only up to the first address that is not a trusted
    proxy (reading from the right), since anything further left is written by the client itself."""
    remote = request.META.get("REMOTE_ADDR") or None
    trusted = set(getattr(settings, "TRUSTED_PROXIES", ()) or ())
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if remote is None or remote not in trusted or not forwarded:
        return remote
    for hop in reversed([part.strip() for part in forwarded.split(",")]):
        if not _valid(hop):
            return remote
        if hop not in trusted:
            return hop
    return remote


class AuditContextMiddleware:
    """Makes the client address available to audit.record for the length of the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = client_address.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            client_address.reset(token)
