from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from xuefen.audit.actions import client_address


class AuditContextMiddleware:
    """Makes the client address available to audit.record for the length of the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = client_address.set(request.META.get("REMOTE_ADDR") or None)
        try:
            return self.get_response(request)
        finally:
            client_address.reset(token)
