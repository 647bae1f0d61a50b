from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone

from xuefen.accounts.models import RoleGrant
from xuefen.accounts.roles import PURPOSES, Role
from xuefen.core import workers
from xuefen.core.nav import collect, grouped


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The landing page: the pages this user's roles open, as tiles (by group when the menu is
    grouped); with none, what the user's roles are for (a role may open no page yet), or that
    the account has no role."""
    tiles = collect(request.user)
    roles: list[tuple[Any, str, Any]] = []
    if not tiles:
        held = RoleGrant.objects.filter(user_id=request.user.pk or 0).select_related("node")
        for grant in held.order_by("role", "node__path"):
            roles.append((Role(grant.role).label, grant.node.name, PURPOSES.get(grant.role, "")))
    # A long menu's tiles under the same groups as the menu (the office's 33 in six headings).
    sections = grouped(tiles)
    return render(request, "core/home.html", {"tiles": tiles, "sections": sections, "roles": roles})


def healthz(request: HttpRequest) -> HttpResponse:
    """For a load balancer and for whoever watches the site: 200 while the web server answers
    (whatever the worker's state), with the background worker's last heartbeat and the age of the
    oldest task waiting in the queue. Counts and ages only: nothing about anyone."""
    return JsonResponse(workers.health().as_dict(timezone.now()))


def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers ask for whatever the page says: the icon among the static
    files (under its hashed name in production)."""
    return redirect(static("xuefen/favicon.ico"))
