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

from xuefen.accounts import actions, throttle
from xuefen.accounts.backends import find_account, normalize_username
from xuefen.accounts.models import User
from xuefen.audit.middleware import client_ip


def _wait_message(until: dt.datetime) -> str:
    when = formats.date_format(timezone.localtime(until), "Y-m-d H:i:s")
    return _("Too many failed attempts: try again after %(time)s.") % {"time": when}


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
    """Counts every failed try per identity and per client address (accounts.throttle) and makes
    further tries wait, saying until when; a browser the account logged in from before is only
    held back by its own failures."""
    if request.user.is_authenticated:
        return redirect("core:home")
    form = AuthenticationForm(request, data=request.POST or None)
    wait_message = None
    if request.method == "POST":
        typed = request.POST.get("username", "")
        account = find_account(typed)
        device = throttle.trusted_device(request, account)
        keys = throttle.keys_for(normalize_username(typed), client_ip(request), device, account)
        if until := throttle.waiting_until(keys):
            actions.record_failed_login(typed, account, until)
            wait_message = _wait_message(until)
        elif form.is_valid():
            user = form.get_user()
            login(request, user)
            actions.record_login(user)
            # The account's own counters start again (the address's do not).
            throttle.clear(keys if device else throttle.account_keys(user))
            response = redirect(_safe_next(request) or "core:home")
            throttle.remember_device(response, user)
            return response
        else:
            until = throttle.fail(keys)
            actions.record_failed_login(typed, account, until)
            if until:
                wait_message = _wait_message(until)
    return render(
        request,
        "accounts/login.html",
        {"form": form, "locked_message": wait_message, "next": request.GET.get("next", "")},
    )


logout_view = LogoutView.as_view()


@login_required
@sensitive_post_parameters()
def password_change(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    form = PasswordChangeForm(user, request.POST or None)
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
