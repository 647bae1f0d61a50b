"""The query string of a filtered list without its page number, for the pager
(templates/includes/pagination.html) and for export links that keep the filters."""

from django.http import HttpRequest


def querystring(request: HttpRequest) -> tuple[str, str]:
    """(base for "?{base}page=N", the filters alone)."""
    query = request.GET.copy()
    query.pop("page", None)
    encoded = query.urlencode()
    return (f"{encoded}&" if encoded else ""), encoded
