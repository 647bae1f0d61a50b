"""The teacher registry (师资库) and the part-time teacher archive (兼职教师档案库), a teacher's
profile with their teaching history, scores over time, peer reviews and teaching credit, and a
teacher's own page."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods

from xuefen.accounts import scope
from xuefen.accounts.roles import Cap
from xuefen.audit.actions import record_export
from xuefen.core.errors import CodedError
from xuefen.core.paging import querystring
from xuefen.core.tabular import xlsx_response
from xuefen.ledger.models import Entry
from xuefen.training import actions, queries, reports
from xuefen.training.actions.completion import TEACHING_SOURCE
from xuefen.training.forms import PeerReviewForm, TeacherFilterForm, TeacherForm
from xuefen.training.models import ClassStatus, Session, Teacher
from xuefen.training.views.common import acting, form_error, page_of


def _registry(request: HttpRequest) -> None:
    if not scope.has_capability(request.user, Cap.TRAINING_VIEW):
        raise Http404


def _filtered(request: HttpRequest, kind: str = "") -> tuple[TeacherFilterForm, QuerySet[Teacher]]:
    form = TeacherFilterForm(request.GET or None, initial={"kind": kind})
    qs = queries.teachers(request.user)
    wanted = kind
    if form.is_valid():
        q = form.cleaned_data["q"]
        if q:
            qs = qs.filter(
                Q(name__icontains=q) | Q(specialties__icontains=q) | Q(employer__icontains=q)
            )
        wanted = form.cleaned_data["kind"] or kind
    if wanted:
        qs = qs.filter(kind=wanted)
    qs = qs.annotate(
        taught=Count("sessions", filter=~Q(sessions__klass__status=ClassStatus.CANCELLED)),
        hours=Sum("sessions__hours", filter=~Q(sessions__klass__status=ClassStatus.CANCELLED)),
    ).order_by("name", "id")
    return form, qs


def _list(request: HttpRequest, kind: str, template: str) -> HttpResponse:
    _registry(request)
    form, qs = _filtered(request, kind)
    if request.GET.get("export") == "xlsx":
        return _export(request, qs, kind)
    base, encoded = querystring(request)
    return render(
        request,
        template,
        {
            "form": form,
            "page_obj": page_of(request, qs),
            "querystring_base": base,
            "filter_query": encoded,
            "can_manage": scope.has_capability(request.user, Cap.TEACHERS_MANAGE),
            "archive": bool(kind),
        },
    )


@login_required
def teachers(request: HttpRequest) -> HttpResponse:
    return _list(request, "", "training/teachers.html")


@login_required
def archive(request: HttpRequest) -> HttpResponse:
    """The part-time teacher archive: part-time teachers only, with its own search and export."""
    return _list(request, Teacher.Kind.PART_TIME, "training/teachers.html")


def _export(request: HttpRequest, qs: QuerySet[Teacher], kind: str) -> HttpResponse:
    headers = [
        pgettext("person", "Name"), _("Kind"), _("Title or post"), _("Works at"), _("Specialties"),
        _("Phone"),
        _("E-mail"), _("Sessions taught"), _("Hours taught"), pgettext("teacher", "Active"),
    ]  # fmt: skip
    rows = [
        [
            t.name,
            t.get_kind_display(),
            t.title,
            t.employer or (t.person.unit.name if t.person else ""),
            t.specialties,
            t.phone,
            t.email,
            getattr(t, "taught", 0),
            getattr(t, "hours", None) or Decimal(0),
            _("Yes") if t.is_active else _("No"),
        ]
        for t in qs
    ]
    what = "training.teachers.part_time" if kind else "training.teachers"
    record_export(acting(request), what, len(rows))
    name = "part-time-teachers" if kind else "teachers"
    return xlsx_response(
        f"{name}-{timezone.localdate():%Y%m%d}.xlsx", headers, rows, sheet_title=name
    )


@login_required
@require_http_methods(["GET", "POST"])
def teacher_new(request: HttpRequest) -> HttpResponse:
    if not scope.has_capability(request.user, Cap.TEACHERS_MANAGE):
        raise Http404
    form = TeacherForm(
        request.user, request.POST or None, initial={"kind": request.GET.get("kind")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            teacher = actions.create_teacher(acting(request), **form.values())
        except CodedError as error:
            form_error(form, error)
        else:
            messages.success(request, _("The teacher was added."))
            return redirect("training:teacher_detail", teacher_id=teacher.pk)
    return render(request, "training/teacher_form.html", {"form": form, "teacher": None})


@login_required
@require_http_methods(["GET", "POST"])
def teacher_edit(request: HttpRequest, teacher_id: int) -> HttpResponse:
    teacher = queries.access_teacher(request.user, teacher_id, Cap.TEACHERS_MANAGE)
    form = TeacherForm(request.user, request.POST or None, initial=TeacherForm.initial_for(teacher))
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_teacher(acting(request), teacher, **form.values())
        except CodedError as error:
            form_error(form, error)
        else:
            messages.success(request, _("The teacher was saved."))
            return redirect("training:teacher_detail", teacher_id=teacher.pk)
    return render(request, "training/teacher_form.html", {"form": form, "teacher": teacher})


def _history(teacher: Teacher) -> list[dict[str, Any]]:
    """Classes taught, newest first, each with its sessions and hours taught."""
    by_class: dict[int, dict[str, Any]] = {}
    for session in queries.sessions_taught(teacher):
        row = by_class.setdefault(
            session.klass_id, {"klass": session.klass, "sessions": [], "hours": Decimal(0)}
        )
        row["sessions"].append(session)
        row["hours"] += session.hours
    return list(by_class.values())


def _profile_context(teacher: Teacher) -> dict[str, Any]:
    history = _history(teacher)
    return {
        "teacher": teacher,
        "history": history,
        "hours_taught": sum((row["hours"] for row in history), Decimal(0)),
        "scores": reports.teacher_scores(teacher),
        "minimum": _minimum(),
        "reviews": reports.peer_reviews(teacher),
        "credits": list(
            Entry.objects.filter(person=teacher.person, source_type=TEACHING_SOURCE).order_by(
                "-last_day", "-id"
            )
        )
        if teacher.person_id
        else [],
    }


def _minimum() -> int:
    return int(settings.TRAINING_RATING_MIN_RESPONSES)


@login_required
def teacher_detail(request: HttpRequest, teacher_id: int) -> HttpResponse:
    teacher = queries.access_teacher(request.user, teacher_id)
    context = _profile_context(teacher)
    context["can_edit"] = scope.has_capability(request.user, Cap.TEACHERS_MANAGE, teacher.node)
    return render(request, "training/teacher_detail.html", context)


@login_required
def teaching(request: HttpRequest) -> HttpResponse:
    """A teacher's own page: their sessions (coming and past, each opening its roster and
    attendance), their scores by trainees (anonymous, aggregated), peer reviews, teaching credit,
    and colleagues' sessions they may sit in on."""
    teacher = queries.teacher_of(request.user)
    if teacher is None:
        if not scope.has_capability(request.user, Cap.TEACHING):
            raise Http404
        return render(request, "training/teaching_none.html", {})
    today = timezone.localdate()
    sessions = list(queries.sessions_taught(teacher))
    context = _profile_context(teacher)
    context.update(
        {
            "coming": [s for s in reversed(sessions) if s.date >= today],
            "past": [s for s in sessions if s.date < today][:50],
            "colleagues": list(_colleague_sessions(request.user, teacher)),
            "own_page": True,
        }
    )
    return render(request, "training/teaching.html", context)


