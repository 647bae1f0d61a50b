"""The page the classroom's rotating code opens on a learner's phone (no app): GET shows what is
being checked (and remembers the scan while the phone logs in), POST records it.

The phone is known by a long-lived random cookie (only its keyed hash is stored): the device that
checks a person in must check them out, and checks no one else in for the same session."""

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from xuefen.training import actions, codes, queries
from xuefen.training.errors import Code, TrainingError
from xuefen.training.views.common import acting

DEVICE_COOKIE = "xuefen_device"
DEVICE_MAX_AGE = 400 * 24 * 3600
SCAN_KEY = "training_scan"


def _device(request: HttpRequest) -> tuple[str, bool]:
    """The phone's cookie value (a new one if it has none) and whether it is new."""
    value = request.COOKIES.get(DEVICE_COOKIE, "")
    if 20 <= len(value) <= 64 and value.replace("-", "").replace("_", "").isalnum():
        return value, False
    return secrets.token_urlsafe(24), True


def _remember_scan(request: HttpRequest, token: str, code: codes.CheckCode) -> None:
    if codes.is_fresh(code):
        request.session[SCAN_KEY] = {"t": token, "at": timezone.now().timestamp()}


def _scan_in_session(request: HttpRequest, token: str) -> dt.datetime | None:
    """When this browser scanned this code before logging in, if that is recent."""
    scan = request.session.get(SCAN_KEY)
    if not isinstance(scan, dict) or scan.get("t") != token:
        return None
    at = dt.datetime.fromtimestamp(float(scan.get("at", 0)), tz=dt.UTC)
    if (timezone.now() - at).total_seconds() > settings.TRAINING_SCAN_GRACE_SECONDS:
        return None
    return at


def _render(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    """The phone's page, rendered without the site's context processors (it has no menu: the
    request a whole class sends within seconds reads nothing it does not show)."""
    if "receipt" in context:  # the confirmation form
        context["csrf_token"] = get_token(request)
    return HttpResponse(render_to_string("training/checkin.html", context), status=status)


@require_http_methods(["GET", "POST"])
def checkin(request: HttpRequest, token: str) -> HttpResponse:
    try:
        code = codes.read(token)
    except TrainingError:
        code = None
    if not request.user.is_authenticated:
        if code is not None:
            _remember_scan(request, token, code)
        return redirect_to_login(request.get_full_path())
    if code is None:
        raise Http404
    device, new_device = _device(request)
    context: dict[str, Any] = {"code": code}
    if request.method == "GET":
        session = queries.session_for_learner(request.user, code.session_id)
        context.update(session=session, klass=session.klass)
    now = timezone.now()
    if request.method == "GET":
        scanned = now if codes.is_fresh(code, now) else _scan_in_session(request, token)
        if scanned is None:
            context["error"] = codes.expired().message
            response = _render(request, context, status=410)
        else:
            context["receipt"] = codes.receipt(token, request.user.pk, scanned)
            response = _render(request, context)
    else:
        scanned = codes.read_receipt(request.POST.get("receipt", ""), token, request.user.pk)
        if scanned is None and codes.is_fresh(code, now):
            scanned = now
        try:
            if scanned is None:
                raise codes.expired()
            cookie = request.COOKIES.get(DEVICE_COOKIE, "")
            recorded = actions.check(
                acting(request),
                code.session_id,
                code.direction,
                codes.device_key(cookie) if cookie and not new_device else "",
                scanned,
            )
        except TrainingError as error:
            # Not on the roster (or no such session): as if the code named nothing. Any other
            # refusal says what is wrong, and nothing of the class (the code may be stale).
            if error.code == Code.NOT_ON_ROSTER:
                raise Http404 from None
            context["error"] = error.message
            response = _render(request, context, status=409)
        else:
            session = recorded.session
            context.update(session=session, klass=session.klass, recorded=recorded)
            response = _render(request, context)
    if new_device:
        response.set_cookie(
            DEVICE_COOKIE,
            device,
            max_age=DEVICE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response
