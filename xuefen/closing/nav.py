from typing import Any

from django.utils.translation import gettext_lazy as _

from xuefen.accounts.roles import Cap
from xuefen.accounts.scope import _grant_paths, has_capability
from xuefen.core.nav import Group, NavItem


def items(user: Any) -> list[NavItem]:
    found: list[NavItem] = []
    # Public notices concern whoever belongs to a unit or holds a role (grants are cached).
    if getattr(user, "person_id", None) is not None or _grant_paths(user):
        found.append(NavItem(_("Public notices"), "closing:notices", order=75, group=Group.RESULTS))
    if has_capability(user, Cap.REPORTS_VIEW):
        found.append(
            NavItem(_("Closing the year"), "closing:closes", order=76, group=Group.RESULTS)
        )
        found.append(
            NavItem(_("Assessment export"), "closing:assessment", order=77, group=Group.RESULTS)
        )
    if has_capability(user, Cap.CREDITS_APPROVE):
        found.append(
            NavItem(_("Objections to decide"), "closing:objections", order=78, group=Group.RESULTS)
        )
    return found
