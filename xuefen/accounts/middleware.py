from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse


class PasswordChangeRequiredMiddleware:
    """Sends a user who must change their password (first login, admin reset) to the change page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if getattr(user, "is_authenticated", False) and getattr(
            user, "must_change_password", False
        ):
            allowed = {reverse("accounts:password_change"), reverse("accounts:logout")}
            if request.path not in allowed and not request.path.startswith(("/static/", "/i18n/")):
                return redirect("accounts:password_change")
        return self.get_response(request)
