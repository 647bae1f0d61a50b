"""Attendance pages: a session's attendance (staff and the class's teachers), the classroom
screen with the rotating code, corrections, the printed sign-in sheet and its scan."""

from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from xuefen.core.errors import CodedError
from xuefen.orgs.models import Person
from xuefen.training import actions, codes, files, queries, sheets
from xuefen.training.forms import CorrectForm, SheetForm
from xuefen.training.models import Attendance, EnrolmentStatus, Session
from xuefen.training.views.common import acting, form_error


def _roster(session: Session) -> Any:
    ids = session.klass.enrolments.filter(status=EnrolmentStatus.ENROLLED).values("person_id")
    return Person.objects.filter(pk__in=ids).select_related("unit").order_by("unit__path", "name")


@login_required
def session_detail(request: HttpRequest, session_id: int) -> HttpResponse:
    """Who checked in and out of the session (and how), for the class's staff and teachers; the
    class's administrator corrects a row with a reason."""
    session = queries.access_session(request.user, session_id)
    klass = session.klass
    people = list(_roster(session))
    rows = {a.person_id: a for a in Attendance.objects.filter(session=session)}
    table = [
        {
            "person": p,
            "row": rows.get(p.pk),
            "present": rows[p.pk].is_present(klass.checkout_required) if p.pk in rows else False,
        }
        for p in people
    ]
    return render(
        request,
        "training/session_detail.html",
        {
            "session": session,
            "klass": klass,
            "table": table,
            "present": sum(1 for r in table if r["present"]),
            "manage": queries.may_manage(request.user, klass),
            "sheets": list(session.sheets.all()),
            "in_window": actions.window(session, codes.IN),
            "out_window": actions.window(session, codes.OUT),
        },
    )


def _direction(request: HttpRequest, session: Session) -> str:
    asked = request.GET.get("d")
    if asked in (codes.IN, codes.OUT):
        return asked
    return codes.OUT if actions.window(session, codes.OUT).holds(timezone.now()) else codes.IN


@login_required
def screen(request: HttpRequest, session_id: int) -> HttpResponse:
    """The classroom screen: the rotating code, refreshed by training/screen.js."""
    session = queries.access_session(request.user, session_id, queries.MANAGE)
    direction = _direction(request, session)
    return render(
        request,
        "training/screen.html",
        {
            "session": session,
            "klass": session.klass,
            "direction": direction,
            "code_url": reverse("training:screen_code", args=[session.pk]) + f"?d={direction}",
            "step": codes.step_seconds(),
        },
    )


@never_cache
@login_required
def screen_code(request: HttpRequest, session_id: int) -> HttpResponse:
    """The current code as a QR image (SVG data URI) with its link, when the next one comes, and
    how many have checked in and out so far."""
    session = queries.access_session(request.user, session_id, queries.MANAGE)
    direction = _direction(request, session)
    now = timezone.now()
    token = codes.make(session.pk, direction, now)
    url = request.build_absolute_uri(reverse("training:checkin", args=[token]))
    counts = Attendance.objects.filter(session=session)
    return JsonResponse(
        {
            "qr": segno.make(url, error="m").svg_data_uri(scale=10, border=2),
            "url": url,
            "direction": direction,
            "refresh_ms": int(codes.seconds_left(now) * 1000) + 50,
            "checked_in": counts.filter(checked_in_at__isnull=False).count(),
            "checked_out": counts.filter(checked_out_at__isnull=False).count(),
            "window_open": actions.window(session, direction).holds(now),
        }
    )


@login_required
@require_POST
def correct(request: HttpRequest, session_id: int) -> HttpResponse:
    session = queries.access_session(request.user, session_id, queries.MANAGE)
    form = CorrectForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a mark and give the reason."))
    else:
        try:
            actions.correct(
                acting(request),
                session,
                form.cleaned_data["person"],
                form.cleaned_data["mark"] or "",
                form.cleaned_data["reason"],
            )
        except CodedError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Attendance was corrected."))
    return redirect("training:session_detail", session_id=session.pk)


@login_required
def sheet_pdf(request: HttpRequest, session_id: int) -> HttpResponse:
    session = queries.access_session(request.user, session_id)
    pdf = sheets.render_sheet(session, list(_roster(session)))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="sign-in-{session.pk}.pdf"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def sheet_upload(request: HttpRequest, session_id: int) -> HttpResponse:
    session = queries.access_session(request.user, session_id, queries.MANAGE)
    form = SheetForm(_roster(session), request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_sheet(
                acting(request),
                session,
                form.cleaned_data["file"],
                [p.pk for p in form.cleaned_data["present"]],
                form.cleaned_data["reason"],
            )
        except CodedError as error:
            form_error(form, error)
        else:
            messages.success(request, _("The sheet was kept and attendance marked."))
            return redirect("training:session_detail", session_id=session.pk)
    return render(
        request,
        "training/sheet_upload.html",
        {"session": session, "klass": session.klass, "form": form},
    )


@login_required
def sheet_file(request: HttpRequest, sheet_id: int) -> FileResponse:
    sheet = queries.access_sheet(request.user, sheet_id)
    try:
        handle = files.path_of(sheet.stored_name).open("rb")
    except (OSError, CodedError):
        raise Http404 from None
    return FileResponse(handle, content_type=sheet.content_type, filename=sheet.original_name)
