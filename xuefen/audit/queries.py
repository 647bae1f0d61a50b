"""Reading the audit trail: always through `scope.filter_audit`, then the page's filters."""

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from xuefen.accounts import scope
from xuefen.accounts.roles import Cap
from xuefen.audit import words
from xuefen.audit.models import AuditEvent
from xuefen.orgs import idnumber

# An ID number anywhere in a text (a username typed at a failed log-in, a person's snapshot).
_ID_NUMBER = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9Xx])")
_DIGITS = re.compile(r"[0-9]{6}")


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def events(user: Any, filters: dict[str, Any] | None = None) -> QuerySet[AuditEvent]:
    """The events the user may read (audit.view on their subtrees), narrowed by the filters."""
    qs = scope.filter_audit(user, AuditEvent.objects.all())
    f = filters or {}
    if f.get("date_from"):
        qs = qs.filter(at__gte=_day_start(f["date_from"]))
    if f.get("date_to"):
        qs = qs.filter(at__lt=_day_start(f["date_to"] + dt.timedelta(days=1)))
    if f.get("actor"):
        qs = qs.filter(actor_name__iexact=f["actor"].strip())
    if f.get("action"):
        qs = qs.filter(action=f["action"])
    if f.get("object_type"):
        qs = qs.filter(object_type=f["object_type"].strip().lower())
    if person := (f.get("person") or "").strip():
        # Found by ID number only by those who may see ID numbers: no one else learns whose it is.
        people = scope.people(user).filter(name__icontains=person)
        people |= scope.people(user, Cap.PEOPLE_VIEW_ID).filter(id_number=person.upper())
        qs = qs.filter(person_id__in=people.values("pk"))
    if text := (f.get("q") or "").strip():
        if _DIGITS.search(text) and not scope.paths_with(user, Cap.PEOPLE_VIEW_ID):
            return qs.none()  # no searching the trail for digits of ID numbers one may not see
        qs = qs.filter(
            Q(object_repr__icontains=text)
            | Q(actor_name__icontains=text)
            | Q(object_id=text)
            | Q(address__startswith=text)
        )
    return qs.order_by("-at", "-id")


def access_event(user: Any, event_id: Any) -> AuditEvent:
    try:
        return scope.filter_audit(user, AuditEvent.objects.all()).get(pk=int(event_id))
    except (AuditEvent.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def change_rows(event: AuditEvent) -> list[tuple[str, Any, Any]]:
    """(field, before, after) for display, in words (`audit.words`); a value that is not a
    [before, after] pair is "after"."""
    rows = []
    kind = event.object_type
    for field, value in sorted((event.changes or {}).items()):
        if (
            isinstance(value, list)
            and len(value) == 2
            and not (field == "categories" and all(isinstance(v, str) for v in value))
        ):
            before, after = value
        else:
            before, after = None, value
        rows.append(
            (
                words.field_label(kind, field),
                words.value_text(kind, field, before),
                words.value_text(kind, field, after),
            )
        )
    return rows


def _mask(value: Any) -> Any:
    if isinstance(value, str):
        return _ID_NUMBER.sub(lambda m: idnumber.mask(m.group(0).upper()), value)
    if isinstance(value, list):
        return [_mask(v) for v in value]
    if isinstance(value, dict):
        return {k: _mask(v) for k, v in value.items()}
    return value


def redactor(user: Any) -> Callable[[AuditEvent], AuditEvent]:
    """event -> the event as the user may read it: ID numbers masked (in who acted, what was
    acted on and the changes) unless the user may see the ID numbers of the event's subtree.
    Works on the loaded event only; nothing is written."""
    id_paths = scope.paths_with(user, Cap.PEOPLE_VIEW_ID)

    def redact(event: AuditEvent) -> AuditEvent:
        if event.node_path and any(event.node_path.startswith(p) for p in id_paths):
            return event
        event.actor_name = _mask(event.actor_name)
        event.object_repr = _mask(event.object_repr)
        event.changes = _mask(event.changes)
        return event

    return redact
