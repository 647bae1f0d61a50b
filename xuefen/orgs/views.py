"""Pages of the org tree and people: parse the request, call one query or action, render."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from xuefen.accounts import scope
from xuefen.accounts.roles import Cap
from xuefen.core.actors import acting
from xuefen.core.errors import CodedError
from xuefen.core.paging import querystring
from xuefen.core.tabular import (
    Sheet,
    csv_response,
    error_workbook_response,
    workbook_response,
    xlsx_response,
)
from xuefen.orgs import actions, importing, queries
from xuefen.orgs.forms import ImportForm, NodeForm, PeopleFilterForm, PersonForm, TransferForm
from xuefen.orgs.models import PeopleImport, Person

PAGE_SIZE = 50


def _form_error(form: Any, exc: CodedError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc.message))


# ------------------------------------------------------------------------------------ org tree


@login_required
def tree(request: HttpRequest) -> HttpResponse:
    scope.require(request.user, Cap.ORGS_VIEW)
    return render(
        request,
        "orgs/tree.html",
        {
            "roots": queries.tree(request.user),
            "can_change": scope.has_capability(request.user, Cap.ORGS_CHANGE),
        },
    )


@login_required
def node_detail(request: HttpRequest, node_id: int) -> HttpResponse:
    node = scope.access_node(request.user, node_id)
    people_count = scope.people(request.user).filter(unit__path__startswith=node.path).count()
    ancestors = list(node.ancestors().exclude(pk=node.pk))
    # Above the user's own subtree an ancestor is named, not linked (its page would be a 404).
    visible = set(
        scope.nodes(request.user)
        .filter(pk__in=[a.pk for a in ancestors])
        .values_list("pk", flat=True)
    )
    return render(
        request,
        "orgs/node_detail.html",
        {
            "node": node,
            "ancestors": [(a, a.pk in visible) for a in ancestors],
            "children": queries.child_nodes(node),
            "people_count": people_count,
            "can_change": scope.has_capability(request.user, Cap.ORGS_CHANGE, node),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def node_create(request: HttpRequest) -> HttpResponse:
    scope.require(request.user, Cap.ORGS_CHANGE)
    form = NodeForm(
        request.user, request.POST or None, initial={"parent": request.GET.get("parent")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            node = actions.create_node(
                acting(request),
                code=form.cleaned_data["code"],
                name=form.cleaned_data["name"],
                kind=form.cleaned_data["kind"],
                parent=form.cleaned_data["parent"],
                unit_type=form.cleaned_data["unit_type"],
            )
        except CodedError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The node has been created."))
            return redirect("orgs:node_detail", node_id=node.pk)
    return render(request, "orgs/node_form.html", {"form": form, "node": None})


@login_required
@require_http_methods(["GET", "POST"])
def node_edit(request: HttpRequest, node_id: int) -> HttpResponse:
    node = scope.access_node(request.user, node_id, Cap.ORGS_CHANGE)
    form = NodeForm(request.user, request.POST or None, instance=node)
    if request.method == "POST" and form.is_valid():
        node.refresh_from_db()  # the form wrote into the instance; the action compares before/after
        try:
            actions.update_node(acting(request), node, **form.cleaned_data)
        except CodedError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The node has been saved."))
            return redirect("orgs:node_detail", node_id=node.pk)
    return render(request, "orgs/node_form.html", {"form": form, "node": node})


# ------------------------------------------------------------------------------------ people


def _require_people_list(user: Any) -> None:
    # A learner "sees people" only as themself (a self-capability); the list is for grants on units.
    if not scope.paths_with(user, Cap.PEOPLE_VIEW):
        raise Http404


def _filters(request: HttpRequest) -> tuple[PeopleFilterForm, Any]:
    form = PeopleFilterForm(request.user, request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    return form, queries.filter_people(request.user, data)


@login_required
def people(request: HttpRequest) -> HttpResponse:
    _require_people_list(request.user)
    form, qs = _filters(request)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    visible = queries.id_visibility(request.user)
    for person in page.object_list:
        person.shown_id = person.id_number if visible(person) else person.masked_id_number
    base, encoded = querystring(request)
    return render(
        request,
        "orgs/people.html",
        {
            "form": form,
            "page_obj": page,
            "querystring_base": base,
            "filter_query": encoded,
            "can_change": scope.has_capability(request.user, Cap.PEOPLE_CHANGE),
            "can_import": scope.has_capability(request.user, Cap.PEOPLE_IMPORT),
        },
    )


@login_required
def people_export(request: HttpRequest) -> HttpResponse:
    _require_people_list(request.user)
    _form, qs = _filters(request)
    people_list = list(qs)
    rows = importing.export_rows(people_list, queries.id_visibility(request.user))
    actions.record_people_export(acting(request), len(rows))
    stamp = dt.date.today().strftime("%Y%m%d")
    if request.GET.get("format") == "csv":
        return csv_response(f"人员-{stamp}.csv", importing.HEADERS, rows)
    return xlsx_response(f"人员-{stamp}.xlsx", importing.HEADERS, rows, sheet_title="人员")


@login_required
def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    person = scope.access_person(request.user, person_id)
    visible = queries.id_visibility(request.user)
    return render(
        request,
        "orgs/person_detail.html",
        {
            "person": person,
            "shown_id": person.id_number if visible(person) else person.masked_id_number,
            "age": person.age_on(dt.date.today()),
            "transfers": person.transfers.select_related("from_unit", "to_unit"),
            "can_change": scope.has_capability(request.user, Cap.PEOPLE_CHANGE, person.unit),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest) -> HttpResponse:
    scope.require(request.user, Cap.PEOPLE_CHANGE)
    form = PersonForm(
        request.user,
        request.POST or None,
        initial={"status": Person.Status.ACTIVE, "unit": request.GET.get("unit")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_person(acting(request), **form.cleaned_data)
        except CodedError as exc:
            _form_error(form, exc)
        else:
            # The same answer whether the person was created or, their ID number being registered
            # outside the user's units, requested from the office: no existence oracle.
            unit = form.cleaned_data["unit"]
            messages.success(
                request,
                _(
                    "%(name)s has been added to %(unit)s. If this ID number is already "
                    "registered in a unit outside yours, the credit office has been asked to "
                    "transfer that person instead."
                )
                % {"name": form.cleaned_data["name"], "unit": unit.name},
            )
            return redirect(reverse("orgs:people") + f"?unit={unit.pk}")
    return render(request, "orgs/person_form.html", {"form": form, "person": None})


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, person_id: int) -> HttpResponse:
    person = scope.access_person(request.user, person_id, Cap.PEOPLE_CHANGE)
    initial = {f: getattr(person, f) for f in actions.PERSON_FIELDS}
    if not queries.id_visibility(request.user)(person):
        raise Http404
    form = PersonForm(request.user, request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        values.pop("unit", None)
        try:
            actions.update_person(acting(request), person, **values)
        except CodedError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect("orgs:person_detail", person_id=person.pk)
    return render(request, "orgs/person_form.html", {"form": form, "person": person})


@login_required
@require_http_methods(["GET", "POST"])
def person_transfer(request: HttpRequest, person_id: int) -> HttpResponse:
    person = scope.access_person(request.user, person_id, Cap.PEOPLE_CHANGE)
    form = TransferForm(request.user, person, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.transfer_person(
                acting(request),
                person,
                form.cleaned_data["to_unit"],
                effective_on=form.cleaned_data["effective_on"],
                reason=form.cleaned_data["reason"],
            )
        except CodedError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The transfer has been recorded."))
            return redirect("orgs:person_detail", person_id=person.pk)
    return render(request, "orgs/person_transfer.html", {"form": form, "person": person})


# ------------------------------------------------------------------------------------ import


@login_required
@require_http_methods(["GET", "POST"])
def people_import(request: HttpRequest) -> HttpResponse:
    """Upload: only the file's head is checked here; the background worker checks every row,
    then the import's page shows the preview to confirm."""
    scope.require(request.user, Cap.PEOPLE_IMPORT)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            imp = actions.start_people_import(
                acting(request), form.cleaned_data["file"], language=request.LANGUAGE_CODE
            )
        except CodedError as exc:
            form.add_error("file", str(exc.message))
        else:
            return redirect("orgs:people_import_detail", import_id=imp.pk)
    return render(request, "orgs/people_import.html", {"form": form})


