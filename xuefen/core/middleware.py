from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


class ChineseFirstMiddleware:
    """The interface is in Simplified Chinese unless the user picks English with the switch.

    Django would otherwise follow the browser's Accept-Language, and an office PC or a phone set up
    in English would open in English. Placed before LocaleMiddleware, it hides that header, so only
    the language cookie (set by the switch) or the site default (zh-hans) decides.
    Programs calling the REST API (/api/v1/) are not browsers: they may ask for English messages
    with Accept-Language, and so may those calling the xAPI statement endpoint. The API's docs
    page and token pages are pages like any other (the docs page asks for its OpenAPI document in
    its own language).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not for_programs(request.path):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


def for_programs(path: str) -> bool:
    # The xAPI statement resource too: its `format=canonical` answers in the reader's languages.
    return (path.startswith("/api/v1/") and not path.startswith("/api/v1/docs")) or path.startswith(
        ("/xapi/statements", "/xapi/about")
    )


class NoStoreMiddleware:
    """Nothing the application answers is kept by a browser or a proxy: its pages, downloads and
    the public verification page all carry personal data (static files, answered by WhiteNoise
    before this runs, keep their long cache). A view that sets its own Cache-Control keeps it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True, private=True)
        return response
