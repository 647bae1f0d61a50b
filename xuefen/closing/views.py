"""Pages of closing a year: closes and their results notices, public notices and objections, and
the assessment export. Views parse, call one query or action, render."""

import datetime as dt
import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from xuefen.accounts import scope
from xuefen.accounts.roles import Cap
from xuefen.audit.actions import record_export
from xuefen.closing import actions, assessment, guard, queries, results, runs
from xuefen.closing.errors import Code
from xuefen.closing.models import NoticeRun, Objection
from xuefen.core.actors import acting
from xuefen.core.errors import CodedError
from xuefen.core.tabular import XLSX_CONTENT_TYPE, xlsx_response
from xuefen.orgs.models import OrgNode

PAGE_SIZE = 50


def _fail(request: HttpRequest, error: CodedError) -> None:
    messages.error(request, str(error.message))


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- closes --------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def closes(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not scope.has_capability(user, Cap.REPORTS_VIEW):
        raise Http404
    regions = scope.nodes(user, Cap.CREDITS_APPROVE).filter(kind=OrgNode.Kind.REGION)
    if request.method == "POST":
        region = regions.filter(pk=_int(request.POST.get("region")) or 0).first()
        period = _int(request.POST.get("period"))
        if region is None or period is None:
            messages.error(request, _("Choose the region and the year."))
        else:
            try:
                close = actions.close_period(
                    acting(request), region, period, request.POST.get("note", "")
                )
            except CodedError as error:
                _fail(request, error)
            else:
                messages.success(request, _("The year is closed and its grades are fixed."))
                return redirect("closing:close", close_id=close.pk)
        return redirect("closing:closes")
    return render(
        request,
        "closing/closes.html",
        {
            "closes": queries.closes_for(user).order_by("-period", "region__path")[:100],
            # A unit administrator's units in a closed region: their results notices.
            "own_results": [
                (c, node)
                for c in queries.closes_reaching(user).order_by("-period")[:20]
                for node in queries.results_nodes(user, c)[:20]
            ],
            "regions": regions.order_by("path"),
            "year_to_close": _year_to_close(regions.order_by("path").first()),
        },
    )


def _year_to_close(region: OrgNode | None) -> int:
    """The year the form offers: last year, or this year once last year is closed for the first
    region on offer (the office closes each year once; offering a closed one invites a refusal)."""
    this_year = timezone.localdate().year
    if region is not None and guard.close_over(region.path, this_year - 1) is not None:
        return this_year
    return this_year - 1


@login_required
def close(request: HttpRequest, close_id: int) -> HttpResponse:
    found = queries.access_close(request.user, close_id)
    office = scope.has_capability(request.user, Cap.CREDITS_APPROVE, found.region)
    units = Paginator(queries.results_nodes(request.user, found), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "closing/close.html",
        {
            "close": found,
            "office": office,
            "summary": results.summary(found, None),
            "page_obj": units,
            "late": found.late_approvals.select_related("person", "unit", "granted_by")[:50]
            if office
            else [],
            "notices": queries.notices_for(request.user).filter(close=found),
            "runs": found.notice_runs.all()[:5] if office else [],
            "today": timezone.localdate(),
        },
    )


def _office_close(request: HttpRequest, close_id: int) -> Any:
    found = queries.access_close(request.user, close_id)
    if not scope.has_capability(request.user, Cap.CREDITS_APPROVE, found.region):
        raise Http404
    return found


@login_required
@require_POST
def close_regrade(request: HttpRequest, close_id: int) -> HttpResponse:
    found = _office_close(request, close_id)
    try:
        actions.fix_grades_again(acting(request), found)
    except CodedError as error:
        _fail(request, error)
    else:
        messages.success(request, _("The grades are fixed again from the ledger."))
    return redirect("closing:close", close_id=found.pk)


@login_required
@require_POST
def close_late(request: HttpRequest, close_id: int) -> HttpResponse:
    found = _office_close(request, close_id)
    person = unit = None
    id_number = request.POST.get("id_number", "").strip().upper()
    if id_number:
        person = (
            scope.people(request.user, Cap.PEOPLE_VIEW)
            .select_related("unit")
            .filter(id_number=id_number)
            .first()
        )
        if person is None:
            messages.error(request, _("No person with this ID number in your scope."))
            return redirect("closing:close", close_id=found.pk)
    else:
        code = request.POST.get("unit_code", "").strip()
        unit = scope.nodes(request.user, Cap.CREDITS_APPROVE).filter(code=code).first()
        if unit is None:
            messages.error(request, _("Give a person's ID number or a unit's code."))
            return redirect("closing:close", close_id=found.pk)
    try:
        until = dt.date.fromisoformat(request.POST.get("valid_until", ""))
    except ValueError:
        messages.error(request, _("Give the last day as YYYY-MM-DD."))
        return redirect("closing:close", close_id=found.pk)
    try:
        actions.approve_late_reports(
            acting(request),
            found,
            reason=request.POST.get("reason", ""),
            valid_until=until,
            person=person,
            unit=unit,
        )
    except CodedError as error:
        _fail(request, error)
    else:
        messages.success(request, _("Late reports are let in until %(day)s.") % {"day": until})
    return redirect("closing:close", close_id=found.pk)


@login_required
@require_POST
def close_publish(request: HttpRequest, close_id: int) -> HttpResponse:
    found = _office_close(request, close_id)
    try:
        notice = actions.publish_notice(acting(request), found)
    except CodedError as error:
        _fail(request, error)
        return redirect("closing:close", close_id=found.pk)
    messages.success(request, _("The public notice is published."))
    return redirect("closing:notice", notice_id=notice.pk)


def _results(request: HttpRequest, close_id: int, node_id: int) -> tuple[Any, OrgNode]:
    return queries.access_results(request.user, close_id, node_id)


@login_required
def results_xlsx(request: HttpRequest, close_id: int, node_id: int) -> HttpResponse:
    found, node = _results(request, close_id, node_id)
    buffer = io.BytesIO()
    results.write_xlsx(buffer, found, node)
    record_export(acting(request), "closing.results", results.count(found, node), node.path)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        True, f"results-{node.code}-{found.period}.xlsx"
    )
    return response