def _access_import(request: HttpRequest, import_id: int) -> PeopleImport:
    scope.require(request.user, Cap.PEOPLE_IMPORT)
    return queries.access_import(request.user, import_id)


@login_required
def people_import_detail(request: HttpRequest, import_id: int) -> HttpResponse:
    """The check's progress (polled while the worker reads), then the preview or the errors, as
    the worker stored them: the file is not read again."""
    imp = _access_import(request, import_id)
    stored = importing.load_check(imp) if not imp.is_open else None
    return render(
        request,
        "orgs/people_import_detail.html",
        {
            "imp": imp,
            "preview": [p for p in stored.preview if p[1] != "unchanged"] if stored else [],
            "errors": stored.errors[:500] if stored else [],
            "expired": importing.is_expired(imp),
        },
    )


@login_required
@require_POST
def people_import_confirm(request: HttpRequest, import_id: int) -> HttpResponse:
    imp = _access_import(request, import_id)
    try:
        counts = actions.confirm_people_import(acting(request), imp)
    except CodedError as exc:
        messages.error(request, str(exc.message))
        return redirect("orgs:people_import_detail", import_id=imp.pk)
    messages.success(
        request,
        _(
            "Import done: %(new)d new (or sent to the credit office, for ID numbers registered "
            "in a unit outside yours), %(changed)d changed, %(unchanged)d unchanged."
        )
        % counts,
    )
    return redirect("orgs:people")


