"""Writing the audit trail. Every action that changes people, units, roles or credits calls `record`
in its own transaction, so the change and its audit row land or fail together."""

from collections.abc import Iterable
from contextvars import ContextVar
from typing import Any

from django.db import models

from xuefen.audit.models import AuditEvent
from xuefen.core.actors import Actor, audit_name, user_of

# The address of the client being served (set by AuditContextMiddleware); None in CLI and tasks.
client_address: ContextVar[str | None] = ContextVar("client_address", default=None)


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value.pk)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The values of `fields` on obj as JSON-safe values (foreign keys by id)."""
    out: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        attname = getattr(field, "attname", name)
        out[name] = _plain(getattr(obj, attname))
    return out


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [before, after]} for the fields whose value changed."""
    keys = before.keys() | after.keys()
    return {k: [before.get(k), after.get(k)] for k in sorted(keys) if before.get(k) != after.get(k)}


def record(
    actor: Actor,
    action: str,
    obj: models.Model | None = None,
    *,
    changes: dict[str, Any] | None = None,
    node_path: str = "",
    person_id: int | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    object_repr: str | None = None,
) -> AuditEvent:
    """Appends one audit event, naming the user, the API token or the system that acted."""
    return AuditEvent.objects.create(
        actor=user_of(actor),
        actor_name=audit_name(actor)[:150],
        address=client_address.get(),
        action=action,
        object_type=object_type or (obj._meta.label_lower if obj is not None else ""),
        object_id=object_id if object_id is not None else (str(obj.pk) if obj is not None else ""),
        object_repr=(object_repr if object_repr is not None else str(obj) if obj else "")[:200],
        changes=changes or {},
        node_path=node_path,
        person_id=person_id,
    )


def record_export(actor: Actor, what: str, count: int, node_path: str = "") -> AuditEvent:
    """Notes that `actor` downloaded `count` rows of `what` (an export is itself a disclosure)."""
    return record(
        actor,
        AuditEvent.Action.EXPORT,
        object_type=what,
        object_repr=what,
        changes={"rows": [None, count]},
        node_path=node_path,
    )
