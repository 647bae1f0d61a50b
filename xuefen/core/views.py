from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from xuefen.core import workers
from xuefen.core.nav import collect


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The landing page: the pages this user's roles open, as tiles."""
    return render(request, "core/home.html", {"tiles": collect(request.user)})


def healthz(request: HttpRequest) -> HttpResponse:
    """For a load balancer and for whoever watches the site: 200 while the web server answers
    (whatever the worker's state), with the background worker's last heartbeat and the age of the
    oldest task waiting in the queue. Counts and ages only: nothing about anyone."""
    return JsonResponse(workers.health().as_dict(timezone.now()))
