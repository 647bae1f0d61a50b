from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from xuefen.core import nav


def shell(request: HttpRequest) -> dict[str, Any]:
    """The menu of the page's frame: its links, built once per set of grants, language and page."""
    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    return {
        "nav_items": SimpleLazyObject(lambda: nav.collect(user)),
        "nav_html": nav.html(user, match.view_name if match is not None else None),
    }
