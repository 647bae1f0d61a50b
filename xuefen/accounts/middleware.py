import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse


class PasswordChangeRequiredMiddleware:
    """Sends a user who must change their password (first login, admin reset) to the change page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path in settings.SESSIONLESS_PATHS:
            return self.get_response(request)
        user = request.user
        if getattr(user, "is_authenticated", False) and getattr(
            user, "must_change_password", False
        ):
            allowed = {reverse("accounts:password_change"), reverse("accounts:logout")}
            if request.path not in allowed and not request.path.startswith(("/static/", "/i18n/")):
                return redirect("accounts:password_change")
        return self.get_response(request)


TOUCHED = "_xuefen_touched"


class SessionIdleMiddleware:
    """Keeps a session alive while it is used, writing it at most once per
    SESSION_TOUCH_SECONDS instead of on every request (a write per page view would serialise
    the readers of a busy office on SQLite). The idle timeout is therefore exact to within
    that many seconds."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path in settings.SESSIONLESS_PATHS:
            return response
        session = getattr(request, "session", None)
        if session is not None and getattr(request.user, "is_authenticated", False):
            now = int(time.time())
            touched = session.get(TOUCHED, 0)
            if not isinstance(touched, int) or now - touched >= settings.SESSION_TOUCH_SECONDS:
                session[TOUCHED] = now  # marks it modified: saved with a fresh expiry
        return response
