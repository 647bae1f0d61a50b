"""The API token pages (session log-in): provider staff manage their provider's tokens; the credit
office sees and revokes every token in its subtree and may grant `credits:read`."""

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
from xuefen.api import actions
from xuefen.api.forms import TokenForm
from xuefen.api.queries import access_token, tokens_for
from xuefen.core.actors import acting
from xuefen.core.errors import CodedError

PAGE_SIZE = 50


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    scope.require(request.user, Cap.COURSES_MANAGE)
    rows = tokens_for(request.user).order_by("provider__code", "-created_at", "-id")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "api/tokens.html", {"page_obj": page})


@login_required
@never_cache
def token_create(request: HttpRequest) -> HttpResponse:
    scope.require(request.user, Cap.COURSES_MANAGE)
    form = TokenForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            token, secret = actions.create_token(
                acting(request),
                data["provider"],
                name=data["name"],
                scopes=data["scopes"],
                expires_at=form.expires_at(),
            )
        except CodedError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            # The secret is shown on this response only; it is stored nowhere.
            return render(
                request,
                "api/token_created.html",
                {
                    "token": token,
                    "secret": secret,
                    "api_url": request.build_absolute_uri(reverse("api:api-root")),
                },
            )
    return render(request, "api/token_form.html", {"form": form})


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = access_token(request.user, token_id)
    try:
        actions.revoke_token(acting(request), token)
    except CodedError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The token was revoked; it no longer works."))
    return redirect("api:tokens")
