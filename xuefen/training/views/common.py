"""Helpers the training pages share."""

from typing import Any, cast

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

from xuefen.accounts.models import User
from xuefen.core.errors import CodedError

PAGE_SIZE = 50


def form_error(form: Any, error: CodedError) -> None:
    """The refusal on the field it names, or on the form."""
    form.add_error(error.field if error.field in form.fields else None, str(error.message))


def page_of(request: HttpRequest, items: Any, size: int = PAGE_SIZE) -> Page:
    return Paginator(items, size).get_page(request.GET.get("page"))


def acting(request: HttpRequest) -> User:
    """The logged-in user acting (every page calling an action is behind login_required)."""
    return cast(User, request.user)
