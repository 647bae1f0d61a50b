"""The system administrator's pages for accounts and roles (users.manage). Every account is fetched
through `scope.access_user`, so an account outside the manager's subtrees is a 404."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from xuefen.accounts import actions, scope
from xuefen.accounts.forms import CreateUserForm, GrantForm, TemporaryPasswordForm, UserSearchForm
from xuefen.accounts.models import GrantProposal, RoleGrant, User
from xuefen.accounts.roles import Cap
from xuefen.core.actors import acting
from xuefen.core.errors import CodedError

PAGE_SIZE = 50
PROPOSED = gettext_lazy(
    "The role has been proposed: it takes effect when someone holding the credit office role "
    "confirms it."
)
PROPOSED_ON_CREATE = gettext_lazy(
    "The account has been created; its role takes effect when someone holding the credit "
    "office role confirms it."
)


def _grants() -> Prefetch[Any]:
    return Prefetch("grants", queryset=RoleGrant.objects.select_related("node").order_by("id"))


def _add_error(form: Form, error: CodedError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error))


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    scope.require(request.user, Cap.USERS_MANAGE)
    search = UserSearchForm(request.GET or None)
    rows = scope.users(request.user).select_related("person").prefetch_related(_grants())
    if search.is_valid() and (q := search.cleaned_data["q"].strip()):
        rows = rows.filter(
            Q(username__icontains=q) | Q(first_name__icontains=q) | Q(person__name__icontains=q)
        )
    page = Paginator(rows.order_by("username"), PAGE_SIZE).get_page(request.GET.get("page"))
    q = search.cleaned_data["q"] if search.is_valid() else ""
    base = urlencode({"q": q}) + "&" if q else ""
    return render(
        request,
        "accounts/users.html",
        {"search": search, "page_obj": page, "querystring_base": base},
    )


@login_required
@sensitive_post_parameters("password")
def user_create(request: HttpRequest) -> HttpResponse:
    scope.require(request.user, Cap.USERS_MANAGE)
    form = CreateUserForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = actions.create_staff_user(
                acting(request),
                data["username"],
                display_name=data["display_name"],
                password=data["password"],
                role=data["role"],
                node=data["node"],
            )
        except CodedError as error:
            _add_error(form, error)
        else:
            if user.grants.exists():
                messages.success(request, _("The account has been created."))
            else:
                messages.success(request, PROPOSED_ON_CREATE)
            return redirect("accounts:user_detail", user_id=user.pk)
    return render(request, "accounts/user_create.html", {"form": form})


@login_required
def user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    account = scope.access_user(request.user, user_id)
    return _detail(request, account)


def _detail(
    request: HttpRequest,
    account: User,
    grant_form: GrantForm | None = None,
    password_form: TemporaryPasswordForm | None = None,
    status: int = 200,
) -> HttpResponse:
    grants = account.grants.select_related("node").order_by("node__path", "role")
    manageable = scope.paths_with(request.user, Cap.USERS_MANAGE)
    context = {
        "account": account,
        "grants": [(g, any(g.node.path.startswith(p) for p in manageable)) for g in grants],
        "proposals": account.grant_proposals.filter(status=GrantProposal.Status.PENDING)
        .select_related("node", "proposed_by")
        .order_by("proposed_at"),
        "grant_form": grant_form or GrantForm(request.user),
        "password_form": password_form or TemporaryPasswordForm(),
        "is_self": account.pk == request.user.pk,
        "waiting_until": actions.waiting_until(account),
    }
    return render(request, "accounts/user_detail.html", context, status=status)


def _done(request: HttpRequest, account: User, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("accounts:user_detail", user_id=account.pk)


def _refused(request: HttpRequest, account: User, error: CodedError) -> HttpResponse:
    messages.error(request, str(error))
    return redirect("accounts:user_detail", user_id=account.pk)


@login_required
@require_POST
def grant(request: HttpRequest, user_id: int) -> HttpResponse:
    account = scope.access_user(request.user, user_id)
    form = GrantForm(request.user, request.POST)
    if not form.is_valid():
        return _detail(request, account, grant_form=form, status=400)
    try:
        result = actions.grant_role(
            acting(request), account, form.cleaned_data["role"], form.cleaned_data["node"]
        )
    except CodedError as error:
        _add_error(form, error)
        return _detail(request, account, grant_form=form, status=400)
    if isinstance(result, GrantProposal):
        return _done(request, account, str(PROPOSED))
    return _done(request, account, _("The role has been granted."))


@login_required
@require_POST
def revoke(request: HttpRequest, user_id: int, grant_id: int) -> HttpResponse:
    account = scope.access_user(request.user, user_id)
    try:
        role_grant = account.grants.select_related("node", "user").get(pk=grant_id)
    except RoleGrant.DoesNotExist:
        raise Http404 from None
    try:
        actions.revoke_role(acting(request), role_grant)
    except CodedError as error:
        return _refused(request, account, error)
    return _done(request, account, _("The role has been revoked."))


@login_required
@require_POST
def set_active(request: HttpRequest, user_id: int) -> HttpResponse:
    account = scope.access_user(request.user, user_id)
    active = request.POST.get("active") == "1"
    try:
        actions.set_active(acting(request), account, active)
    except CodedError as error:
        return _refused(request, account, error)
    if active:
        return _done(request, account, _("The account has been reactivated."))
    return _done(request, account, _("The account has been deactivated."))


@login_required
@require_POST
@sensitive_post_parameters("password")
def reset_password(request: HttpRequest, user_id: int) -> HttpResponse:
    account = scope.access_user(request.user, user_id)
    form = TemporaryPasswordForm(request.POST)
    if not form.is_valid():
        return _detail(request, account, password_form=form, status=400)
    try:
        actions.reset_password(acting(request), account, form.cleaned_data["password"])
    except CodedError as error:
        return _refused(request, account, error)
    return _done(
        request, account, _("The password has been reset; it must be changed at next log-in.")
    )


@login_required
@require_POST
def unlock(request: HttpRequest, user_id: int) -> HttpResponse:
    account = scope.access_user(request.user, user_id)
    try:
        actions.unlock_user(acting(request), account)
    except CodedError as error:
        return _refused(request, account, error)
    return _done(request, account, _("The account has been unlocked."))


# ------------------------------------------------------------------ confirming proposed roles


@login_required
def grant_proposals(request: HttpRequest) -> HttpResponse:
    """The credit office's queue of roles that decide credits, proposed by a system
    administrator and waiting for a second person."""
    scope.require(request.user, Cap.CREDITS_APPROVE)
    rows = (
        scope.grant_proposals(request.user)
        .select_related("user", "node", "proposed_by")
        .order_by("proposed_at", "id")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/grant_proposals.html", {"page_obj": page})


@login_required
@require_POST
def grant_proposal_decide(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = scope.access_grant_proposal(request.user, proposal_id)
    confirm = request.POST.get("confirm") == "1"
    try:
        if confirm:
            actions.confirm_grant(acting(request), proposal)
        else:
            actions.decline_grant(acting(request), proposal)
    except CodedError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("The role has been granted.") if confirm else _("The proposal has been declined."),
        )
    return redirect("accounts:grant_proposals")
