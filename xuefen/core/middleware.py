from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


class ChineseFirstMiddleware:
    """The interface is in Simplified Chinese unless the user picks English with the switch.

    Django would otherwise follow the browser's Accept-Language, and an office PC or a phone set up
    in English would open in English. Placed before LocaleMiddleware, it hides that header, so only
    the language cookie (set by the switch) or the site default (zh-hans) decides.
    Programs calling the REST API (/api/) are not browsers: they may ask for English messages
    with Accept-Language.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


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
