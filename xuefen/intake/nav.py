from typing import Any

from django.utils.translation import gettext_lazy as _

from xuefen.accounts.roles import Cap
from xuefen.accounts.scope import has_capability
from xuefen.core.nav import Group, NavItem


def items(user: Any) -> list[NavItem]:
    if not has_capability(user, Cap.INTAKE_VIEW):
        return []
    if has_capability(user, Cap.INTAKE_SUBMIT):
        return [NavItem(_("Bulk reporting"), "intake:home", order=55, group=Group.TRAINING)]
    return [
        NavItem(_("Providers"), "intake:providers", order=55, group=Group.TRAINING),
        NavItem(_("Batches"), "intake:batches", order=56, group=Group.TRAINING),
    ]
