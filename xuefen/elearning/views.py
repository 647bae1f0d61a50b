"""Pages of online learning: the learner's courses, player and record; the office's resources,
courses and statistics; the auditors' intervals, refused events and flags. Thin: each parses,
calls one action or query, renders."""

import json
from typing import Any, cast

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from xuefen.accounts.models import User
from xuefen.accounts.roles import Cap
from xuefen.accounts.scope import has_capability, nodes
from xuefen.audit.actions import client_address
from xuefen.elearning import actions, files, queries, rules
from xuefen.elearning.errors import Code, ElearningError
from xuefen.elearning.forms import (
    ArticleForm,
    CourseEditForm,
    CourseForm,
    QuestionForm,
    ResourceEditForm,
    VideoForm,
)
from xuefen.elearning.models import OnlineCourse, QuizAttempt, QuizQuestion, Resource

MAX_EVENT_BYTES = 2048


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _refused(error: ElearningError) -> JsonResponse:
    """A refusal as JSON: its stable code (what the page's script compares) and its message."""
    return JsonResponse({"error": {"code": error.code, "message": str(error)}}, status=error.status)


def _page(request: HttpRequest, items: Any, size: int = 50) -> Any:
    return Paginator(items, size).get_page(request.GET.get("page"))


# --- learners ------------------------------------------------------------------------------------


@login_required
def courses(request: HttpRequest) -> HttpResponse:
    person = queries.learner_person(request.user)
    found = list(queries.courses_for(person).select_related("catalogue_course"))
    progress = queries.progress_of(person, found)
    rows = [(c, progress.get(c.pk)) for c in found]
    return render(request, "elearning/courses.html", {"rows": rows})


@login_required
def course(request: HttpRequest, course_id: int) -> HttpResponse:
    person, found = queries.access_course(request.user, course_id)
    rows = queries.course_rows(person, found)
    progress = queries.progress_of(person, [found]).get(found.pk)
    length = sum(r.resource.duration_seconds for r in rows)
    watched = sum(min(r.watched, r.resource.duration_seconds) for r in rows)
    return render(
        request,
        "elearning/course.html",
        {
            "course": found,
            "rows": rows,
            "progress": progress,
            "share": watched / length if length else 0,
            "rule": rules.course_rules().get(found.rule_code),
        },
    )


@login_required
def player(request: HttpRequest, course_id: int, resource_id: int) -> HttpResponse:
    person, found, resource = queries.access_item(request.user, course_id, resource_id)
    rows = {r.resource.pk: r for r in queries.course_rows(person, found)}
    return render(
        request,
        "elearning/player.html",
        {"course": found, "resource": resource, "row": rows[resource.pk], "rows": rows.values()},
    )


@login_required
@require_POST
def start(request: HttpRequest, course_id: int, resource_id: int) -> HttpResponse:
    _person, found, resource = queries.access_item(request.user, course_id, resource_id)
    try:
        position = float(request.POST.get("position", "0") or 0)
    except ValueError:
        position = 0.0
    try:
        session = actions.start_session(
            _user(request),
            found,
            resource,
            login_key=request.session.session_key or "",
            position=position,
            address=client_address.get(),
            user_agent=request.headers.get("User-Agent", "")[:300],
            device_id=request.POST.get("device", "")[:64],
        )
    except ElearningError as error:
        return _refused(error)
    rule = rules.learning()
    return JsonResponse(
        {
            "token": session.token,
            "position": session.position,
            "length": resource.duration_seconds,
            "heartbeat": 15,
            "interaction_interval": rule.interaction_interval_seconds,
        }
    )


# Events come every few seconds from every learner, so this endpoint reads no log-in session and no
# user (settings.SESSIONLESS_PATHS: the log-in middlewares leave it alone), and is answered ahead of
# the general middleware stack (elearning.middleware.EventMiddleware; `event` below is what answers
# when that middleware is not installed). It is authenticated by the learning session's token — a
# secret only the player page of a logged-in learner received — together with that log-in's
# cookie, which the session was bound to when the page opened it. The token does what a CSRF token
# would: a forged cross-site request cannot name it.
def answer_event(request: HttpRequest) -> JsonResponse:
    """A playback event (a JSON object naming its learning session's token) judged and answered:
    200 accepted, 409 refused (recorded, with its reason), 413/400 not an event."""
    if len(request.body) > MAX_EVENT_BYTES:
        return _refused(ElearningError(Code.EVENT_TOO_LARGE, _("The report is too large.")))
    try:
        data = json.loads(request.body or b"null")
    except ValueError:
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("token"), str):
        return _refused(ElearningError(Code.EVENT_MALFORMED, _("Not a valid playback event")))
    result = actions.record_event(
        data["token"],
        data,
        login_key=request.COOKIES.get(settings.SESSION_COOKIE_NAME, ""),
        address=client_address.get(),
    )
    return JsonResponse(result.as_json(), status=200 if result.accepted else 409)


