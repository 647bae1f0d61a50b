from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


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