@login_required
def results_pdf(request: HttpRequest, close_id: int, node_id: int) -> HttpResponse:
    found, node = _results(request, close_id, node_id)
    pdf = results.render_pdf(found, node)
    record_export(acting(request), "closing.results", results.count(found, node), node.path)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        True, f"results-{node.code}-{found.period}.pdf"
    )
    return response


# --- the results notices of a whole region, in the background -----------------------------------


def _office_run(request: HttpRequest, run_id: int) -> NoticeRun:
    """A run of a close the user may read, of a region whose credit office they are; else 404."""
    try:
        found = NoticeRun.objects.select_related("close__region").get(
            pk=int(run_id), close__in=queries.closes_for(request.user)
        )
    except (NoticeRun.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not scope.has_capability(request.user, Cap.CREDITS_APPROVE, found.close.region):
        raise Http404
    return found


@login_required
@require_POST
def close_run_start(request: HttpRequest, close_id: int) -> HttpResponse:
    found = _office_close(request, close_id)
    run = runs.start_run(acting(request), found)
    return redirect("closing:run", run_id=run.pk)


def _run_context(request: HttpRequest, run: NoticeRun) -> dict[str, Any]:
    return {"run": run, "stalled": runs.is_stale(run)}


@login_required
def run(request: HttpRequest, run_id: int) -> HttpResponse:
    found = _office_run(request, run_id)
    return render(request, "closing/run.html", _run_context(request, found))


@login_required
def run_progress(request: HttpRequest, run_id: int) -> HttpResponse:
    """The progress box, polled by htmx while the run is queued or running."""
    found = _office_run(request, run_id)
    return render(request, "closing/_run_progress.html", _run_context(request, found))


@login_required
@require_POST
def run_resume(request: HttpRequest, run_id: int) -> HttpResponse:
    found = _office_run(request, run_id)
    try:
        runs.resume_run(acting(request), found)
    except CodedError as error:
        _fail(request, error)
    return redirect("closing:run", run_id=found.pk)


@login_required
def run_download(request: HttpRequest, run_id: int) -> FileResponse:
    found = _office_run(request, run_id)
    path = runs.zip_path(found)
    if found.status != NoticeRun.Status.DONE or not path.exists():
        raise Http404
    record_export(acting(request), "closing.results", found.close.people, found.close.region.path)
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)


# --- public notices ------------------------------------------------------------------------------


@login_required
def notices(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "closing/notices.html",
        {"notices": queries.notices_for(request.user)[:100], "today": timezone.localdate()},
    )