@csrf_exempt
@require_POST
def event(request: HttpRequest) -> HttpResponse:
    return answer_event(request)


@login_required
def media(request: HttpRequest, resource_id: int) -> HttpResponse | StreamingHttpResponse:
    resource = queries.access_media(request.user, resource_id)
    return files.serve(request, resource.stored_name, resource.content_type)


@login_required
def record(request: HttpRequest) -> HttpResponse:
    person = queries.learner_person(request.user)
    return render(
        request,
        "elearning/record.html",
        {
            "watched": queries.own_watched(person),
            "uncounted": _page(request, queries.own_uncounted(person)),
            "refused": queries.own_refused(person)[:100],
        },
    )


# --- the office: resources and courses ------------------------------------------------------------


def _owners(request: HttpRequest) -> Any:
    return nodes(request.user, Cap.COURSES_MANAGE).exclude(kind="unit")


@login_required
def manage(request: HttpRequest) -> HttpResponse:
    if not has_capability(request.user, Cap.COURSES_MANAGE):
        raise Http404
    return render(
        request,
        "elearning/manage.html",
        {
            "resources": queries.resource_stats(queries.managed_resources(request.user)),
            "courses": queries.course_stats(queries.managed_courses(request.user)),
        },
    )


def _form_page(
    request: HttpRequest, form_class: Any, template_title: str, save: Any
) -> HttpResponse:
    if not has_capability(request.user, Cap.COURSES_MANAGE):
        raise Http404
    form = form_class(request.POST or None, request.FILES or None)
    form.fields["owner"].queryset = _owners(request)
    if "resources" in form.fields:
        form.fields["resources"].queryset = queries.managed_resources(request.user).filter(
            retired_at__isnull=True
        )
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except ElearningError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            return redirect("elearning:manage")
    return render(request, "elearning/form.html", {"form": form, "title": template_title})


@login_required
def video_new(request: HttpRequest) -> HttpResponse:
    def save(data: dict[str, Any]) -> None:
        actions.add_video(
            _user(request),
            data["owner"],
            data["title"],
            data["file"],
            data["minutes"] * 60 + data["seconds"],
        )

    return _form_page(request, VideoForm, _("New video"), save)


@login_required
def article_new(request: HttpRequest) -> HttpResponse:
    def save(data: dict[str, Any]) -> None:
        actions.add_article(
            _user(request), data["owner"], data["title"], data["body"], data["reading_minutes"]
        )

    return _form_page(request, ArticleForm, _("New article"), save)


@login_required
def course_new(request: HttpRequest) -> HttpResponse:
    def save(data: dict[str, Any]) -> None:
        actions.create_course(
            _user(request),
            data["owner"],
            actions.CourseInput(
                code=data["code"],
                title=data["title"],
                description=data["description"],
                rule_code=data["rule_code"],
                resource_ids=[r.pk for r in data["resources"]],
                publish=data["publish"],
            ),
        )

    return _form_page(request, CourseForm, _("New online course"), save)


