"""What every exams action shares: the actor's permission check and the audit record."""

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from xuefen.accounts import scope
from xuefen.accounts.roles import Cap
from xuefen.audit.actions import record
from xuefen.core.actors import Actor
from xuefen.exams.errors import Code, ExamError
from xuefen.orgs.models import OrgNode


def require_manage(actor: Actor, node: OrgNode) -> None:
    """The actor is the credit office on the node (the system may: demo data, commands)."""
    if not scope.may(actor, Cap.CREDITS_APPROVE, node):
        raise ExamError(Code.FORBIDDEN, _("You may not run exams here."))


def audit(
    actor: Actor,
    action: str,
    obj: models.Model,
    node: OrgNode,
    changes: dict[str, Any],
    person_id: int | None = None,
    node_path: str = "",
) -> None:
    record(
        actor,
        action,
        obj,
        changes=changes,
        node_path=node_path or node.path,
        person_id=person_id,
        object_repr=str(obj),
    )
