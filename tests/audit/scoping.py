"""URL cases for the project-wide scoping test: each points at an object of unit A."""

from xuefen.audit.actions import record
from xuefen.audit.models import AuditEvent


def _event_of_a(cast):
    event = record(
        cast.carol,
        AuditEvent.Action.UPDATE,
        cast.person_a,
        node_path=cast.unit_a.path,
        person_id=cast.person_a.pk,
    )
    return {"event_id": event.pk}


CASES = {
    "audit:events": lambda cast: None,
    "audit:export": lambda cast: None,
    "audit:event_detail": _event_of_a,
}
