"""The credit office's pages: learning platforms (xAPI client accounts) with their course and
account mappings, and the statements received with what became of each."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from xuefen.accounts import scope
from xuefen.accounts.roles import Cap
from xuefen.core.actors import acting
from xuefen.core.errors import CodedError
from xuefen.xapi import actions, words
from xuefen.xapi.forms import AccountForm, ActivityForm, ClientForm
from xuefen.xapi.models import Outcome
from xuefen.xapi.queries import access_client, clients_for, statements_for

PAGE_SIZE = 50


@login_required
def clients(request: HttpRequest) -> HttpResponse:
    scope.require(request.user, Cap.PROVIDERS_MANAGE)
    rows = clients_for(request.user).order_by("provider__code", "name", "id")
    return render(request, "xapi/clients.html", {"clients": rows})


@login_required
@never_cache
def client_new(request: HttpRequest) -> HttpResponse:
    scope.require(request.user, Cap.PROVIDERS_MANAGE)
    form = ClientForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            client, secret = actions.create_client(
                acting(request), data["provider"], name=data["name"], home_page=data["home_page"]
            )
        except CodedError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            # The secret is shown on this response only; only its hash is stored.
            return render(
                request,
                "xapi/client_created.html",
                {
                    "client": client,
                    "secret": secret,
                    "endpoint": request.build_absolute_uri(reverse("xapi:lrs_statements")),
                },
            )
    return render(request, "xapi/client_form.html", {"form": form})


@login_required
def client(request: HttpRequest, client_id: int) -> HttpResponse:
    found = access_client(request.user, client_id)
    activity_form = ActivityForm(found, request.POST if "activity_id" in request.POST else None)
    account_form = AccountForm(request.POST if "id_number" in request.POST else None)
    if request.method == "POST":
        try:
            if activity_form.is_bound and activity_form.is_valid():
                actions.map_activity(
                    acting(request),
                    found,
                    activity_id=activity_form.cleaned_data["activity_id"],
                    course=activity_form.cleaned_data["course"],
                )
                messages.success(request, _("The activity now stands for the course."))
                return redirect("xapi:client", client_id=found.pk)
            if account_form.is_bound and account_form.is_valid():
                actions.map_account(acting(request), found, **account_form.cleaned_data)
                messages.success(request, _("The account now identifies the person."))
                return redirect("xapi:client", client_id=found.pk)
        except CodedError as error:
            form = activity_form if activity_form.is_bound else account_form
            form.add_error(error.field if error.field in form.fields else None, str(error))
    context = {
        "client": found,
        "activities": found.activities.select_related("course").order_by("activity_id"),
        "accounts": found.accounts.select_related("person").order_by("home_page", "name"),
        "activity_form": activity_form,
        "account_form": account_form,
        "endpoint": request.build_absolute_uri(reverse("xapi:lrs_statements")),
    }
    return render(request, "xapi/client.html", context)


@login_required
@require_POST
def client_revoke(request: HttpRequest, client_id: int) -> HttpResponse:
    found = access_client(request.user, client_id)
    try:
        actions.revoke_client(acting(request), found)
    except CodedError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The platform's account was revoked; it can send no more."))
    return redirect("xapi:clients")


@login_required
def statements(request: HttpRequest) -> HttpResponse:
    scope.require(request.user, Cap.PROVIDERS_MANAGE)
    rows = statements_for(request.user).select_related(
        "client", "person", "course", "entry", "reversal"
    )
    outcome = request.GET.get("outcome", "")
    if outcome in Outcome.values:
        rows = rows.filter(outcome=outcome)
    page = Paginator(rows.order_by("-stored", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    lines = [words.line(s) for s in page]
    return render(
        request,
        "xapi/statements.html",
        {"page_obj": page, "lines": lines, "outcomes": Outcome.choices, "outcome": outcome},
    )
