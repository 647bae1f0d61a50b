from typing import Any

from django.utils.translation import gettext_lazy as _

from xuefen.accounts.roles import Cap
from xuefen.accounts.scope import has_capability
from xuefen.core.nav import Group, NavItem


def items(user: Any) -> list[NavItem]:
    found: list[NavItem] = []
    if getattr(user, "person_id", None) is not None:
        found.append(NavItem(_("My credits"), "reports:me", order=10, group=Group.MINE))
    if has_capability(user, Cap.REPORTS_VIEW):
        found.append(NavItem(_("Roll-ups"), "reports:rollup", order=70, group=Group.RESULTS))
    return found