def _colleague_sessions(user: Any, teacher: Teacher) -> QuerySet[Session]:
    """Sessions of the last 30 days (today's included) taught by others in classes of the
    providers where the teacher holds the teacher role: the ones they may have sat in on and
    review (听课评课)."""
    today = timezone.localdate()
    providers = scope.providers(user, Cap.TEACHING).values("pk")
    return (
        Session.objects.filter(
            klass__course__provider__in=providers,
            date__range=(today - dt.timedelta(days=30), today),
            teacher__isnull=False,
        )
        .exclude(teacher=teacher)
        .exclude(klass__status=ClassStatus.CANCELLED)
        .select_related("klass", "teacher")
        .order_by("-date", "starts_at")[:20]
    )


@login_required
@require_http_methods(["GET", "POST"])
def peer_review(request: HttpRequest, session_id: int) -> HttpResponse:
    """A teacher records sitting in on a colleague's session (听课评课)."""
    teacher = queries.teacher_of(request.user)
    if teacher is None:
        raise Http404
    try:
        session = Session.objects.select_related("klass__course__provider__node", "teacher").get(
            pk=int(session_id),
            klass__course__provider__in=scope.providers(request.user, Cap.TEACHING),
        )
    except (Session.DoesNotExist, ValueError):
        raise Http404 from None
    form = PeerReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.review_peer(acting(request), session, **form.cleaned_data)
        except CodedError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Your peer review was recorded."))
            return redirect("training:teaching")
    return render(request, "training/peer_review.html", {"session": session, "form": form})
