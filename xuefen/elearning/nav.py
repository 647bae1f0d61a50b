from typing import Any

from django.utils.translation import gettext_lazy as _

from xuefen.accounts.roles import Cap
from xuefen.accounts.scope import has_capability
from xuefen.core.nav import Group, NavItem


def items(user: Any) -> list[NavItem]:
    found: list[NavItem] = []
    if getattr(user, "person_id", None) is not None:
        found.append(NavItem(_("Online courses"), "elearning:courses", order=24, group=Group.MINE))
    if has_capability(user, Cap.COURSES_MANAGE):
        found.append(
            NavItem(_("Online learning"), "elearning:manage", order=59, group=Group.TRAINING)
        )
    if has_capability(user, Cap.AUDIT_VIEW):
        found.append(
            NavItem(_("Online learning audit"), "elearning:audit", order=91, group=Group.TRAINING)
        )
    return found
