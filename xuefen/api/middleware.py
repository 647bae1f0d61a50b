from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from xuefen.api.v1.errors import uri_too_long

# Longer request lines are refused by the API itself, in its own error body (and as its OpenAPI
# document says), before gunicorn's own limit (raised to 8190 by `xuefen serve`) is reached.
MAX_URL_LENGTH = 4096


class UriLengthMiddleware:
    """A request to the API whose path and query are longer than MAX_URL_LENGTH gets 414."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/") and len(request.get_full_path()) > MAX_URL_LENGTH:
            return uri_too_long(MAX_URL_LENGTH)
        return self.get_response(request)
