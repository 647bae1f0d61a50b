from typing import Any

from django.utils.translation import gettext_lazy as _

from xuefen.accounts.roles import Cap
from xuefen.accounts.scope import has_capability
from xuefen.core.nav import Group, NavItem


def items(user: Any) -> list[NavItem]:
    found: list[NavItem] = []
    if has_capability(user, Cap.CLAIMS_SUBMIT):
        # A learner's own claims; for whoever checks claims, those they file for their people.
        reviews = has_capability(user, Cap.CREDITS_CHECK) or has_capability(
            user, Cap.CREDITS_APPROVE
        )
        group = Group.REVIEW if reviews else Group.MINE
        found.append(NavItem(_("Claims"), "claims:mine", order=30, group=group))
    if has_capability(user, Cap.CREDITS_CHECK):
        found.append(
            NavItem(_("Claims to check"), "claims:unit_queue", order=31, group=Group.REVIEW)
        )
    if has_capability(user, Cap.CREDITS_APPROVE):
        found.append(
            NavItem(_("Claims to approve"), "claims:office_queue", order=32, group=Group.REVIEW)
        )
        found.append(NavItem(_("Spot checks"), "claims:spot_checks", order=33, group=Group.REVIEW))
    if has_capability(user, Cap.POLICY_CHANGE):
        found.append(NavItem(_("Claim types"), "claims:types", order=61, group=Group.RULES))
        found.append(NavItem(_("Reporting periods"), "claims:periods", order=62, group=Group.RULES))
    return found
