"""A learner's pages: the course menu, their classes, signing up, the wait list, leave, the
questionnaires — and the page the classroom code opens on their phone."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from xuefen.core.errors import CodedError
from xuefen.training import actions, menu, queries
from xuefen.training.actions.feedback import class_teachers, due
from xuefen.training.forms import AnswersForm, LeaveForm, MenuFilterForm
from xuefen.training.models import (
    Enrolment,
    EnrolmentStatus,
    LeaveRequest,
    QuestionnaireKind,
    ResponseReceipt,
)
from xuefen.training.questionnaires import answer_key_items
from xuefen.training.rules import Reason
from xuefen.training.views.common import acting, form_error


def _learner(request: HttpRequest) -> Any:
    person = queries.learner(request.user)
    if person is None:
        raise Http404
    return person


@login_required
def menu_page(request: HttpRequest) -> HttpResponse:
    """The classes open to the learner, those that close a gap of theirs first."""
    person = _learner(request)
    found = menu.menu_for(person, timezone.localdate())
    labels = found.evaluation.category_labels if found.evaluation else {}
    form = MenuFilterForm(labels, request.GET or None)
    entries = found.entries
    if form.is_valid() and form.cleaned_data["category"]:
        wanted = form.cleaned_data["category"]
        entries = [e for e in entries if wanted in e.earned.categories]
    return render(
        request,
        "training/menu.html",
        {"menu": found, "entries": entries, "form": form, "person": person},
    )


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The learner's classes: status, result (and why), questionnaires to answer."""
    person = _learner(request)
    enrolments = list(queries.own_enrolments(request.user))
    answered = set(ResponseReceipt.objects.filter(person=person).values_list("klass_id", "kind"))
    today = timezone.localdate()
    rows = []
    for enrolment in enrolments:
        klass = enrolment.klass
        enrolled = enrolment.status == EnrolmentStatus.ENROLLED
        rows.append(
            {
                "enrolment": enrolment,
                "reasons": [Reason.of(r).text() for r in enrolment.reasons],
                "evaluate": enrolled
                and due(klass, QuestionnaireKind.EVALUATION, today)
                and (klass.pk, QuestionnaireKind.EVALUATION) not in answered,
                "follow_up": enrolled
                and due(klass, QuestionnaireKind.FOLLOW_UP, today)
                and (klass.pk, QuestionnaireKind.FOLLOW_UP) not in answered,
            }
        )
    return render(request, "training/mine.html", {"rows": rows, "person": person})


def _message(request: HttpRequest, error: CodedError) -> None:
    messages.error(request, str(error.message))


@login_required
@require_POST
def sign_up(request: HttpRequest, class_id: int) -> HttpResponse:
    klass = queries.access_class(request.user, class_id)
    try:
        actions.sign_up(acting(request), klass)
    except CodedError as error:
        _message(request, error)
    else:
        messages.success(request, _("You are on the class's roster."))
    return redirect("training:class_detail", class_id=klass.pk)


@login_required
@require_POST
def wait_list(request: HttpRequest, class_id: int) -> HttpResponse:
    klass = queries.access_class(request.user, class_id)
    try:
        enrolment = actions.join_wait_list(acting(request), klass)
    except CodedError as error:
        _message(request, error)
    else:
        messages.success(
            request,
            _("You are number %(n)s on the wait list.") % {"n": enrolment.position or "—"},
        )
    return redirect("training:class_detail", class_id=klass.pk)


@login_required
@require_POST
def withdraw(request: HttpRequest, class_id: int) -> HttpResponse:
    klass = queries.access_class(request.user, class_id)
    enrolment = queries.own_enrolment(request.user, klass)
    if enrolment is None:
        raise Http404
    try:
        actions.withdraw(acting(request), enrolment)
    except CodedError as error:
        _message(request, error)
    else:
        messages.success(request, _("You have left the class."))
    return redirect("training:class_detail", class_id=klass.pk)


@login_required
@require_http_methods(["GET", "POST"])
def leave(request: HttpRequest, class_id: int) -> HttpResponse:
    klass = queries.access_class(request.user, class_id)
    enrolment = queries.own_enrolment(request.user, klass)
    if enrolment is None or enrolment.status != EnrolmentStatus.ENROLLED:
        raise Http404
    form = LeaveForm(klass, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.request_leave(
                acting(request),
                enrolment,
                form.cleaned_data["sessions"],
                form.cleaned_data["reason"],
            )
        except CodedError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Your request was sent to the class administrator."))
            return redirect("training:class_detail", class_id=klass.pk)
    asked = LeaveRequest.objects.filter(enrolment=enrolment).prefetch_related("sessions")
    return render(
        request,
        "training/leave.html",
        {"klass": klass, "form": form, "asked": asked, "enrolment": enrolment},
    )


@login_required
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, class_id: int, kind: str) -> HttpResponse:
    """The class's questionnaire (kind evaluation) or its follow-up, once per trainee."""
    klass = queries.access_class(request.user, class_id)
    enrolment = queries.own_enrolment(request.user, klass)
    if enrolment is None or enrolment.status != EnrolmentStatus.ENROLLED:
        raise Http404
    questionnaire = klass.evaluation if kind == QuestionnaireKind.EVALUATION else klass.follow_up
    if questionnaire is None:
        raise Http404
    teachers = class_teachers(klass)
    form = AnswersForm(questionnaire, teachers, request.POST or None)
    answered = ResponseReceipt.objects.filter(
        klass=klass, person_id=enrolment.person_id, kind=kind
    ).exists()
    open_now = due(klass, kind, timezone.localdate())
    if request.method == "POST" and form.is_valid():
        try:
            actions.respond(acting(request), klass, kind, form.cleaned_data)
        except CodedError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Thank you: your answers were recorded anonymously."))
            return redirect("training:mine")
    return render(
        request,
        "training/answer.html",
        {
            "klass": klass,
            "kind": kind,
            "questionnaire": questionnaire,
            "form": form,
            "answered": answered,
            "open_now": open_now,
            "questions": answer_key_items(questionnaire, teachers),
        },
    )


def own_standing(user: Any, enrolment: Enrolment | None) -> dict[str, Any]:
    """What the class page shows a learner of their own place on it."""
    if enrolment is None:
        return {}
    return {
        "enrolment": enrolment,
        "reasons": [Reason.of(r).text() for r in enrolment.reasons],
        "leaves": list(LeaveRequest.objects.filter(enrolment=enrolment).order_by("-id")),
    }
