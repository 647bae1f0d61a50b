"""A person's ledger, read-only and scoped, with a reversal form for the credit office.
Views parse, call one query or action, render."""

from itertools import groupby
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from xuefen.accounts import scope
from xuefen.accounts.roles import Cap
from xuefen.core.errors import CodedError
from xuefen.ledger.actions import post_entry, reverse_entry
from xuefen.ledger.forms import ManualEntryForm
from xuefen.ledger.models import Entry, Standing
from xuefen.ledger.queries import entries_for


@login_required
def person_entries(request: HttpRequest, person_id: int) -> HttpResponse:
    entries = list(entries_for(request.user, person_id))
    person = scope.access_person(request.user, person_id, Cap.CREDITS_VIEW)
    reversed_ids = {e.reverses_id for e in entries if e.reverses_id is not None}
    standings = {s.period: s for s in Standing.objects.filter(person=person)}
    periods = [
        {"period": period, "entries": list(rows), "standing": standings.get(period)}
        for period, rows in groupby(entries, key=lambda e: e.period)
    ]
    return render(
        request,
        "ledger/person_entries.html",
        {
            "person": person,
            "periods": periods,
            "reversed_ids": reversed_ids,
            "can_approve": scope.has_capability(request.user, Cap.CREDITS_APPROVE, person.unit),
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
            reverse_entry(request.user, entry, request.POST.get("reason", ""))
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
                request.user,
                person,
                period=data["period"],
                activity_date=data["activity_date"],
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
