from typing import Any

from django.http import HttpRequest

from xuefen.core.nav import collect


def shell(request: HttpRequest) -> dict[str, Any]:
    return {"nav_items": collect(getattr(request, "user", None))}
