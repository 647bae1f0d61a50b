from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse


def _superuser_only(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_superuser)


def _log_in_through_xuefen(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    """The admin has no log-in form of its own: it sends to Xuefen's, which throttles failed
    attempts per account and per address and writes them to the audit trail."""
    target = request.GET.get("next") or reverse("admin:index")
    return redirect_to_login(target, login_url=settings.LOGIN_URL)


# Django admin bypasses the org scoping; it is for the deployer (superuser), never for staff roles.
admin.site.has_permission = _superuser_only  # type: ignore[method-assign]
admin.site.login = _log_in_through_xuefen  # type: ignore[method-assign]
