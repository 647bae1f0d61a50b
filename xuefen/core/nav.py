"""Navigation per role. Each app may define `nav.py` with `items(user) -> list[NavItem]`; the shell
collects them in app order, so an app adds its pages without editing shared templates."""

from dataclasses import dataclass, replace
from importlib import import_module
from typing import Any

from django.apps import apps
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language


@dataclass(frozen=True)
class NavItem:
    label: Any
    url_name: str
    order: int = 100
    href: str = ""  # the URL of url_name, filled in once when the menu is collected

    @property
    def section(self) -> str:
        return self.url_name.split(":", 1)[0]


# The menu a set of grants gives, computed once per process for each distinct set (a handful: one
# per role and node). Every app's `items` decides from the user's grants and whether they are a
# learner (have a person), nothing else; the labels are lazy, so one list serves every language.
_BY_GRANTS: dict[tuple[Any, ...], list[NavItem]] = {}
_MAX_KEPT = 10_000


def collect(user: Any) -> list[NavItem]:
    if not getattr(user, "is_authenticated", False):
        return []
    from xuefen.accounts.scope import grants_key

    key = grants_key(user)
    found = _BY_GRANTS.get(key)
    if found is None:
        if len(_BY_GRANTS) >= _MAX_KEPT:
            _BY_GRANTS.clear()
        found = _BY_GRANTS[key] = [replace(i, href=reverse(i.url_name)) for i in _collect(user)]
    return found


_HTML: dict[tuple[Any, ...], str] = {}


def html(user: Any, view_name: str | None) -> str:
    """The menu's links, the current page's marked: built once per process for each set of grants,
    language and page."""
    if not getattr(user, "is_authenticated", False):
        return ""
    from xuefen.accounts.scope import grants_key

    key = (grants_key(user), get_language(), view_name)
    found = _HTML.get(key)
    if found is None:
        if len(_HTML) >= _MAX_KEPT:
            _HTML.clear()
        found = _HTML[key] = format_html_join(
            "\n",
            '<a href="{}"{}>{}</a>',
            (
                (item.href, CURRENT if item.url_name == view_name else "", item.label)
                for item in collect(user)
            ),
        )
    return found


CURRENT = mark_safe(' aria-current="page"')


def _collect(user: Any) -> list[NavItem]:
    found: list[NavItem] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("xuefen."):
            continue
        try:
            module = import_module(f"{config.name}.nav")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.nav":
                raise
            continue
        found.extend(module.items(user))
    return sorted(found, key=lambda item: item.order)


def items(user: Any) -> list[NavItem]:
    """The home page is reached through the brand link; core adds nothing to the menu."""
    return []
