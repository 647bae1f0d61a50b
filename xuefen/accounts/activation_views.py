"""Claiming an account: a unit prints activation letters (one-time codes) for its people, and a
person claims their account on the public activation page with their ID number and the code.
Knowing someone's ID number opens nothing."""

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from xuefen.accounts import actions, scope, throttle
from xuefen.accounts.forms import ActivateForm, LetterUnitForm
from xuefen.accounts.letters import render_letters
from xuefen.accounts.models import ActivationLetter, User
from xuefen.accounts.roles import Cap
from xuefen.audit.middleware import client_ip
from xuefen.core.actors import acting
from xuefen.core.errors import CodedError
from xuefen.orgs.models import OrgNode, Person


def _people_of(user: Any, unit: OrgNode) -> list[tuple[Person, str, Any]]:
    """(person, username or "", usable letter's expiry or None) for the unit's people."""
    people = list(
        scope.people(user, Cap.ACCOUNTS_ACTIVATE)
        .filter(unit=unit)
        .exclude(status=Person.Status.LEFT)
        .select_related("unit")
        .order_by("name", "id")[: actions.MAX_LETTERS]
    )
    ids = [p.pk for p in people]
    accounts = dict(User.objects.filter(person_id__in=ids).values_list("person_id", "username"))
    letters: dict[int, Any] = {}
    for person_id, expires in (
        ActivationLetter.objects.filter(
            person_id__in=ids,
            used_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .order_by("issued_at")
        .values_list("person_id", "expires_at")
    ):
        letters[person_id] = expires
    return [(p, accounts.get(p.pk, ""), letters.get(p.pk)) for p in people]


@login_required
@require_http_methods(["GET", "POST"])
def letters(request: HttpRequest) -> HttpResponse:
    """GET: a unit's people, whether each has an account or a letter waiting. POST: issues
    letters for the chosen people (or everyone without an account) and answers with the PDF."""
    scope.require(request.user, Cap.ACCOUNTS_ACTIVATE)
    form = LetterUnitForm(request.user, request.GET or request.POST or None)
    if not form.is_valid():
        return render(request, "accounts/letters.html", {"form": form, "rows": None})
    unit = form.cleaned_data["unit"]
    rows = _people_of(request.user, unit)
    if request.method == "POST":
        if request.POST.get("all_without_account"):
            chosen = [p for p, username, _expires in rows if not username]
        else:
            wanted = set(request.POST.getlist("person"))
            chosen = [p for p, _u, _e in rows if str(p.pk) in wanted]
        if not chosen:
            messages.error(request, _("Choose at least one person."))
            return redirect(reverse("accounts:letters") + f"?unit={unit.pk}")
        try:
            issued = actions.issue_activation_letters(acting(request), chosen)
        except CodedError as exc:
            messages.error(request, str(exc.message))
            return redirect(reverse("accounts:letters") + f"?unit={unit.pk}")
        pdf = render_letters(
            issued, request.build_absolute_uri(reverse("accounts:activate")), unit.name
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        name = f"激活通知书-{unit.code}-{timezone.localdate():%Y%m%d}.pdf"
        response["Content-Disposition"] = content_disposition_header(True, name)
        return response
    return render(request, "accounts/letters.html", {"form": form, "rows": rows, "unit": unit})


def _wait_message(until: Any) -> str:
    when = timezone.localtime(until).strftime("%Y-%m-%d %H:%M:%S")
    return _("Too many failed attempts: try again after %(time)s.") % {"time": when}


@sensitive_post_parameters("code", "new_password1", "new_password2")
@never_cache
@require_http_methods(["GET", "POST"])
def activate(request: HttpRequest) -> HttpResponse:
    """Public: the ID number and the letter's code claim the account and set its password. Every
    failed try is counted per ID number and per client address; the answer is the same whether
    the ID number, the code or the letter's date was wrong."""
    if request.user.is_authenticated:
        return redirect("core:home")
    form = ActivateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        keys = [
            throttle.Key("activation", data["id_number"].strip().upper()),
            *throttle.keys_for("", client_ip(request))[1:],
        ]
        if until := throttle.waiting_until(keys):
            form.add_error(None, _wait_message(until))
        else:
            try:
                user = actions.activate_account(
                    data["id_number"], data["code"], data["new_password1"]
                )
            except ValidationError as exc:
                form.add_error("new_password1", exc)
            else:
                if user is None:
                    until = throttle.fail(keys)
                    actions.record_failed_login(data["id_number"], None, until)
                    form.add_error(
                        None,
                        _wait_message(until)
                        if until
                        else _(
                            "The ID number and the code do not match a valid letter (it may "
                            "have expired, been used, or been replaced by a newer one)."
                        ),
                    )
                else:
                    throttle.clear(keys[:1])
                    login(request, user, backend="xuefen.accounts.backends.XuefenBackend")
                    actions.record_login(user)
                    messages.success(
                        request,
                        _(
                            "Your account is ready. Log in with your ID number or your username "
                            "%(username)s, and the password you chose."
                        )
                        % {"username": user.username},
                    )
                    response = redirect("core:home")
                    throttle.remember_device(response, user)
                    return response
    return render(request, "accounts/activate.html", {"form": form})
