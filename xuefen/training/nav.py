from typing import Any

from django.utils.translation import gettext_lazy as _

from xuefen.accounts.roles import Cap
from xuefen.accounts.scope import has_capability, paths_with
from xuefen.core.nav import Group, NavItem


def items(user: Any) -> list[NavItem]:
    found: list[NavItem] = []
    if getattr(user, "person_id", None) is not None:
        found += [
            NavItem(_("Course menu"), "training:menu", order=22, group=Group.MINE),
            NavItem(_("My training"), "training:mine", order=23, group=Group.MINE),
        ]
    if has_capability(user, Cap.TRAINING_VIEW) or paths_with(user, Cap.TRAINING_NOMINATE):
        found.append(NavItem(_("Classes"), "training:classes", order=57, group=Group.TRAINING))
    if has_capability(user, Cap.TRAINING_VIEW):
        found.append(NavItem(_("Teachers"), "training:teachers", order=58, group=Group.TRAINING))
    if has_capability(user, Cap.TEACHING):
        found.append(NavItem(_("My teaching"), "training:teaching", order=20, group=Group.MINE))
    return found
