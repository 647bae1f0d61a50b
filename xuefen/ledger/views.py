"""A person's ledger, read-only and scoped, with a reversal form for the credit office.
Views parse, call one query or action, render."""

from dataclasses import dataclass
from itertools import groupby
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from xuefen.accounts import scope
from xuefen.accounts.roles import Cap
from xuefen.core.actors import acting
from xuefen.core.errors import CodedError
from xuefen.ledger.actions import decide_exemption, post_entry, record_exemption, reverse_entry
from xuefen.ledger.forms import DecisionForm, ExemptionForm, ManualEntryForm
from xuefen.ledger.models import Entry, Standing
from xuefen.ledger.queries import entries_for
from xuefen.ledger.words import Labels, source_label
from xuefen.policy.models import Exemption


@dataclass(frozen=True)
class EntryRow:
    """An entry with its codes in words."""

    entry: Entry
    category_names: list[str]
    kind_name: str
    source_name: str


@login_required
def person_entries(request: HttpRequest, person_id: int) -> HttpResponse:
    entries = list(entries_for(request.user, person_id))
    person = scope.access_person(request.user, person_id, Cap.CREDITS_VIEW)
    reversed_ids = {e.reverses_id for e in entries if e.reverses_id is not None}
    standings = {s.period: s for s in Standing.objects.filter(person=person)}
    labels = Labels(person, {e.period for e in entries})
    rows = [
        EntryRow(
            e,
            labels.category_names(e.period, e.categories),
            labels.kind_name(e.period, e.kind),
            source_label(e.source_type),
        )
        for e in entries
    ]
    periods = [
        {"period": period, "entries": list(group), "standing": standings.get(period)}
        for period, group in groupby(rows, key=lambda row: row.entry.period)
    ]
    return render(
        request,
        "ledger/person_entries.html",
        {
            "person": person,
            "periods": periods,
            "reversed_ids": reversed_ids,
            "can_approve": scope.has_capability(request.user, Cap.CREDITS_APPROVE, person.unit),
            "can_exempt": scope.has_capability(request.user, Cap.PEOPLE_CHANGE, person.unit),
        },
    )


def _approvable_entry(user: Any, entry_id: Any) -> Entry:
    entries = scope.filter_by_person(user, Entry.objects.all(), Cap.CREDITS_APPROVE)
    try:
        return entries.select_related("person").get(pk=int(entry_id))
    except (Entry.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


@login_required
def reverse(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = _approvable_entry(request.user, entry_id)
    if request.method == "POST":
        try:
            reverse_entry(acting(request), entry, request.POST.get("reason", ""))
        except CodedError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The entry was reversed."))
    return redirect("ledger:person_entries", person_id=entry.person_id)


@login_required
def post_manual(request: HttpRequest, person_id: int) -> HttpResponse:
    person = scope.access_person(request.user, person_id, Cap.CREDITS_APPROVE)
    form = ManualEntryForm(person, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            post_entry(
                acting(request),
                person,
                first_day=data["first_day"],
                last_day=data["last_day"],
                days=data["days"],
                kind=data["kind"],
                categories=data["categories"],
                amount=data["amount"],
                unit=data["unit"],
                source_type="manual",
                source_id=data["token"],
                description=data["description"],
                evidence=data["evidence"],
                approved_by=request.user,
            )
        except CodedError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("The entry was posted."))
            return redirect("ledger:person_entries", person_id=person.pk)
    return render(request, "ledger/post_manual.html", {"person": person, "form": form})


def this_year() -> int:
    return timezone.localdate().year


@login_required
def exemptions(request: HttpRequest, person_id: int) -> HttpResponse:
    person = scope.access_person(request.user, person_id, Cap.PEOPLE_CHANGE)
    form = ExemptionForm(request.POST or None, initial={"period": this_year()})
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        try:
            exemption = record_exemption(
                acting(request),
                person,
                period=values["period"],
                kind=values["kind"],
                months=values["months"],
                ratio=values["ratio"],
                reason=values["reason"],
                evidence=values["evidence"],
            )
        except CodedError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            if exemption.status == Exemption.Status.PENDING:
                messages.info(request, _("Recorded; it counts once the credit office approves it."))
            else:
                messages.success(request, _("Exemption recorded."))
            return redirect("ledger:exemptions", person_id=person.pk)
    rows = Exemption.objects.filter(person=person).select_related("created_by")
    return render(request, "ledger/exemptions.html", {"person": person, "rows": rows, "form": form})


def _pending_exemptions(user: Any) -> Any:
    return scope.filter_by_person(
        user,
        Exemption.objects.filter(status=Exemption.Status.PENDING),
        Cap.CREDITS_APPROVE,
    )


@login_required
def exemption_queue(request: HttpRequest) -> HttpResponse:
    """The office's queue: exemptions above the review share, recorded by units, awaiting it."""
    scope.require(request.user, Cap.CREDITS_APPROVE)
    rows = _pending_exemptions(request.user).select_related("person__unit", "created_by")
    return render(
        request,
        "ledger/exemption_queue.html",
        {"rows": rows.order_by("created_at", "id"), "form": DecisionForm()},
    )


@login_required
def decide_exemption_view(request: HttpRequest, exemption_id: int) -> HttpResponse:
    try:
        exemption = _pending_exemptions(request.user).get(pk=int(exemption_id))
    except (Exemption.DoesNotExist, ValueError, TypeError):
        raise Http404 from None  # the same answer for "no such" and "not yours"
    if request.method != "POST":
        return redirect("ledger:exemption_queue")
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why."))
        return redirect("ledger:exemption_queue")
    approve = request.POST.get("decision") == "approve"
    try:
        decide_exemption(
            acting(request), exemption, approve=approve, note=form.cleaned_data["note"]
        )
    except CodedError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Approved.") if approve else _("Refused."))
    return redirect("ledger:exemption_queue")
