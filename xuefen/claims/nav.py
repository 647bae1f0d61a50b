from typing import Any

from django.utils.translation import gettext_lazy as _

from xuefen.accounts.roles import Cap
from xuefen.accounts.scope import has_capability
from xuefen.core.nav import NavItem


def items(user: Any) -> list[NavItem]:
    found: list[NavItem] = []
    if has_capability(user, Cap.CLAIMS_SUBMIT):
        found.append(NavItem(_("Claims"), "claims:mine", order=30))
    if has_capability(user, Cap.CREDITS_CHECK):
        found.append(NavItem(_("Claims to check"), "claims:unit_queue", order=31))
    if has_capability(user, Cap.CREDITS_APPROVE):
        found.append(NavItem(_("Claims to approve"), "claims:office_queue", order=32))
        found.append(NavItem(_("Spot checks"), "claims:spot_checks", order=33))
    if has_capability(user, Cap.POLICY_CHANGE):
        found.append(NavItem(_("Claim types"), "claims:types", order=61))
        found.append(NavItem(_("Reporting periods"), "claims:periods", order=62))
    return found
