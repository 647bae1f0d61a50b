from typing import Any

from django.utils.translation import gettext_lazy as _

from xuefen.accounts.roles import Cap
from xuefen.accounts.scope import has_capability, paths_with
from xuefen.core.nav import Group, NavItem


def items(user: Any) -> list[NavItem]:
    found = []
    if has_capability(user, Cap.USERS_MANAGE):
        found.append(NavItem(_("Users and roles"), "accounts:users", order=90, group=Group.PEOPLE))
    if paths_with(user, Cap.ACCOUNTS_ACTIVATE):
        found.append(
            NavItem(_("Activation letters"), "accounts:letters", order=85, group=Group.PEOPLE)
        )
    if has_capability(user, Cap.CREDITS_APPROVE):
        found.append(
            NavItem(
                _("Role confirmations"), "accounts:grant_proposals", order=91, group=Group.PEOPLE
            )
        )
    return found
