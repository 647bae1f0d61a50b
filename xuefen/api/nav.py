from typing import Any

from django.utils.translation import gettext_lazy as _

from xuefen.accounts.roles import Cap
from xuefen.accounts.scope import has_capability
from xuefen.core.nav import Group, NavItem


def items(user: Any) -> list[NavItem]:
    if has_capability(user, Cap.COURSES_MANAGE):
        return [NavItem(_("API tokens"), "api:tokens", order=85, group=Group.SYSTEM)]
    return []
