"""Pages of planning: plans with plan versus actual and money, needs surveys, the reminder inbox,
outbox and policy. Views parse, call one action or query, render."""

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from xuefen.accounts import scope
from xuefen.accounts.models import User
from xuefen.accounts.roles import Cap
from xuefen.audit.actions import record_export
from xuefen.core.actors import acting
from xuefen.core.errors import CodedError
from xuefen.core.tabular import workbook_response
from xuefen.planning import actions, forms, queries
from xuefen.planning.exports import plan_sheets, survey_sheets
from xuefen.planning.models import ReminderPolicy, Survey, SurveyAnswer
from xuefen.planning.reminders import subject_and_body
from xuefen.planning.surveys import items_text


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _error(request: HttpRequest, form: Any, error: CodedError) -> None:
    if form is not None and error.field in form.fields:
        form.add_error(error.field, str(error.message))
    else:
        messages.error(request, str(error.message))


@login_required
def plans(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    can_create = scope.has_capability(user, Cap.PLANNING_MANAGE)
    if not can_create and not scope.has_capability(user, Cap.REPORTS_VIEW):
        raise Http404
    form = forms.PlanForm(user, request.POST or None) if can_create else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            try:
                plan = actions.create_plan(
                    user, data["node"], data["year"], data["name"], data["note"]
                )
            except CodedError as error:
                _error(request, form, error)
            else:
                return redirect("planning:plan", plan_id=plan.pk)
    plan_list = list(queries.plans(user))
    summaries = queries.plan_summaries(plan_list)
    rows = [(plan, *summaries[plan.pk]) for plan in plan_list]
    return render(request, "planning/plans.html", {"rows": rows, "form": form})


def _plan_post(request: HttpRequest, user: User, plan: Any) -> dict[str, Any]:
    """Handles one of the plan page's forms; returns the bound form that failed, if any."""
    what = request.POST.get("what", "")
    try:
        if what == "line":
            form: Any = forms.LineForm(request.POST)
            if form.is_valid():
                actions.add_line(user, plan, **form.cleaned_data)
                return {}
            return {"line_form": form}
        if what == "remove_line":
            actions.remove_line(user, queries.access_line(user, request.POST.get("line")))
            return {}
        if what == "link":
            form = forms.LinkForm(plan, request.POST)
            if form.is_valid():
                actions.link_class(user, form.cleaned_data["line"], form.cleaned_data["klass"])
                return {}
            return {"link_form": form}
        if what == "unlink":
            link = queries.access_link(user, request.POST.get("link"))
            if link.line.plan_id != plan.pk:
                raise Http404
            actions.unlink_class(user, link)
            return {}
        if what == "budget":
            form = forms.BudgetForm(request.POST)
            if form.is_valid():
                actions.set_budget(
                    user, plan, form.cleaned_data["source"], form.cleaned_data["amount"]
                )
                return {}
            return {"budget_form": form}
        if what == "spending":
            form = forms.SpendingForm(plan, request.POST)
            if form.is_valid():
                data = form.cleaned_data
                actions.record_spending(
                    user, data["link"], data["kind"], data["source"], data["amount"], data["note"]
                )
                return {}
            return {"spending_form": form}
    except CodedError as error:
        messages.error(request, str(error.message))
        return {}
    raise Http404


@login_required
def plan(request: HttpRequest, plan_id: int) -> HttpResponse:
    user = _user(request)
    found = queries.access_plan(user, plan_id)
    can_manage = queries.may_manage(user, found.node)
    failed: dict[str, Any] = {}
    if request.method == "POST":
        if not can_manage:
            raise Http404
        failed = _plan_post(request, user, found)
        if not failed:
            return redirect("planning:plan", plan_id=found.pk)
    if request.GET.get("format") == "xlsx":
        report = queries.plan_report(found)
        record_export(acting(request), "planning.plan", len(report.lines), found.node.path)
        return workbook_response(f"plan-{found.node.code}-{found.year}.xlsx", plan_sheets(report))
    forms_of: dict[str, Any] = {}
    if can_manage:
        forms_of = {
            "line_form": forms.LineForm(),
            "link_form": forms.LinkForm(found),
            "budget_form": forms.BudgetForm(),
            "spending_form": forms.SpendingForm(found),
            **failed,
        }
    return render(
        request,
        "planning/plan.html",
        {
            "plan": found,
            "report": queries.plan_report(found),
            "surveys": list(found.surveys.all()),
            "can_manage": can_manage,
            **forms_of,
        },
    )


@login_required
def surveys(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not scope.has_capability(user, Cap.REPORTS_VIEW):
        raise Http404
    rows = list(queries.surveys(user).order_by("-year", "-id"))
    counts = dict(
        SurveyAnswer.objects.filter(survey__in=rows)
        .values("survey_id")
        .annotate(n=Count("id"))
        .values_list("survey_id", "n")
    )
    return render(
        request,
        "planning/surveys.html",
        {
            "rows": [(s, counts.get(s.pk, 0)) for s in rows],
            "can_build": scope.has_capability(user, Cap.SURVEYS_MANAGE),
        },
    )


def _survey_form_page(request: HttpRequest, survey: Survey | None) -> HttpResponse:
    user = _user(request)
    initial = {}
    if survey is not None:
        initial = {
            "node": survey.node,
            "year": survey.year,
            "title": survey.title,
            "items": items_text(survey.items),
            "plan": survey.plan,
        }
    form = forms.SurveyForm(user, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = actions.save_survey(
                user,
                survey,
                node=data["node"],
                year=data["year"],
                title=data["title"],
                items_text=data["items"],
                plan=data["plan"],
            )
        except CodedError as error:
            _error(request, form, error)
        else:
            return redirect("planning:survey", survey_id=saved.pk)
    return render(request, "planning/survey_form.html", {"form": form, "survey": survey})


@login_required
def survey_new(request: HttpRequest) -> HttpResponse:
    if not scope.has_capability(request.user, Cap.SURVEYS_MANAGE):
        raise Http404
    return _survey_form_page(request, None)


@login_required
def survey_edit(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = queries.access_survey(request.user, survey_id)
    if not scope.has_capability(request.user, Cap.SURVEYS_MANAGE, survey.node):
        raise Http404
    return _survey_form_page(request, survey)


@login_required
def survey(request: HttpRequest, survey_id: int) -> HttpResponse:
    user = _user(request)
    found = queries.access_survey(user, survey_id)
    can_build = scope.has_capability(user, Cap.SURVEYS_MANAGE, found.node)
    if request.method == "POST":
        if not can_build:
            raise Http404
        try:
            actions.set_survey_status(user, found, request.POST.get("status", ""))
        except CodedError as error:
            messages.error(request, str(error.message))
        return redirect("planning:survey", survey_id=found.pk)
    results = queries.survey_results(found, request.GET.get("by", "category"))
    if request.GET.get("format") == "xlsx":
        record_export(acting(request), "planning.survey", results["count"], found.node.path)
        return workbook_response(f"survey-{found.pk}-{results['by']}.xlsx", survey_sheets(results))
    return render(
        request,
        "planning/survey.html",
        {
            "survey": found,
            "results": results,
            "charts": queries.chart_data(results),
            "can_build": can_build,
            "dimensions": [
                ("category", _("Personnel category")),
                ("age_bracket", _("Age bracket")),
                ("unit", _("Unit")),
            ],
        },
    )


def _person(request: HttpRequest) -> Any:
    user = _user(request)
    if user.person_id is None:
        raise Http404
    return user.person


@login_required
def my_surveys(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    rows = list(queries.open_surveys_for(person))
    done = set(
        SurveyAnswer.objects.filter(person=person, survey__in=rows).values_list(
            "survey_id", flat=True
        )
    )
    return render(request, "planning/my_surveys.html", {"rows": [(s, s.pk in done) for s in rows]})


@login_required
def survey_answer(request: HttpRequest, survey_id: int) -> HttpResponse:
    person = _person(request)
    found = queries.access_open_survey(person, survey_id)
    if not queries.may_answer(person, found):
        messages.info(request, _("You have answered this survey already."))
        return redirect("planning:my_surveys")
    form = forms.AnswerForm(found.items, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.answer_survey(_user(request), person, found, form.cleaned_data)
        except CodedError as error:
            _error(request, form, error)
        else:
            messages.success(request, _("Thank you: your answers were saved."))
            return redirect("planning:my_surveys")
    return render(request, "planning/answer.html", {"survey": found, "form": form})


def _worded(reminders: list[Any]) -> list[tuple[Any, str, str]]:
    names = queries.node_names({r.node_path for r in reminders})
    return [(r, *subject_and_body(r, r.round, names.get(r.node_path, ""))) for r in reminders]


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("reminder") if i.isdigit()]
        actions.mark_read(user, ids)
        return redirect("planning:inbox")
    page = Paginator(queries.inbox(user), 50).get_page(request.GET.get("page"))
    return render(request, "planning/inbox.html", {"page_obj": page, "rows": _worded(list(page))})


@login_required
def outbox(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not scope.has_capability(user, Cap.REPORTS_VIEW):
        raise Http404
    page = Paginator(queries.outbox(user), 50).get_page(request.GET.get("page"))
    return render(request, "planning/outbox.html", {"page_obj": page, "rows": _worded(list(page))})


@login_required
def policies(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not scope.has_capability(user, Cap.POLICY_CHANGE):
        raise Http404
    rows = list(ReminderPolicy.objects.all())
    bound: dict[int, Any] = {}
    if request.method == "POST":
        try:
            policy = next(p for p in rows if str(p.pk) == request.POST.get("policy"))
        except StopIteration:
            raise Http404 from None
        form = forms.PolicyForm(request.POST)
        if form.is_valid():
            try:
                points = actions.parse_points(form.cleaned_data["days_before"])
                actions.change_reminder_policy(
                    user, policy, points, form.cleaned_data["email"], form.cleaned_data["is_active"]
                )
            except CodedError as error:
                _error(request, form, error)
            else:
                messages.success(request, _("The reminder policy was saved."))
                return redirect("planning:policies")
        bound[policy.pk] = form
    items = [
        (
            p,
            bound.get(p.pk)
            or forms.PolicyForm(
                initial={
                    "days_before": ", ".join(str(d) for d in p.days_before),
                    "email": p.email,
                    "is_active": p.is_active,
                }
            ),
        )
        for p in rows
    ]
    return render(request, "planning/policies.html", {"items": items})
