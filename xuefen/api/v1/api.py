"""The NinjaAPI object of version 1 and its URL patterns."""

from typing import Any

from django.shortcuts import redirect
from django.urls import URLPattern, URLResolver, re_path
from django.utils.translation import gettext_noop
from ninja.renderers import JSONRenderer

from xuefen.api.v1 import batches, courses, people
from xuefen.api.v1.docs import LocalSwagger
from xuefen.api.v1.errors import install, json_refusals, not_found
from xuefen.api.v1.openapi import XuefenAPI
from xuefen.closing import api as assessment

DESCRIPTION = gettext_noop("""\
The REST API of Xuefen for training providers, industry departments and integrations.

**Authentication.** Every operation needs an API token of one provider, sent as
`Authorization: Bearer xf_…`. Provider staff make and revoke tokens on the *API tokens* page
(`/api/tokens/`); an administrator can also run `xuefen api_token create`. A token sees and
changes only its own provider's courses and batches. Scopes: `batches` (submit and read batches,
read courses); `credits:read` (read the credits of people the provider serves; granted only by
the credit office).

**Errors.** Every refusal has the body `{"error": {"code", "message", "field", "row", "details"}}`;
`code` is stable, `message` is translated (Chinese by default).

**Pages.** Lists take `limit` (1-500, default 50) and `offset`, and answer with `count`,
`next` and `previous`.

**Idempotency.** Send an `Idempotency-Key` header with each batch: a retry with the same key and
body returns the same batch. Even without one, a row already in the ledger is a duplicate and
posts nothing.

**Codes.** Fields such as `unit`, `status`, `categories` and `kind` carry codes (`hours`,
`queued`, `required`); each field's description lists its codes with what they mean, and the
docs page has the whole code table.
""")

# The operations' groups (ninja's tags): the names stay codes, which client generators use.
TAGS = [
    {"name": "courses", "description": gettext_noop("The provider's courses")},
    {"name": "batches", "description": gettext_noop("Batches of completions and their results")},
    {"name": "people", "description": gettext_noop("A person's credits")},
    {"name": "assessment", "description": gettext_noop("A year's results for annual assessment")},
]


class Renderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}


api = XuefenAPI(
    title=gettext_noop("Xuefen API"),
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    docs=LocalSwagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
    renderer=Renderer(),
    openapi_extra={"tags": TAGS},
)
install(api)
api.add_router("", courses.router)
api.add_router("", batches.router)
api.add_router("", people.router)
api.add_router("", assessment.router)


def _docs_redirect(request: Any, **kwargs: Any) -> Any:
    return redirect("api:openapi-view")


def urlpatterns() -> list[URLPattern | URLResolver]:
    """ninja's patterns with our 405 body, /api/v1/ leading to the docs, and a JSON 404 for any
    other path under /api/v1/."""
    patterns: list[URLPattern | URLResolver] = []
    for entry in api.urls[0]:
        if isinstance(entry, URLPattern):
            view = _docs_redirect if entry.name == "api-root" else json_refusals(entry.callback)
            entry = URLPattern(entry.pattern, view, entry.default_args, entry.name)
        patterns.append(entry)
    patterns.append(re_path(r"^", not_found))
    return patterns