@login_required
def notice(request: HttpRequest, notice_id: int) -> HttpResponse:
    found = queries.access_notice(request.user, notice_id)
    search = request.GET.get("q", "")[:50]
    lines = Paginator(queries.notice_lines(found, search), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    words = results.Wording()
    rows = [
        (line, words.grade(line.ruleset, line.grade), words.status(line.status)) for line in lines
    ]
    return render(
        request,
        "closing/notice.html",
        {
            "notice": found,
            "page_obj": lines,
            "rows": rows,
            "q": search,
            "querystring_base": f"q={search}&" if search else "",
            "objections": queries.objections_of(request.user, found),
            "office": scope.has_capability(request.user, Cap.CREDITS_APPROVE, found.node),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def notice_finish(request: HttpRequest, notice_id: int) -> HttpResponse:
    found = queries.access_notice(request.user, notice_id)
    if not scope.has_capability(request.user, Cap.CREDITS_APPROVE, found.node):
        raise Http404
    try:
        actions.finish_notice(acting(request), found)
    except CodedError as error:
        _fail(request, error)
    else:
        messages.success(request, _("The notice's outcome is recorded."))
    return redirect("closing:notice", notice_id=found.pk)


@login_required
@require_http_methods(["GET", "POST"])
def notice_person(request: HttpRequest, notice_id: int, person_id: int) -> HttpResponse:
    found, line = queries.notice_person(request.user, notice_id, person_id)
    person = line.person
    credits = queries.credits_on_notice(found, person)
    if request.method == "POST":
        entry = next((e for e in credits if e.pk == _int(request.POST.get("entry"))), None)
        try:
            if entry is None:
                raise CodedError(Code.ENTRY_REQUIRED, _("Choose the credit you object to."))
            actions.raise_objection(
                acting(request),
                found,
                person,
                entry,
                reason=request.POST.get("reason", ""),
                upload=request.FILES.get("evidence"),
            )
        except CodedError as error:
            _fail(request, error)
        else:
            messages.success(request, _("Your objection is sent to the credit office."))
            return redirect("closing:notice", notice_id=found.pk)
    words = results.Wording()
    return render(
        request,
        "closing/notice_person.html",
        {
            "notice": found,
            "line": line,
            "person": person,
            "grade": words.grade(line.ruleset, line.grade),
            "status": words.status(line.status),
            "credits": credits,
            "claims": queries.approved_claims(found, person),
            "open": found.finished_at is None and found.is_open(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def objection(request: HttpRequest, objection_id: int) -> HttpResponse:
    found = queries.access_objection(request.user, objection_id)
    office = scope.has_capability(request.user, Cap.CREDITS_APPROVE, found.person.unit)
    if request.method == "POST":
        if not office:
            raise Http404
        decision = request.POST.get("decision")
        try:
            if decision not in ("uphold", "dismiss"):
                raise CodedError(Code.DECISION_REQUIRED, _("Choose to uphold or dismiss."))
            actions.decide_objection(
                acting(request),
                found,
                uphold=decision == "uphold",
                reason=request.POST.get("reason", ""),
            )
        except CodedError as error:
            _fail(request, error)
        else:
            messages.success(request, _("The objection is decided."))
        return redirect("closing:objection", objection_id=found.pk)
    return render(
        request,
        "closing/objection.html",
        {
            "objection": found,
            "office": office,
            "can_decide": office and found.status == Objection.Status.OPEN,
        },
    )


@login_required
def objection_evidence(request: HttpRequest, objection_id: int) -> FileResponse:
    found = queries.access_objection(request.user, objection_id)
    if not found.evidence_file:
        raise Http404
    try:
        path = actions.evidence_path(found)
        handle = path.open("rb")
    except (OSError, CodedError):
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=found.evidence_name)


@login_required
def objections(request: HttpRequest) -> HttpResponse:
    if not scope.has_capability(request.user, Cap.CREDITS_APPROVE):
        raise Http404
    found = Paginator(queries.objections_to_decide(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "closing/objections.html", {"page_obj": found})


# --- the assessment export -----------------------------------------------------------------------


@login_required
def assessment_export(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not scope.has_capability(user, Cap.REPORTS_VIEW):
        raise Http404
    period = _int(request.GET.get("period")) or timezone.localdate().year - 1
    nodes = scope.nodes(user, Cap.REPORTS_VIEW).order_by("path")
    node = nodes.filter(pk=_int(request.GET.get("node")) or 0).first()
    if request.GET.get("format") != "xlsx" or node is None:
        return render(
            request,
            "closing/assessment.html",
            {"nodes": nodes.exclude(kind=OrgNode.Kind.UNIT)[:200] or nodes[:200],
             "period": period, "node": node},
        )  # fmt: skip
    people = scope.people(user, Cap.REPORTS_VIEW).filter(unit__path__startswith=node.path)
    rows = list(assessment.stream(people, period))
    headers, table = assessment.sheet(rows, scope.has_capability(user, Cap.PEOPLE_VIEW_ID, node))
    record_export(acting(request), "closing.assessment", len(table), node.path)
    return xlsx_response(
        f"assessment-{node.code}-{period}.xlsx", headers, table, sheet_title=_("Assessment")
    )