@login_required
def people_import_errors(request: HttpRequest, import_id: int) -> HttpResponse:
    """The error file, from what the check stored."""
    imp = _access_import(request, import_id)
    stored = importing.load_check(imp)
    if stored is None:
        raise Http404
    return error_workbook_response(
        "导入错误.xlsx", stored.errors, stored.bad_rows, importing.COLUMNS
    )


# --------------------------------------------------------------------------- transfer requests


@login_required
def transfer_requests(request: HttpRequest) -> HttpResponse:
    """The office's queue: people added by a unit that could not see them."""
    scope.require(request.user, Cap.PEOPLE_CHANGE)
    page = Paginator(queries.transfer_requests(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    visible = queries.id_visibility(request.user)
    rows = [
        (req, req.person.id_number if visible(req.person) else req.person.masked_id_number)
        for req in page.object_list
    ]
    return render(request, "orgs/transfer_requests.html", {"page_obj": page, "rows": rows})


@login_required
@require_POST
def transfer_request_decide(request: HttpRequest, request_id: int) -> HttpResponse:
    req = queries.access_transfer_request(request.user, request_id)
    accept = request.POST.get("accept") == "1"
    try:
        actions.decide_transfer_request(acting(request), req, accept=accept)
    except CodedError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("The person has been transferred.") if accept else _("The request was declined."),
        )
    return redirect("orgs:transfer_requests")


@login_required
def people_import_template(request: HttpRequest) -> HttpResponse:
    scope.require(request.user, Cap.PEOPLE_IMPORT)
    instructions = [
        [_("Fill in one person per row, starting on row 2; delete the example row.")],
        [_("Required columns: 身份证号, 姓名, 单位代码, 人员类别.")],
        [_("Format the 身份证号 column as text so Excel keeps all 18 characters.")],
        [_("性别 and 出生日期 may be left blank: they are read from the ID number.")],
        [_("Dates: 2026-01-05, 2026/1/5 or 20260105.")],
        [
            _("人员类别: %(values)s.")
            % {"values": "、".join(importing.ZH_LABELS["category"].values())}
        ],
        [
            _("职称级别: %(values)s.")
            % {"values": "、".join(importing.ZH_LABELS["title_level"].values())}
        ],
        [_("状态: %(values)s.") % {"values": "、".join(importing.ZH_LABELS["status"].values())}],
        [_("Only values are read: formulas are refused.")],
    ]
    return workbook_response(
        "人员导入模板.xlsx",
        [
            Sheet(
                "人员",
                importing.HEADERS,
                [importing.example_row()],
                widths=(22, 10, 6, 12, 12, 18, 10, 14, 14, 10, 12),
            ),
            Sheet(_("Instructions"), [_("Instructions")], instructions, widths=(100,)),
        ],
    )
