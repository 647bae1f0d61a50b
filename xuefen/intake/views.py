"""Pages of the provider registry and bulk reporting: parse the request, call one query or action,
render. Every object is fetched through the scoped queries (404 for "not yours")."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from xuefen.accounts import scope
from xuefen.accounts.roles import Cap
from xuefen.core.actors import acting
from xuefen.core.errors import CodedError
from xuefen.core.paging import querystring
from xuefen.core.tabular import Sheet, correctable_sheet, workbook_response, xlsx_response
from xuefen.intake import actions, queries, roster
from xuefen.intake.forms import (
    CourseFilterForm,
    CourseForm,
    ProviderFilterForm,
    ProviderForm,
    RowFilterForm,
    UploadForm,
)
from xuefen.intake.models import Batch, BatchRow, Provider
from xuefen.policy.services import known_categories, known_kinds

PAGE_SIZE = 50


def _require_view(user: Any) -> None:
    if not scope.paths_with(user, Cap.INTAKE_VIEW):
        raise Http404


def _form_error(form: Any, exc: CodedError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc.message))


# ---------------------------------------------------------------------------------- providers


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """A provider's staff land on their provider's page; the office on the registry."""
    _require_view(request.user)
    mine = list(queries.providers_for(request.user, Cap.INTAKE_SUBMIT)[:2])
    if len(mine) == 1:
        return redirect("intake:provider_detail", provider_id=mine[0].pk)
    return redirect("intake:providers")


def _filter_providers(request: HttpRequest) -> tuple[ProviderFilterForm, QuerySet[Provider]]:
    form = ProviderFilterForm(request.GET or None)
    qs = queries.providers_for(request.user).order_by("code")
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            qs = qs.filter(Q(code__icontains=data["q"]) | Q(name__icontains=data["q"]))
        if data["kind"]:
            qs = qs.filter(kind=data["kind"])
        if data["active"]:
            qs = qs.filter(is_active=data["active"] == "1")
    return form, qs


@login_required
def providers(request: HttpRequest) -> HttpResponse:
    _require_view(request.user)
    form, qs = _filter_providers(request)
    qs = qs.annotate(course_count=Count("courses", distinct=True))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    base, encoded = querystring(request)
    return render(
        request,
        "intake/providers.html",
        {
            "form": form,
            "page_obj": page,
            "querystring_base": base,
            "filter_query": encoded,
            "can_register": actions.may_register_providers(acting(request)),
        },
    )


@login_required
def providers_export(request: HttpRequest) -> HttpResponse:
    _require_view(request.user)
    _form, qs = _filter_providers(request)
    rows = (
        [p.code, p.name, p.get_kind_display(), p.node.name, p.serves.name, _yes(p.is_active)]
        for p in qs.iterator()
    )
    headers = ["代码", "名称", "类型", "所在节点", "服务范围", "启用"]
    return xlsx_response(f"培训机构-{_stamp()}.xlsx", headers, rows, sheet_title="培训机构")


def _yes(value: bool) -> str:
    return _("Yes") if value else _("No")


def _stamp() -> str:
    return dt.date.today().strftime("%Y%m%d")


@login_required
@require_http_methods(["GET", "POST"])
def provider_create(request: HttpRequest) -> HttpResponse:
    if not actions.may_register_providers(acting(request)):
        raise Http404
    form = ProviderForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            provider = actions.register_provider(acting(request), **form.cleaned_data)
        except CodedError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The provider has been registered."))
            return redirect("intake:provider_detail", provider_id=provider.pk)
    return render(request, "intake/provider_form.html", {"form": form, "provider": None})


@login_required
@require_http_methods(["GET", "POST"])
def provider_edit(request: HttpRequest, provider_id: int) -> HttpResponse:
    provider = queries.access_provider(request.user, provider_id, Cap.COURSES_MANAGE)
    if not actions.may_register_providers(acting(request), provider.node):
        raise Http404
    initial = {f: getattr(provider, f) for f in actions.PROVIDER_FIELDS}
    form = ProviderForm(request.user, request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        values.pop("code", None)
        try:
            actions.update_provider(acting(request), provider, **values)
        except CodedError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect("intake:provider_detail", provider_id=provider.pk)
    return render(request, "intake/provider_form.html", {"form": form, "provider": provider})


@login_required
def provider_detail(request: HttpRequest, provider_id: int) -> HttpResponse:
    """The provider's dashboard: upload a roster, its batches, its courses."""
    provider = queries.access_provider(request.user, provider_id)
    user = request.user
    can_submit = scope.has_capability(user, Cap.INTAKE_SUBMIT, provider.node)
    return render(
        request,
        "intake/provider_detail.html",
        {
            "provider": provider,
            "batches": queries.batches_for_provider(provider).select_related("created_by")[:20],
            "courses": queries.courses_of(provider)[:200],
            "upload_form": UploadForm() if can_submit and provider.is_active else None,
            "can_manage_courses": scope.has_capability(user, Cap.COURSES_MANAGE, provider.node),
            "can_edit": actions.may_register_providers(acting(request), provider.node),
        },
    )


