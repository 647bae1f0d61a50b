"""Pages of claims: parse the request, call one query or action, render."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from xuefen.accounts import scope
from xuefen.accounts.roles import Cap
from xuefen.audit.actions import record_export
from xuefen.claims import actions, files, queries
from xuefen.claims.forms import (
    ClaimForm,
    ClaimTypeForm,
    DecideForm,
    EvidenceForm,
    OfficeFilterForm,
    PeriodForm,
)
from xuefen.claims.models import ClaimType, Evidence, ReportingPeriod, Status
from xuefen.claims.workflow import EDITABLE, STEP_LABELS, Step, steps_from
from xuefen.core.actors import acting
from xuefen.core.errors import CodedError
from xuefen.core.paging import querystring
from xuefen.policy.services import ruleset_for

PAGE_SIZE = 50


def _form_error(form: Any, error: CodedError) -> None:
    """The error on the field it names (a claim type's own fields are f_<name> on the form)."""
    name = next((n for n in (error.field, f"f_{error.field}") if n in form.fields), None)
    form.add_error(name, str(error.message))


def _page(request: HttpRequest, qs: Any) -> Any:
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


# ------------------------------------------------------------------------------ learner pages


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    scope.require(request.user, Cap.CLAIMS_SUBMIT)
    page = _page(request, queries.own_claims(request.user))
    return render(request, "claims/mine.html", {"page_obj": page, "claims": page.object_list})


@login_required
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    scope.require(request.user, Cap.CLAIMS_SUBMIT)
    types = ClaimType.objects.filter(is_active=True)
    ctype = types.filter(pk=_int(request.GET.get("type")) or 0).first()
    if ctype is None:
        if request.method == "POST":
            raise Http404
        return render(request, "claims/choose_type.html", {"types": types})
    form = ClaimForm(request.user, ctype, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        person = form.target()
        if person is None:
            form.add_error(None, _("Say whom the claim is for."))
        else:
            try:
                claim = actions.create_claim(
                    acting(request),
                    person,
                    ctype,
                    title=form.cleaned_data["title"],
                    start_date=form.cleaned_data["start_date"],
                    end_date=form.cleaned_data["end_date"],
                    data=form.details(),
                    uploads=form.uploads(),
                    submit="submit" in request.POST,
                )
            except CodedError as error:
                _form_error(form, error)
            else:
                if claim.status == Status.SUBMITTED:
                    messages.success(request, _("The claim was submitted to your unit."))
                else:
                    messages.success(request, _("The claim was saved as a draft."))
                return redirect("claims:detail", claim_id=claim.pk)
    return render(request, "claims/claim_form.html", {"form": form, "ctype": ctype})


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = queries.access_claim(request.user, claim_id, Cap.CLAIMS_SUBMIT)
    if claim.status not in EDITABLE:
        messages.error(request, _("Only a draft or a returned claim can be changed."))
        return redirect("claims:detail", claim_id=claim.pk)
    form = ClaimForm(request.user, claim.claim_type, request.POST or None, claim=claim)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_claim(
                acting(request),
                claim,
                title=form.cleaned_data["title"],
                start_date=form.cleaned_data["start_date"],
                end_date=form.cleaned_data["end_date"],
                data=form.details(),
            )
            for requirement, items in form.uploads().items():
                for upload in items:
                    actions.add_evidence(acting(request), claim, requirement, upload)
            if "submit" in request.POST:
                actions.submit_claim(acting(request), claim)
        except CodedError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The claim was saved."))
            return redirect("claims:detail", claim_id=claim.pk)
    return render(
        request, "claims/claim_form.html", {"form": form, "ctype": claim.claim_type, "claim": claim}
    )


@login_required
def detail(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = queries.access_claim(request.user, claim_id)
    person = claim.person
    reviewer = scope.has_capability(
        request.user, Cap.CREDITS_CHECK, person.unit
    ) or scope.has_capability(request.user, Cap.CREDITS_APPROVE, person.unit)
    can_edit = claim.status in EDITABLE and actions.may(acting(request), Cap.CLAIMS_SUBMIT, person)
    steps = [
        {"step": t.step, "label": STEP_LABELS[t.step], "needs_reason": t.needs_reason}
        for t in steps_from(claim.status)
        if t.step not in (Step.SUBMIT, Step.REVOKE) and actions.can_take(acting(request), t, claim)
    ]
    rules = ruleset_for(person, claim.period)
    category_names = [rules.category_label(c) if rules else c for c in claim.categories or []]
    own = request.user.pk == claim.submitted_by_id or request.user.person_id == claim.person_id  # type: ignore[union-attr]
    return render(
        request,
        "claims/detail.html",
        {
            "claim": claim,
            "category_names": category_names,
            "evidence": list(claim.evidence_files.all()),
            "history": list(claim.history.select_related("actor")),
            "flags": list(claim.flags.all()) if reviewer else [],
            "reviewer": reviewer,
            "steps": [] if own else steps,
            "own": own and bool(steps),
            "can_edit": can_edit,
            "evidence_form": EvidenceForm(claim.claim_type) if can_edit else None,
            "evidence_specs": claim.claim_type.evidence_specs(),
            "needs_amount": claim.amount is None,
            "comments": list(claim.comments.select_related("author")),
            "may_comment": reviewer or (own and claim.status in actions.ANSWERABLE),
        },
    )


@login_required
@require_POST
def comment(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = queries.access_claim(request.user, claim_id)
    try:
        actions.comment_on_claim(request.user, claim, request.POST.get("text", ""))
    except CodedError as error:
        messages.error(request, str(error.message))
    return redirect("claims:detail", claim_id=claim.pk)


@login_required
@require_POST
def submit(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = queries.access_claim(request.user, claim_id, Cap.CLAIMS_SUBMIT)
    try:
        actions.submit_claim(acting(request), claim)
    except CodedError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The claim was submitted to your unit."))
    return redirect("claims:detail", claim_id=claim.pk)


@login_required
@require_POST
def evidence_add(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = queries.access_claim(request.user, claim_id, Cap.CLAIMS_SUBMIT)
    form = EvidenceForm(claim.claim_type, request.POST, request.FILES)
    if form.is_valid():
        try:
            actions.add_evidence(
                acting(request), claim, form.cleaned_data["requirement"], form.cleaned_data["file"]
            )
        except CodedError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("The file was added."))
    else:
        messages.error(request, _("Choose what the file proves and the file."))
    return redirect("claims:detail", claim_id=claim.pk)


@login_required
@require_POST
def evidence_remove(request: HttpRequest, evidence_id: int) -> HttpResponse:
    evidence = queries.access_evidence(request.user, evidence_id)
    claim_id = evidence.claim_id
    try:
        actions.remove_evidence(acting(request), evidence)
    except CodedError as error:
        messages.error(request, str(error.message))
    return redirect("claims:detail", claim_id=claim_id)


@login_required
def evidence_file(request: HttpRequest, evidence_id: int) -> FileResponse:
    """The file, only to those who may see its claim; a download, never rendered as a page."""
    evidence: Evidence = queries.access_evidence(request.user, evidence_id)
    try:
        handle = files.path_of(evidence.stored_name).open("rb")
    except (OSError, CodedError):
        raise Http404 from None
    record_export(
        acting(request),
        f"claim evidence #{evidence.pk}",
        1,
        node_path=evidence.claim.person.unit.path,
    )
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# ------------------------------------------------------------------------------ reviewer pages


@login_required
@require_POST
def decide(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = queries.access_claim(request.user, claim_id)
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a step."))
        return redirect("claims:detail", claim_id=claim.pk)
    step, reason = form.cleaned_data["step"], form.cleaned_data["reason"]
    try:
        if step == Step.CHECK:
            actions.check_claim(acting(request), claim, reason)
        elif step == Step.APPROVE:
            actions.approve_claim(acting(request), claim, form.cleaned_data["amount"])
        elif step == Step.RETURN:
            actions.return_claim(acting(request), claim, reason)
        else:
            actions.reject_claim(acting(request), claim, reason)
    except CodedError as error:
        messages.error(request, str(error.message))
        return redirect("claims:detail", claim_id=claim.pk)
    messages.success(request, _("Done: %(step)s.") % {"step": STEP_LABELS[step]})
    if step == Step.CHECK:
        return redirect("claims:unit_queue")
    if step == Step.APPROVE:
        return redirect("claims:office_queue")
    return redirect("claims:detail", claim_id=claim.pk)


@login_required
def unit_queue(request: HttpRequest) -> HttpResponse:
    scope.require(request.user, Cap.CREDITS_CHECK)
    page = _page(request, queries.unit_queue(request.user))
    return render(request, "claims/unit_queue.html", {"page_obj": page, "claims": page.object_list})


@login_required
def office_queue(request: HttpRequest) -> HttpResponse:
    scope.require(request.user, Cap.CREDITS_APPROVE)
    form = OfficeFilterForm(request.GET or {"status": Status.UNIT_CHECKED})
    filters: dict[str, Any] = {"status": Status.UNIT_CHECKED}
    if form.is_valid():
        data = form.cleaned_data
        late = {"1": True, "0": False}.get(data["late"])
        filters = {
            "status": data["status"],
            "flag": data["flag"],
            "claim_type": data["claim_type"],
            "late": late,
        }
    page = _page(request, queries.office_queue(request.user, **filters))
    base, _filters = querystring(request)
    return render(
        request,
        "claims/office_queue.html",
        {
            "form": form,
            "page_obj": page,
            "claims": page.object_list,
            "batchable": filters["status"] == Status.UNIT_CHECKED,
            "querystring_base": base,
        },
    )


@login_required
@require_POST
def batch_approve(request: HttpRequest) -> HttpResponse:
    scope.require(request.user, Cap.CREDITS_APPROVE)
    ids = [i for i in (_int(v) for v in request.POST.getlist("claim")) if i is not None]
    chosen = queries.office_queue(request.user).filter(pk__in=ids)
    outcome = actions.approve_many(acting(request), list(chosen))
    if outcome.approved:
        messages.success(
            request, _("%(n)s claims approved and credited.") % {"n": len(outcome.approved)}
        )
    for claim_id, why in outcome.failed.items():
        messages.error(request, _("Claim #%(n)s: %(why)s") % {"n": claim_id, "why": why})
    missing = len(set(ids)) - len(outcome.approved) - len(outcome.failed)
    if missing > 0:
        messages.warning(
            request, _("%(n)s of the chosen claims are no longer waiting.") % {"n": missing}
        )
    return redirect("claims:office_queue")


# ------------------------------------------------------------------------- the office's policy


@login_required
def types(request: HttpRequest) -> HttpResponse:
    scope.require(request.user, Cap.POLICY_CHANGE)
    return render(request, "claims/types.html", {"types": ClaimType.objects.all()})


@login_required
@require_http_methods(["GET", "POST"])
def type_edit(request: HttpRequest, type_id: int | None = None) -> HttpResponse:
    scope.require(request.user, Cap.POLICY_CHANGE)
    ctype = ClaimType() if type_id is None else ClaimType.objects.filter(pk=type_id).first()
    if ctype is None:
        raise Http404
    form = ClaimTypeForm(request.POST or None, instance=ctype)
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_claim_type(acting(request), ctype, form.values())
        except CodedError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The claim type was saved."))
            return redirect("claims:types")
    return render(request, "claims/type_form.html", {"form": form, "ctype": ctype})


@login_required
def periods(request: HttpRequest) -> HttpResponse:
    scope.require(request.user, Cap.POLICY_CHANGE)
    return render(request, "claims/periods.html", {"periods": ReportingPeriod.objects.all()})


@login_required
@require_http_methods(["GET", "POST"])
def period_edit(request: HttpRequest, period_id: int | None = None) -> HttpResponse:
    scope.require(request.user, Cap.POLICY_CHANGE)
    reporting = (
        ReportingPeriod()
        if period_id is None
        else ReportingPeriod.objects.filter(pk=period_id).first()
    )
    if reporting is None:
        raise Http404
    form = PeriodForm(request.POST or None, instance=reporting)
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_period(acting(request), reporting, form.cleaned_data)
        except CodedError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The reporting period was saved."))
            return redirect("claims:periods")
    return render(request, "claims/period_form.html", {"form": form, "reporting": reporting})


@login_required
@require_http_methods(["GET", "POST"])
def spot_checks(request: HttpRequest) -> HttpResponse:
    scope.require(request.user, Cap.CREDITS_APPROVE)
    if request.method == "POST":
        reporting = ReportingPeriod.objects.filter(pk=_int(request.POST.get("period")) or 0).first()
        if reporting is None:
            messages.error(request, _("Choose a reporting period."))
        else:
            population = list(
                queries.claims_for(request.user, Cap.CREDITS_APPROVE)
                .filter(status=Status.CREDITED, period=reporting.period)
                .select_related("person__unit")
            )
            try:
                draw = actions.draw_spot_checks(acting(request), reporting, population)
            except CodedError as error:
                messages.error(request, str(error.message))
            else:
                messages.success(
                    request,
                    _("%(n)s of %(total)s approved claims drawn for re-audit.")
                    % {"n": draw.drawn, "total": draw.population},
                )
        return redirect("claims:spot_checks")
    page = _page(request, queries.spot_checks(request.user))
    return render(
        request,
        "claims/spot_checks.html",
        {"page_obj": page, "checks": page.object_list, "periods": ReportingPeriod.objects.all()},
    )


@login_required
@require_POST
def spot_decide(request: HttpRequest, spot_id: int) -> HttpResponse:
    spot = queries.access_spot_check(request.user, spot_id)
    reason = request.POST.get("reason", "")
    try:
        if request.POST.get("outcome") == "reverse":
            actions.reverse_spot_check(acting(request), spot, reason)
            messages.success(request, _("The credit was reversed and the claim revoked."))
        elif request.POST.get("outcome") == "confirm":
            actions.confirm_spot_check(acting(request), spot, reason)
            messages.success(request, _("The claim was confirmed."))
        else:
            messages.error(request, _("Confirm or reverse."))
    except CodedError as error:
        messages.error(request, str(error.message))
    return redirect("claims:spot_checks")
