from typing import Any

from django.utils.translation import gettext_lazy as _

from xuefen.accounts.roles import Cap
from xuefen.accounts.scope import has_capability
from xuefen.core.nav import Group, NavItem


def items(user: Any) -> list[NavItem]:
    found: list[NavItem] = []
    # Reminders go to learners and unit administrators (who check their people's claims).
    if getattr(user, "person_id", None) is not None or has_capability(user, Cap.CREDITS_CHECK):
        found.append(NavItem(_("Inbox"), "planning:inbox", order=90, group=Group.MINE))
    if getattr(user, "person_id", None) is not None:
        found.append(
            NavItem(_("Surveys for me"), "planning:my_surveys", order=24, group=Group.MINE)
        )
    if has_capability(user, Cap.REPORTS_VIEW):
        found += [
            NavItem(_("Training plans"), "planning:plans", order=60, group=Group.RULES),
            NavItem(_("Needs surveys"), "planning:surveys", order=61, group=Group.RULES),
            NavItem(_("Reminders sent"), "planning:outbox", order=62, group=Group.RULES),
        ]
    if has_capability(user, Cap.POLICY_CHANGE):
        found.append(
            NavItem(_("Reminder policy"), "planning:policies", order=63, group=Group.RULES)
        )
    return found
