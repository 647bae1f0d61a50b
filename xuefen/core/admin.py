from django.contrib import admin
from django.http import HttpRequest


def _superuser_only(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_superuser)


# Django admin bypasses the org scoping; it is for the deployer (superuser), never for staff roles.
admin.site.has_permission = _superuser_only  # type: ignore[method-assign]
