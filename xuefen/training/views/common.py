"""Helpers the training pages share."""

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

from xuefen.core.actors import acting
from xuefen.core.errors import CodedError

__all__ = ["acting", "form_error", "page_of"]

PAGE_SIZE = 50


def form_error(form: Any, error: CodedError) -> None:
    """The refusal on the field it names, or on the form."""
    form.add_error(error.field if error.field in form.fields else None, str(error.message))


def page_of(request: HttpRequest, items: Any, size: int = PAGE_SIZE) -> Page:
    return Paginator(items, size).get_page(request.GET.get("page"))
