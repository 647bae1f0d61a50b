"""Reading the audit trail: always through `scope.filter_audit`, then the page's filters."""

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from xuefen.accounts import scope
from xuefen.audit.models import AuditEvent


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
        people = scope.people(user).filter(Q(id_number=person.upper()) | Q(name__icontains=person))
        qs = qs.filter(person_id__in=people.values("pk"))
    if text := (f.get("q") or "").strip():
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
    """(field, before, after) for display; a value that is not a [before, after] pair is "after"."""
    rows = []
    for field, value in sorted((event.changes or {}).items()):
        if isinstance(value, list) and len(value) == 2:
            rows.append((field, value[0], value[1]))
        else:
            rows.append((field, None, value))
    return rows
