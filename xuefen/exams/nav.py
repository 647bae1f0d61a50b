from typing import Any

from django.utils.translation import gettext_lazy as _

from xuefen.core.nav import Group, NavItem
from xuefen.exams import queries


def items(user: Any) -> list[NavItem]:
    found: list[NavItem] = []
    if getattr(user, "person_id", None) is not None:
        found.append(NavItem(_("My exams"), "exams:mine", order=24, group=Group.MINE))
    if queries.may_manage(user) or queries.may_view(user):
        found.append(NavItem(_("Exams"), "exams:exams", order=59, group=Group.TRAINING))
    return found
