"""Navigation per role. Each app may define `nav.py` with `items(user) -> list[NavItem]`; the shell
collects them in app order, so an app adds its pages without editing shared templates.

Each item names its menu group. A short menu (a learner's, a teacher's, a provider's) is one row of
links; a longer one is one button per group, each opening its links (a <details>, so it works
without script; app.js closes an open group on Escape, a click outside it or when focus leaves)."""

import enum
from dataclasses import dataclass, field, replace
from importlib import import_module
from typing import Any

from django.apps import apps
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, pgettext_lazy


class Group(enum.StrEnum):
    """The menu's groups, in the order the bar shows them."""

    PEOPLE = "people"
    REVIEW = "review"
    TRAINING = "training"
    RULES = "rules"
    RESULTS = "results"
    MINE = "mine"
    SYSTEM = "system"

    @property
    def label(self) -> Any:
        return _GROUP_LABELS[self]


_GROUP_LABELS = {
    Group.PEOPLE: pgettext_lazy("menu group", "Organisation and people"),
    Group.REVIEW: pgettext_lazy("menu group", "Review"),
    Group.TRAINING: pgettext_lazy("menu group", "Reporting and training"),
    Group.RULES: pgettext_lazy("menu group", "Rules and plans"),
    Group.RESULTS: pgettext_lazy("menu group", "Results and the year"),
    Group.MINE: pgettext_lazy("menu group", "Mine"),
    Group.SYSTEM: pgettext_lazy("menu group", "System"),
}

# A menu of this many links or fewer stays one row (a learner's has ten); so does one whose links
# fall in fewer than GROUPED_FROM groups (a learner who also teaches), where buttons would only
# hide the links behind an extra click.
FLAT_UP_TO = 10
GROUPED_FROM = 3


@dataclass(frozen=True)
class NavItem:
    label: Any
    url_name: str
    order: int = 100
    href: str = ""  # the URL of url_name, filled in once when the menu is collected
    group: Group = field(kw_only=True)

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
        found = _HTML[key] = _render(collect(user), view_name)
    return found


CURRENT = mark_safe(' aria-current="page"')


def grouped(menu: list[NavItem]) -> list[tuple[Group, list[NavItem]]]:
    """The menu's links by group, the groups in the bar's order, the links in theirs; empty when
    the menu is short enough to stay one row."""
    by_group: dict[Group, list[NavItem]] = {}
    for item in menu:
        by_group.setdefault(item.group, []).append(item)
    if len(menu) <= FLAT_UP_TO or len(by_group) < GROUPED_FROM:
        return []
    return [(group, by_group[group]) for group in Group if group in by_group]


def _links(items: list[NavItem], view_name: str | None) -> SafeString:
    return format_html_join(
        "\n",
        '<a href="{}"{}>{}</a>',
        ((item.href, CURRENT if item.url_name == view_name else "", item.label) for item in items),
    )


def _render(menu: list[NavItem], view_name: str | None) -> SafeString:
    groups = grouped(menu)
    if not groups:
        return _links(menu, view_name)
    here = _current_group(groups, view_name)
    return format_html_join(
        "\n", "{}", ((_group(g, links, view_name, g == here),) for g, links in groups)
    )


def _current_group(groups: list[tuple[Group, list[NavItem]]], view_name: str | None) -> Any:
    """The group holding the page: the group of its link; for a page the menu does not list (a
    person, a class), the one group holding its app's links, if only one does."""
    if view_name is None:
        return None
    for group, links in groups:
        if any(item.url_name == view_name for item in links):
            return group
    section = view_name.split(":", 1)[0]
    holding = {g for g, links in groups for item in links if item.section == section}
    return holding.pop() if len(holding) == 1 else None


def _group(group: Group, links: list[NavItem], view_name: str | None, here: bool) -> SafeString:
    """One group's button and links; a group of one is its link, in the bar itself."""
    if len(links) == 1:
        return _links(links, view_name)
    return format_html(
        '<details class="navgroup{}" name="mainnav" data-group="{}">'
        '<summary{}>{}</summary><div class="navgroup-links">{}</div></details>',
        " current" if here else "",
        group.value,
        CURRENT_GROUP if here else "",
        group.label,
        _links(links, view_name),
    )


CURRENT_GROUP = mark_safe(' aria-current="true"')


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
