"""Pages of the archive: a person's training archive (page and PDF), pulling the archive of a
person who transferred in, and bulk printing a unit's certificates or archives with its progress.
Views parse, call one query or action, render."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xuefen.accounts import scope
from xuefen.accounts.roles import Cap
from xuefen.archive import actions, pdf, printing, queries
from xuefen.archive.models import PrintJob
from xuefen.audit.actions import record_export
from xuefen.core.actors import acting
from xuefen.core.errors import CodedError

PAGE_SIZE = 50


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@require_GET
@login_required
def people(request: HttpRequest) -> HttpResponse:
    """Whose archive to open: a learner goes to their own; others search the people in scope."""
    if not scope.paths_with(request.user, Cap.CREDITS_VIEW):
        person_id = getattr(request.user, "person_id", None)
        if person_id is None:
            raise Http404
        return redirect("archive:person", person_id=person_id)
    found = queries.people(request.user).select_related("unit").order_by("unit__path", "name")
    q = request.GET.get("q", "").strip()[:50]
    if q:
        found = found.filter(name__contains=q) | found.filter(id_number=q.upper())
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "archive/people.html", {"page_obj": page, "q": q})


@require_GET
@login_required
def person(request: HttpRequest, person_id: int) -> HttpResponse:
    found = queries.access(request.user, person_id)
    archive = queries.build(request.user, found)
    may_pull = archive.horizon.transfer is not None and scope.may(
        acting(request), actions.PULL_CAPABILITY, found.unit
    )
    return render(request, "archive/person.html", {"archive": archive, "may_pull": may_pull})


@require_GET
@login_required
def person_pdf(request: HttpRequest, person_id: int) -> HttpResponse:
    found = queries.access(request.user, person_id)
    body = pdf.person_pdf(lambda: queries.build(request.user, found))
    record_export(acting(request), "archive.person", 1, found.unit.path)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, f"archive-{found.pk}.pdf")
    return response


@require_POST
@login_required
def pull(request: HttpRequest, person_id: int) -> HttpResponse:
    found = queries.access(request.user, person_id)
    try:
        actions.pull_archive(acting(request), found)
    except CodedError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The archive was pulled: the earlier years are shown now."))
    return redirect("archive:person", person_id=found.pk)


@require_http_methods(["GET", "POST"])
@login_required
def prints(request: HttpRequest) -> HttpResponse:
    units = queries.print_units(request.user)
    if not scope.paths_with(request.user, Cap.CREDITS_VIEW):
        raise Http404
    if request.method == "POST":
        unit = units.filter(pk=_int(request.POST.get("unit")) or 0).first()
        if unit is None:
            messages.error(request, _("Choose a unit."))
        else:
            try:
                job = actions.start_print(
                    acting(request),
                    unit,
                    request.POST.get("kind", ""),
                    _int(request.POST.get("period")),
                )
            except CodedError as error:
                messages.error(request, str(error.message))
            else:
                return redirect("archive:job", job_id=job.pk)
    page = Paginator(queries.jobs(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "archive/prints.html",
        {"units": units[:500], "page_obj": page, "kinds": PrintJob.Kind.choices},
    )


def _job_context(request: HttpRequest, job: PrintJob) -> dict[str, Any]:
    stalled = printing.is_stale(job)
    return {"job": job, "stalled": stalled}


@require_GET
@login_required
def job(request: HttpRequest, job_id: int) -> HttpResponse:
    found = queries.access_job(request.user, job_id)
    return render(request, "archive/job.html", _job_context(request, found))


@require_GET
@login_required
def job_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    """The progress box, polled by htmx while the job is queued or running."""
    found = queries.access_job(request.user, job_id)
    return render(request, "archive/_progress.html", _job_context(request, found))


@require_POST
@login_required
def job_resume(request: HttpRequest, job_id: int) -> HttpResponse:
    found = queries.access_job(request.user, job_id)
    try:
        actions.resume_print(acting(request), found)
    except CodedError as error:
        messages.error(request, str(error.message))
    return redirect("archive:job", job_id=found.pk)


@require_GET
@login_required
def job_pdf(request: HttpRequest, job_id: int) -> FileResponse:
    found = queries.access_job(request.user, job_id)
    if found.status != PrintJob.Status.DONE or not found.file_path:
        raise Http404
    path = Path(settings.MEDIA_ROOT) / found.file_path
    if not path.is_file():
        raise Http404
    record_export(acting(request), f"archive.{found.kind}", found.done, found.unit.path)
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"{found.kind}-{found.unit.code}-{found.pk}.pdf",
        content_type="application/pdf",
    )
