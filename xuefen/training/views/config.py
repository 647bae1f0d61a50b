"""Setting up the menu and the questionnaires: a course's menu settings (for the provider's
staff and the office) and the questionnaires (the credit office's)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from xuefen.accounts import scope
from xuefen.accounts.roles import Cap
from xuefen.core.errors import CodedError
from xuefen.core.paging import querystring
from xuefen.training import actions, queries
from xuefen.training.forms import CourseMenuForm, ItemFormSet, QuestionnaireForm
from xuefen.training.models import AGE_BRACKETS, Questionnaire
from xuefen.training.views.common import acting, form_error, page_of


@login_required
def courses(request: HttpRequest) -> HttpResponse:
    """The courses of the providers the user runs classes for, as the menu shows them."""
    if not scope.has_capability(request.user, Cap.TRAINING_MANAGE):
        raise Http404
    qs = (
        queries.menu_courses(request.user)
        .annotate(class_count=Count("classes", distinct=True))
        .prefetch_related("teachers")
        .order_by("provider__code", "code")
    )
    base, _encoded = querystring(request)
    return render(
        request,
        "training/courses.html",
        {"page_obj": page_of(request, qs), "querystring_base": base},
    )


@login_required
@require_http_methods(["GET", "POST"])
def course_menu(request: HttpRequest, course_id: int) -> HttpResponse:
    course = queries.access_course(request.user, course_id)
    initial = {
        "on_menu": course.on_menu,
        "level": course.level,
        "audience_categories": course.audience_categories,
        "audience_brackets": course.audience_brackets,
        "description": course.description,
        "teachers": list(course.teachers.all()),
    }
    form = CourseMenuForm(request.user, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        teachers = list(data.pop("teachers"))
        try:
            actions.set_course_menu(acting(request), course, teachers=teachers, **data)
        except CodedError as error:
            form_error(form, error)
        else:
            messages.success(request, _("The course's menu settings were saved."))
            return redirect("training:courses")
    return render(
        request,
        "training/course_menu.html",
        {"course": course, "form": form, "brackets": AGE_BRACKETS},
    )


@login_required
def questionnaires(request: HttpRequest) -> HttpResponse:
    if not queries.may_configure(request.user):
        raise Http404
    return render(
        request,
        "training/questionnaires.html",
        {"questionnaires": Questionnaire.objects.order_by("kind", "name")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def questionnaire_edit(request: HttpRequest, questionnaire_id: int) -> HttpResponse:
    questionnaire = queries.access_questionnaire(request.user, questionnaire_id)
    form = QuestionnaireForm(
        request.POST or None,
        initial={"name": questionnaire.name, "is_default": questionnaire.is_default},
    )
    items = ItemFormSet(request.POST or None, initial=questionnaire.items, prefix="items")
    if request.method == "POST" and form.is_valid() and items.is_valid():
        rows = []
        taken = {i["code"] for i in questionnaire.items}
        for number, data in enumerate(items.cleaned_data, start=1):
            if not data or not data.get("text"):
                continue
            code = data.get("code") or _new_code(taken, number)
            taken.add(code)
            rows.append(
                {"code": code, "text": data["text"], "type": data["type"], "about": data["about"]}
            )
        try:
            actions.update_questionnaire(
                acting(request),
                questionnaire,
                name=form.cleaned_data["name"],
                items=rows,
                is_default=form.cleaned_data["is_default"],
            )
        except CodedError as error:
            form_error(form, error)
        else:
            messages.success(request, _("The questionnaire was saved."))
            return redirect("training:questionnaires")
    return render(
        request,
        "training/questionnaire_form.html",
        {"questionnaire": questionnaire, "form": form, "items": items},
    )


def _new_code(taken: set[str], number: int) -> str:
    code = f"q{number}"
    while code in taken:
        number += 1
        code = f"q{number}"
    return code
