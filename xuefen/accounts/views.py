"""Log-in, log-out and password change. The pages for managing accounts are in `manage_views`."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.contrib.auth.views import LogoutView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from xuefen.accounts import actions
from xuefen.accounts.backends import normalize_username
from xuefen.accounts.models import User


def _locked_message(until: dt.datetime) -> str:
    when = formats.date_format(timezone.localtime(until), "Y-m-d H:i")
    return _("Too many failed attempts: this account is locked until %(time)s.") % {"time": when}


def _safe_next(request: HttpRequest) -> str | None:
    next_url = request.POST.get("next") or request.GET.get("next")
    if next_url and url_has_allowed_host_and_scheme(
        next_url, {request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return None


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    """Refuses a locked account even with the right password, and says until when it is locked."""
    if request.user.is_authenticated:
        return redirect("core:home")
    form = AuthenticationForm(request, data=request.POST or None)
    locked_message = None
    if request.method == "POST":
        username = normalize_username(request.POST.get("username", ""))
        existing = User.objects.filter(username=username).first()
        if existing is not None and existing.locked_until and existing.is_locked:
            actions.record_failed_login(username)
            locked_message = _locked_message(existing.locked_until)
        elif form.is_valid():
            user = form.get_user()
            login(request, user)
            actions.record_login(user)
            return redirect(_safe_next(request) or "core:home")
        elif until := actions.record_failed_login(username):
            locked_message = _locked_message(until)
    return render(
        request,
        "accounts/login.html",
        {"form": form, "locked_message": locked_message, "next": request.GET.get("next", "")},
    )


logout_view = LogoutView.as_view()


@login_required
@sensitive_post_parameters()
def password_change(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    form = PasswordChangeForm(user, request.POST or None)
    if user.must_change_password and not user.has_usable_password():
        # First login with the initial password: it was checked at login, so it is not asked again.
        form.fields.pop("old_password")
    if request.method == "POST" and form.is_valid():
        actions.change_password(user, user, form.cleaned_data["new_password1"])
        update_session_auth_hash(request, user)
        messages.success(request, _("Your password has been changed."))
        return redirect("core:home")
    return render(
        request,
        "accounts/password_change.html",
        {"form": form, "forced": user.must_change_password},
    )
