from typing import Any

from django.utils.translation import gettext_lazy as _

from xuefen.accounts.roles import Cap
from xuefen.accounts.scope import has_capability, paths_with
from xuefen.core.nav import Group, NavItem


def items(user: Any) -> list[NavItem]:
    found = []
    if has_capability(user, Cap.ORGS_VIEW):
        found.append(NavItem(_("Org tree"), "orgs:tree", order=10, group=Group.PEOPLE))
    # A learner "sees people" only as themself; the list is for those granted it on a unit.
    if paths_with(user, Cap.PEOPLE_VIEW):
        found.append(NavItem(_("People"), "orgs:people", order=20, group=Group.PEOPLE))
    # Requests span units: only those who change people on a whole region decide them.
    if any(path.count("/") == 2 for path in paths_with(user, Cap.PEOPLE_CHANGE)):
        found.append(
            NavItem(_("Transfer requests"), "orgs:transfer_requests", order=25, group=Group.PEOPLE)
        )
    return found
