"""limit/offset pages with the total count and links to the neighbouring pages."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_noop
from ninja import Field, Schema

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


class PageParams(Schema):
    limit: int = Field(
        DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=gettext_noop("Items per page.")
    )
    offset: int = Field(0, ge=0, le=10**9, description=gettext_noop("Items to skip."))


def _link(request: HttpRequest, offset: int, limit: int) -> str:
    query = request.GET.copy()
    query["offset"] = str(offset)
    query["limit"] = str(limit)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def page(request: HttpRequest, queryset: QuerySet[Any], params: PageParams) -> dict[str, Any]:
    """The page of `queryset` the params ask for, with `items` still model objects."""
    count = queryset.count()
    limit, offset = params.limit, params.offset
    items = list(queryset[offset : offset + limit]) if offset < count else []
    return {
        "count": count,
        "limit": limit,
        "offset": offset,
        "next": _link(request, offset + limit, limit) if offset + limit < count else None,
        "previous": _link(request, max(0, offset - limit), limit) if offset > 0 else None,
        "items": items,
    }
