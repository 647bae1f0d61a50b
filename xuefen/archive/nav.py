from typing import Any

from django.utils.translation import gettext_lazy as _

from xuefen.accounts.roles import Cap
from xuefen.accounts.scope import has_capability, paths_with
from xuefen.core.nav import Group, NavItem


def items(user: Any) -> list[NavItem]:
    found: list[NavItem] = []
    if paths_with(user, Cap.CREDITS_VIEW):
        found.append(
            NavItem(_("Training archives"), "archive:people", order=72, group=Group.RESULTS)
        )
        found.append(NavItem(_("Bulk printing"), "archive:prints", order=73, group=Group.RESULTS))
    elif has_capability(user, Cap.CREDITS_VIEW):  # a learner: their own archive
        found.append(
            NavItem(_("My training archive"), "archive:people", order=72, group=Group.MINE)
        )
    return found
