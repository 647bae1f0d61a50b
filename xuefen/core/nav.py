"""Navigation per role. Each app may define `nav.py` with `items(user) -> list[NavItem]`; the shell
collects them in app order, so an app adds its pages without editing shared templates."""

from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.apps import apps


@dataclass(frozen=True)
class NavItem:
    label: Any
    url_name: str
    order: int = 100

    @property
    def section(self) -> str:
        return self.url_name.split(":", 1)[0]


def collect(user: Any) -> list[NavItem]:
    if not getattr(user, "is_authenticated", False):
        return []
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
