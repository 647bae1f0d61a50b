"""One error body for every refusal of the API:

    {"error": {"code": "not_found", "message": "…", "field": null, "row": null, "details": null}}

`code` is stable and meant for programs; `message` is translated (Chinese unless the client chose
English); `field` names the request field or header at fault, `row` the 1-based row of a batch;
`details` lists every problem of a request that did not validate.
"""

from collections.abc import Callable
from functools import wraps
from itertools import pairwise
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from xuefen.core.errors import CodedError


def body(
    code: str,
    message: Any,
    *,
    field: str | None = None,
    row: int | None = None,
    details: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "error": {
            "code": str(code),
            "message": str(message),
            "field": field,
            "row": row,
            "details": details,
        }
    }


def json_error(status: int, code: str, message: Any, **extra: Any) -> JsonResponse:
    response = JsonResponse(
        body(code, message, **extra), status=status, json_dumps_params={"ensure_ascii": False}
    )
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="xuefen"'
    return response


def not_authenticated() -> JsonResponse:
    return json_error(
        401,
        "not_authenticated",
        _("Send an API token in the header: Authorization: Bearer <token>."),
    )


def not_found(request: HttpRequest | None = None, *args: Any, **kwargs: Any) -> JsonResponse:
    return json_error(404, "not_found", _("Not found."))


def not_allowed(allowed: list[str]) -> JsonResponse:
    response = json_error(
        405,
        "method_not_allowed",
        _("This method is not allowed here; allowed: %(methods)s.")
        % {"methods": ", ".join(allowed)},
    )
    response["Allow"] = ", ".join(allowed)
    return response


def too_large() -> JsonResponse:
    return json_error(413, "request_too_large", _("The request is too large."))


def uri_too_long(limit: int) -> JsonResponse:
    return json_error(
        414,
        "uri_too_long",
        _("The address of the request is longer than %(limit)d characters.") % {"limit": limit},
    )


# Why a request field did not validate, by pydantic's error type; anything else is "not valid".
def _problem(kind: str) -> str:
    messages = {
        "missing": _("This field is required."),
        "extra_forbidden": _("This field is not known."),
        "string_too_long": _("This value is too long."),
        "string_too_short": _("This value is too short."),
        "too_long": _("There are too many items."),
        "too_short": _("There are too few items."),
        "greater_than_equal": _("This value is too small."),
        "greater_than": _("This value is too small."),
        "less_than_equal": _("This value is too large."),
        "less_than": _("This value is too large."),
        "enum": _("This value is not one of the allowed choices."),
        "literal_error": _("This value is not one of the allowed choices."),
        "string_pattern_mismatch": _("This value does not have the expected form."),
    }
    if kind in messages:
        return messages[kind]
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return _("This value has the wrong type.")
    return _("This value is not valid.")


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    """("body", "payload", "rows", 3, "id_number") -> "rows[3].id_number" (the client's terms)."""
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    if len(parts) > 1 and parts[0] == "payload":
        parts = parts[1:]
    name = ""
    for part in parts:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name


def _row_of(loc: tuple[Any, ...] | list[Any]) -> int | None:
    parts = list(loc)
    for before, after in pairwise(parts):
        if before == "rows" and isinstance(after, int):
            return after + 1
    return None


def validation_failed(errors: list[dict[str, Any]]) -> JsonResponse:
    details = [
        {
            "field": _field_name(e.get("loc", ())),
            "code": str(e.get("type", "invalid")),
            "message": _problem(str(e.get("type", ""))),
        }
        for e in errors
    ]
    first = details[0] if details else {"field": None, "message": _("The request is not valid.")}
    return json_error(
        422,
        "invalid_request",
        _("The request is not valid: %(field)s: %(problem)s")
        % {"field": first["field"] or "-", "problem": first["message"]},
        field=first["field"] or None,
        row=_row_of(errors[0].get("loc", ())) if errors else None,
        details=details,
    )


_HTTP_CODES = {
    400: "malformed_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "request_too_large",
    429: "rate_limited",
}


def _http_message(status: int) -> str:
    return {
        400: _("The request body is not valid JSON."),
        403: _("This token may not do this."),
        404: _("Not found."),
        429: _("Too many requests; try again later."),
    }.get(status, _("The request was refused."))


def install(api: NinjaAPI) -> None:
    """Replaces django-ninja's default error bodies with ours."""

    @api.exception_handler(CodedError)
    def on_coded_error(request: HttpRequest, exc: CodedError) -> HttpResponse:
        # The status is the code's own (each app's enum carries it).
        return json_error(
            exc.status, exc.code, exc.message, field=exc.field, row=getattr(exc, "row", None)
        )

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc.__cause__, RequestDataTooBig):
            return too_large()
        if isinstance(exc, AuthenticationError):
            return not_authenticated()
        status = exc.status_code
        return json_error(status, _HTTP_CODES.get(status, "error"), _http_message(status))

    @api.exception_handler(ValidationError)
    def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return validation_failed(exc.errors)

    @api.exception_handler(Http404)
    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return not_found()

    @api.exception_handler(RequestDataTooBig)
    def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return too_large()


def json_refusals(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wraps one of ninja's URL views so that a wrong method answers with our error body (ninja's
    own 405 is an empty text response)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = [m.strip() for m in response["Allow"].split(",") if m.strip()]
            return not_allowed(allowed)
        return response

    return wrapped