@login_required
def course_edit(request: HttpRequest, course_id: int) -> HttpResponse:
    try:
        found = queries.managed_courses(request.user).select_related("owner").get(pk=course_id)
    except OnlineCourse.DoesNotExist:
        raise Http404 from None
    had = list(found.items.values_list("resource_id", flat=True))
    initial = {
        "title": found.title,
        "description": found.description,
        "rule_code": found.rule_code,
        "resources": had,
        "publish": found.is_published,
    }
    form = CourseEditForm(request.POST or None, initial=initial)
    form.fields["resources"].queryset = queries.managed_resources(request.user).filter(  # type: ignore[attr-defined]
        Q(retired_at__isnull=True) | Q(pk__in=had)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = {r.pk for r in data["resources"]}
        ordered = [pk for pk in had if pk in chosen] + sorted(chosen - set(had))
        try:
            actions.edit_course(
                _user(request),
                found,
                actions.CourseEdit(
                    title=data["title"],
                    description=data["description"],
                    rule_code=data["rule_code"],
                    resource_ids=ordered,
                    publish=data["publish"],
                ),
            )
        except ElearningError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            return redirect("elearning:manage")
    return render(
        request, "elearning/form.html", {"form": form, "title": _("Change %s") % found.title}
    )


@login_required
def resource(request: HttpRequest, resource_id: int) -> HttpResponse:
    try:
        found = queries.resource_stats(queries.managed_resources(request.user)).get(
            pk=int(resource_id)
        )
    except Resource.DoesNotExist:
        raise Http404 from None
    return render(request, "elearning/resource.html", {"resource": found})


def _managed_resource(request: HttpRequest, resource_id: int) -> Resource:
    try:
        return queries.managed_resources(request.user).select_related("owner").get(pk=resource_id)
    except Resource.DoesNotExist:
        raise Http404 from None


@login_required
def resource_edit(request: HttpRequest, resource_id: int) -> HttpResponse:
    found = _managed_resource(request, resource_id)
    initial = {"title": found.title, "duration_seconds": found.duration_seconds, "body": found.body}
    form = ResourceEditForm(
        request.POST or None, request.FILES or None, initial=initial, kind=found.kind
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.edit_resource(
                _user(request),
                found,
                title=data["title"],
                duration_seconds=data["duration_seconds"],
                body=data.get("body"),
                upload=data.get("file"),
            )
        except ElearningError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            return redirect("elearning:resource", found.pk)
    return render(
        request, "elearning/form.html", {"form": form, "title": _("Change %s") % found.title}
    )


@login_required
@require_POST
def resource_retire(request: HttpRequest, resource_id: int) -> HttpResponse:
    found = _managed_resource(request, resource_id)
    actions.retire_resource(_user(request), found)
    return redirect("elearning:resource", found.pk)


@login_required
def course_test(request: HttpRequest, course_id: int) -> HttpResponse:
    """The office's view of a course's test: its questions, and a form adding one."""
    try:
        found = queries.managed_courses(request.user).select_related("owner").get(pk=course_id)
    except OnlineCourse.DoesNotExist:
        raise Http404 from None
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_question(
                _user(request),
                found,
                form.cleaned_data["text"],
                form.cleaned_choices(),
                form.cleaned_correct(),
            )
        except ElearningError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            return redirect("elearning:course_test", found.pk)
    return render(
        request,
        "elearning/course_test.html",
        {
            "course": found,
            "questions": QuizQuestion.objects.filter(course=found),
            "form": form,
        },
    )


# --- learners: the course test ------------------------------------------------------------------


@login_required
def test(request: HttpRequest, course_id: int) -> HttpResponse:
    """A learner's course test on one page (a phone's too), graded on the server."""
    person, found = queries.access_course(request.user, course_id)
    questions = list(QuizQuestion.objects.filter(course=found))
    if not found.needs_test or not questions:
        raise Http404
    graded, error = None, None
    if request.method == "POST":
        answers: dict[int, list[int]] = {}
        for q in questions:
            picked = request.POST.getlist(f"q{q.pk}")
            answers[q.pk] = [int(v) for v in picked if v.isdigit() and int(v) < len(q.choices)]
        try:
            graded = actions.take_test(_user(request), found, answers)
        except ElearningError as refused:
            error = refused
    attempts = QuizAttempt.objects.filter(person=person, course=found).order_by("-at", "-pk")
    return render(
        request,
        "elearning/test.html",
        {
            "course": found,
            "questions": questions,
            "graded": graded,
            "error": error,
            "attempts": attempts,
            "left": actions.attempts_left(found, person.pk),
            "passed": any(a.passed for a in attempts),
        },
    )


# --- auditors ------------------------------------------------------------------------------------


@login_required
def audit(request: HttpRequest) -> HttpResponse:
    if not queries.may_audit(request.user):
        raise Http404
    return render(
        request,
        "elearning/audit.html",
        {
            "flags": queries.anomalies(request.user),
            "uncounted": _page(request, queries.audited_uncounted(request.user)),
            "refused": queries.audited_refused(request.user)[:100],
        },
    )


@login_required
def person(request: HttpRequest, person_id: int) -> HttpResponse:
    found = queries.audited_person(request.user, person_id)
    return render(
        request,
        "elearning/record.html",
        {
            "subject": found,
            "watched": queries.own_watched(found),
            "uncounted": _page(request, queries.own_uncounted(found)),
            "refused": queries.own_refused(found)[:100],
        },
    )
