"""The learning event answered ahead of the general middleware.

Every learner sends a playback event every few seconds, so POST /elearning/events/ is the busiest
request of the site; it needs nothing of the general middleware stack — no log-in session decoded
(the event is authenticated by its learning session's token together with the log-in cookie that
session was bound to, whose row's expiry the event's one read takes along: see
`actions.record_event`), no CSRF token (the learning-session token is the
secret a forged cross-site request cannot name; the view is csrf_exempt), no messages, no user.
Placed right after the middlewares that set every answer's security headers (SecurityMiddleware,
the content security policy, NoStoreMiddleware), this one answers the event itself and the rest of
the stack never runs; every other request passes through untouched.

What the skipped middlewares would have given the event is done here, the same way: the host
checked against ALLOWED_HOSTS and the Content-Length set (CommonMiddleware); the language from
the language cookie or the site default — not the browser's Accept-Language
(core.ChineseFirstMiddleware, then LocaleMiddleware) — with the same Content-Language and Vary
headers; X-Frame-Options; and the client address for what the event records
(audit.AuditContextMiddleware). Tests: tests/elearning/test_event_fast_path.py plays every kind
of event both ways and compares the answers, their headers and what was recorded."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from xuefen.audit.actions import client_address
from xuefen.audit.middleware import client_ip


class EventMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.path: str | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.path is None:
            self.path = reverse("elearning:event")
        if request.method != "POST" or request.path != self.path:
            return self.get_response(request)
        from xuefen.elearning.views import answer_event

        request.get_host()  # a host not in ALLOWED_HOSTS is refused (400) as everywhere
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        language = translation.get_language_from_request(request)
        address = client_address.set(client_ip(request))
        try:
            with translation.override(language):
                response = answer_event(request)
        finally:
            client_address.reset(address)
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", language)
        response.headers.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
        response.headers.setdefault("Content-Length", str(len(response.content)))
        return response
