"""The audit trail pages (audit.view): a filtered, paginated list, one event's changes, and an XLSX
export of the filtered events. Every read goes through `queries`, which scopes by org subtree."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from xuefen.accounts import scope
from xuefen.accounts.roles import Cap
from xuefen.audit import queries, words
from xuefen.audit.actions import record_export
from xuefen.audit.forms import EventFilterForm
from xuefen.core.actors import acting
from xuefen.core.paging import querystring
from xuefen.core.tabular import xlsx_response

PAGE_SIZE = 50
MAX_EXPORT_ROWS = 100_000


def _filtered(request: HttpRequest) -> tuple[EventFilterForm, dict]:
    form = EventFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    return form, filters


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    scope.require(request.user, Cap.AUDIT_VIEW)
    form, filters = _filtered(request)
    rows = queries.events(request.user, filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    redact = queries.redactor(request.user)
    page.object_list = [redact(event) for event in page.object_list]
    base, query = querystring(request)
    return render(
        request,
        "audit/events.html",
        {
            "form": form,
            "page_obj": page,
            "querystring_base": base,
            "query": query,
        },
    )


@login_required
def event_detail(request: HttpRequest, event_id: int) -> HttpResponse:
    event = queries.redactor(request.user)(queries.access_event(request.user, event_id))
    return render(
        request,
        "audit/event_detail.html",
        {"event": event, "rows": queries.change_rows(event)},
    )


@login_required
def event_export(request: HttpRequest) -> HttpResponse:
    scope.require(request.user, Cap.AUDIT_VIEW)
    _form, filters = _filtered(request)
    redact = queries.redactor(request.user)
    events = [redact(e) for e in queries.events(request.user, filters)[:MAX_EXPORT_ROWS]]
    paths = scope.paths_with(request.user, Cap.AUDIT_VIEW)
    record_export(acting(request), "audit.auditevent", len(events), paths[0] if paths else "")
    headers = [
        _("Time"),
        _("Actor"),
        _("Address"),
        pgettext("audit trail", "Action"),
        _("Object type"),
        _("Object id"),
        _("Object"),
        _("Changes"),
    ]
    rows = (
        [
            timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
            e.actor_name,
            e.address or "",
            e.get_action_display(),
            words.object_type_label(e.object_type),
            e.object_id,
            words.object_text(e.object_type, e.object_repr),
            "; ".join(f"{f}: {b} → {a}" for f, b, a in queries.change_rows(e)),
        ]
        for e in events
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return xlsx_response(f"audit-{stamp}.xlsx", headers, rows, sheet_title=_("Audit trail"))
