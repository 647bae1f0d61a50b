from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from xuefen.core.nav import collect


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The landing page: the pages this user's roles open, as tiles."""
    return render(request, "core/home.html", {"tiles": collect(request.user)})


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