# ------------------------------------------------------------------------------------ courses


def _filter_courses(request: HttpRequest) -> tuple[CourseFilterForm, QuerySet[Any]]:
    form = CourseFilterForm(request.user, request.GET or None)
    qs = queries.courses_for(request.user).order_by("provider__code", "code")
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            qs = qs.filter(Q(code__icontains=data["q"]) | Q(name__icontains=data["q"]))
        if data["provider"]:
            qs = qs.filter(provider=data["provider"])
        if data["active"]:
            qs = qs.filter(is_active=data["active"] == "1")
    return form, qs


@login_required
def courses(request: HttpRequest) -> HttpResponse:
    _require_view(request.user)
    form, qs = _filter_courses(request)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    base, encoded = querystring(request)
    return render(
        request,
        "intake/courses.html",
        {"form": form, "page_obj": page, "querystring_base": base, "filter_query": encoded},
    )


@login_required
def courses_export(request: HttpRequest) -> HttpResponse:
    _require_view(request.user)
    _form, qs = _filter_courses(request)
    kinds, categories = dict(known_kinds()), dict(known_categories())
    headers = ["机构代码", "机构", "课程代码", "课程名称", "活动类型", "类别", "学时/学分", "单位"]
    headers += ["开始日期", "结束日期", "启用"]
    rows = (
        [
            c.provider.code,
            c.provider.name,
            c.code,
            c.name,
            kinds.get(c.kind, c.kind),
            "、".join(categories.get(code, code) for code in c.categories),
            float(c.amount),
            c.get_unit_display(),
            c.starts_on,
            c.ends_on,
            _yes(c.is_active),
        ]
        for c in qs.iterator()
    )
    return xlsx_response(f"课程-{_stamp()}.xlsx", headers, rows, sheet_title="课程")


