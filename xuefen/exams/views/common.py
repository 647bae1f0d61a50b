"""Helpers the exams pages share."""

from typing import cast

from django.http import HttpRequest, JsonResponse

from xuefen.accounts.models import User
from xuefen.audit.middleware import client_ip
from xuefen.core.errors import CodedError


def acting(request: HttpRequest) -> User:
    return cast(User, request.user)


def address(request: HttpRequest) -> str | None:
    return client_ip(request)


def device(request: HttpRequest) -> str:
    return request.META.get("HTTP_USER_AGENT", "")[:300]


def refusal(error: CodedError, status: int = 409) -> JsonResponse:
    """The refusal as JSON: with its code's own status where the code carries one other than the
    generic 422 (403, 423 …), else `status`."""
    if error.status != 422:
        status = error.status
    return JsonResponse(
        {"error": {"code": error.code, "message": str(error.message), "field": error.field}},
        status=status,
    )
