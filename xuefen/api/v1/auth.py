"""Bearer tokens: `Authorization: Bearer xf_…`. A token acts for its provider, within its scopes.

No cookies are read, so there is no CSRF to guard: a browser cannot send the header by itself.
"""

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from xuefen.api.errors import ApiError, Code
from xuefen.api.models import ApiToken
from xuefen.api.queries import note_use, token_for_secret


def _unauthorized(code: Code, message: str) -> ApiError:
    return ApiError(code, message)


class TokenAuth(HttpBearer):
    """Accepts an active token holding `scope`; refuses with 401 (no usable token) or 403 (the
    token may not do this) and a coded error body."""

    openapi_bearerFormat = "xf_<token>"

    def __init__(self, scope: str) -> None:
        self.scope = scope
        super().__init__()

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get(self.header, "")
        if not header.strip():
            return None  # ninja answers with AuthenticationError: "not_authenticated"
        kind, _sep, secret = header.strip().partition(" ")
        if kind.lower() != "bearer" or not secret.strip():
            raise _unauthorized(
                Code.INVALID_TOKEN, _("The Authorization header must read: Bearer <token>.")
            )
        return self.authenticate(request, secret.strip())

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        found = token_for_secret(token)
        if found is None:
            raise _unauthorized(Code.INVALID_TOKEN, _("The API token is not valid."))
        now = timezone.now()
        if found.revoked_at is not None:
            raise _unauthorized(Code.TOKEN_REVOKED, _("The API token has been revoked."))
        if found.is_expired(now):
            raise _unauthorized(Code.TOKEN_EXPIRED, _("The API token has expired."))
        if not found.provider.is_active:
            raise ApiError(Code.PROVIDER_INACTIVE, _("The provider is not active."))
        if not found.has_scope(self.scope):
            raise ApiError(
                Code.INSUFFICIENT_SCOPE,
                _("This token may not do this (it needs the scope “%(scope)s”).")
                % {"scope": self.scope},
            )
        note_use(found, now)
        return found


def token_of(request: HttpRequest) -> ApiToken:
    token = getattr(request, "auth", None)
    assert isinstance(token, ApiToken)
    return token