@login_required
@require_http_methods(["GET", "POST"])
def course_create(request: HttpRequest, provider_id: int) -> HttpResponse:
    provider = queries.access_provider(request.user, provider_id, Cap.COURSES_MANAGE)
    form = CourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.register_course(acting(request), provider, **form.cleaned_data)
        except CodedError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The course has been registered."))
            return redirect("intake:provider_detail", provider_id=provider.pk)
    context = {"form": form, "provider": provider, "course": None}
    return render(request, "intake/course_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def course_edit(request: HttpRequest, course_id: int) -> HttpResponse:
    course = queries.access_course(request.user, course_id, Cap.COURSES_MANAGE)
    form = CourseForm(request.POST or None, initial=CourseForm.initial_for(course), editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_course(acting(request), course, **form.cleaned_data)
        except CodedError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect("intake:provider_detail", provider_id=course.provider_id)
    context = {"form": form, "provider": course.provider, "course": course}
    return render(request, "intake/course_form.html", context)


# ------------------------------------------------------------------------------------ batches


@login_required
@require_POST
def upload(request: HttpRequest, provider_id: int) -> HttpResponse:
    provider = queries.access_provider(request.user, provider_id, Cap.INTAKE_SUBMIT)
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        file = form.cleaned_data["file"]
        try:
            batch = actions.submit_batch(
                acting(request),
                provider,
                upload=file,
                source=Batch.Source.UPLOAD,
                filename=file.name,
            )
        except CodedError as exc:
            earlier = getattr(exc, "batch", None)
            if earlier is not None:
                messages.info(request, str(exc.message))
                return redirect("intake:batch_detail", batch_id=earlier.pk)
            form.add_error("file", str(exc.message))
        else:
            messages.success(request, _("The file has been received and is being processed."))
            return redirect("intake:batch_detail", batch_id=batch.pk)
    context = {
        "provider": provider,
        "batches": queries.batches_for_provider(provider).select_related("created_by")[:20],
        "courses": queries.courses_of(provider)[:200],
        "upload_form": form,
        "can_manage_courses": scope.has_capability(request.user, Cap.COURSES_MANAGE, provider.node),
    }
    return render(request, "intake/provider_detail.html", context, status=400)


@login_required
def template(request: HttpRequest) -> HttpResponse:
    """The roster template: the headers, an example row and the rules."""
    if not scope.paths_with(request.user, Cap.INTAKE_SUBMIT):
        raise Http404
    example = [
        "320923198506151234",
        "张三",
        "DX-2026-01",
        "2026-03-02",
        "2026-03-04",
        "3",
        "",
        "",
    ]
    notes = [
        [_("One completion per row, starting on row 2; delete the example row.")],
        [
            _(
                "Required columns: 身份证号, 课程代码, 完成日期. 姓名 is checked against the "
                "person if given."
            )
        ],
        [_("Format the 身份证号 column as text so Excel keeps all 18 characters.")],
        [
            _(
                "开始日期: the first day of a class over several days; leave blank for a one-day "
                "activity. 完成日期 is its last day."
            )
        ],
        [
            _(
                "天数: the days the training took, in half days (e.g. 2.5), no more than the "
                "days from 开始日期 to 完成日期. Leave blank if the course is not counted in "
                "days; for a course counted per day, blank means every day from 开始日期 to "
                "完成日期."
            )
        ],
        [
            _(
                "A class that runs into the next year (e.g. 30 December to 2 January) is sent as "
                "one row for each year, each with its own days."
            )
        ],
        [_("学时: leave blank for the course's full value, or give a partial amount.")],
        [_("类别: leave blank for the course's categories, or name some of them (e.g. 必修).")],
        [_("Dates: 2026-01-05, 2026/1/5 or 20260105.")],
        [_("A row sent again is recognised as a duplicate and counted once.")],
    ]
    return workbook_response(
        "培训完成名单模板.xlsx",
        [
            Sheet("名单", roster.HEADERS, [example], widths=(22, 10, 16, 14, 14, 8, 8, 16)),
            Sheet(_("Instructions"), [_("Instructions")], notes, widths=(90,)),
        ],
    )


@login_required
def batches(request: HttpRequest) -> HttpResponse:
    """Every batch the user may see (the office: all providers of its subtree)."""
    _require_view(request.user)
    qs = queries.batches_for(request.user)
    status = request.GET.get("status", "")
    if status in Batch.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    base, _encoded = querystring(request)
    return render(
        request,
        "intake/batches.html",
        {
            "page_obj": page,
            "querystring_base": base,
            "status": status,
            "statuses": Batch.Status.choices,
        },
    )


def _batch_context(request: HttpRequest, batch: Batch) -> dict[str, Any]:
    return {
        "batch": batch,
        "stalled": actions.is_stale(batch),
        "can_resume": actions.is_stale(batch)
        and scope.has_capability(request.user, Cap.INTAKE_SUBMIT, batch.provider.node),
    }


@login_required
def batch_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = queries.access_batch(request.user, batch_id)
    form = RowFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    rows = queries.batch_rows(batch, status or None).select_related("person")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    base, _encoded = querystring(request)
    context = _batch_context(request, batch)
    context.update(form=form, page_obj=page, querystring_base=base)
    return render(request, "intake/batch_detail.html", context)


@login_required
def batch_progress(request: HttpRequest, batch_id: int) -> HttpResponse:
    """The progress box, polled by htmx while the batch is queued or running."""
    batch = queries.access_batch(request.user, batch_id)
    response = render(request, "intake/_progress.html", _batch_context(request, batch))
    if request.headers.get("HX-Request") and not batch.is_open:
        response["HX-Refresh"] = "true"  # show the rows now that they are all there
    return response


def _as_sent(row: BatchRow) -> dict[str, Any]:
    """The row's cells as sent; for rows stored before the cells were kept, what was read."""
    if row.sent:
        return dict(row.sent)
    return {
        "id_number": row.id_number_masked,
        "course_code": row.course_code,
        "first_day": row.first_day,
        "completed_on": row.completed_on,
        "days": row.days,
    }


@login_required
def batch_errors(request: HttpRequest, batch_id: int) -> HttpResponse:
    """The error file: each bad row as it was sent, in the template's columns, with the reasons
    beside it — corrected in place, the file is sent again as it is; then why the file as a whole
    was refused (a failed batch), and one line per problem."""
    batch = queries.access_batch(request.user, batch_id)
    rows = list(queries.batch_rows(batch, BatchRow.Status.ERROR))
    reasons = [
        (
            r.row_number,
            _as_sent(r),
            [f"{e['field']}: {e['message']}" if e.get("field") else e["message"] for e in r.errors],
        )
        for r in rows
    ]
    problems = [
        [r.row_number, e.get("field", ""), e.get("message", ""), e.get("code", "")]
        for r in rows
        for e in r.errors
    ]
    if batch.status == Batch.Status.FAILED and batch.failure:
        problems.insert(0, ["", _("Whole file"), batch.failure, batch.failure_code])
    sheets = [
        correctable_sheet(roster.COLUMNS, reasons),
        Sheet(
            _("Errors"),
            [_("Row"), _("Column"), _("Reason"), _("Code")],
            problems,
            widths=(8, 16, 60, 20),
        ),
    ]
    return workbook_response(f"批次{batch.pk}-错误.xlsx", sheets)


@login_required
@require_POST
def batch_resume(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = queries.access_batch(request.user, batch_id, Cap.INTAKE_SUBMIT)
    try:
        actions.resume_batch(acting(request), batch)
    except CodedError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request, _("The batch has been queued again; it continues where it stopped.")
        )
    return redirect("intake:batch_detail", batch_id=batch.pk)
