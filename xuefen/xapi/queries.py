"""Reads: the LRS's statement queries (a platform sees only its own statements) and the credit
office's pages (platforms and statements of the providers in the user's subtrees, through the
scoping helper)."""

import datetime as dt
import uuid
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from xuefen.accounts import scope
from xuefen.accounts.roles import Cap
from xuefen.xapi.models import Client, Statement


def clients_for(user: Any) -> QuerySet[Client]:
    return scope.filter_by_node(
        user, Client.objects.all(), Cap.PROVIDERS_MANAGE, prefix="provider__node__"
    ).select_related("provider")


def access_client(user: Any, client_id: Any) -> Client:
    try:
        return clients_for(user).select_related("provider__node").get(pk=int(client_id))
    except (Client.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def statements_for(user: Any) -> QuerySet[Statement]:
    return scope.filter_by_node(
        user, Statement.objects.all(), Cap.PROVIDERS_MANAGE, prefix="client__provider__node__"
    )


# --------------------------------------------------------------------------- the LRS


def own_statement(client: Client, statement_id: uuid.UUID, *, voided: bool) -> Statement:
    """A statement the platform sent, by id: a voided one only when asked by voidedStatementId,
    any other only by statementId (Http404 otherwise, as for another platform's)."""
    found = Statement.objects.filter(
        client=client, statement_id=statement_id, voided=voided
    ).first()
    if found is None:
        raise Http404
    return found


def lrs_statements(
    client: Client,
    *,
    agent: str | None = None,
    verb: str | None = None,
    activity: str | None = None,
    registration: uuid.UUID | None = None,
    related_activities: bool = False,
    related_agents: bool = False,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    ascending: bool = False,
) -> QuerySet[Statement]:
    """The platform's statements matching the filters, voided ones left out, newest first (or
    oldest first when ascending).

    A statement whose object is a StatementRef matches the filters other than since/until when
    the statement it targets matches them, recursively (xAPI 1.0.3 Part Three 2.1.3, "Filter
    Conditions for StatementRefs"); a voided target still counts, so its voiding statement is
    found by the voided statement's verb, activity or agent."""
    rows = Statement.objects.filter(client=client, voided=False)
    condition = Q()
    if agent is not None:
        if related_agents:
            condition &= Q(related_agents__contains=f"\n{agent}\n")
        else:
            condition &= Q(actor_ifi=agent) | Q(object_type__in=["Agent", "Group"], object_id=agent)
    if verb is not None:
        condition &= Q(verb_id=verb)
    if activity is not None:
        if related_activities:
            condition &= Q(related_activities__contains=f"\n{activity}\n")
        else:
            condition &= Q(object_type="Activity", object_id=activity)
    if registration is not None:
        condition &= Q(registration=registration)
    if condition:
        referring = _referring(client, condition)
        rows = rows.filter(condition | Q(pk__in=referring)) if referring else rows.filter(condition)
    if since is not None:
        rows = rows.filter(stored__gt=since)
    if until is not None:
        rows = rows.filter(stored__lte=until)
    order = ["stored", "id"] if ascending else ["-stored", "-id"]
    return rows.order_by(*order)


def after(
    rows: QuerySet[Statement], stored: dt.datetime, pk: int, ascending: bool
) -> QuerySet[Statement]:
    """The rows after the last one a page showed (the `more` cursor)."""
    if ascending:
        return rows.filter(Q(stored__gt=stored) | Q(stored=stored, id__gt=pk))
    return rows.filter(Q(stored__lt=stored) | Q(stored=stored, id__lt=pk))


def _referring(client: Client, condition: Q) -> list[int]:
    """The platform's statements that target, through a chain of StatementRefs, a statement
    matching `condition` (voided or not). Two queries: the platform's StatementRef statements
    (few: mostly voiding statements) and which of their targets match."""
    refs = list(
        Statement.objects.filter(client=client, object_type="StatementRef").values_list(
            "pk", "statement_id", "object_id"
        )
    )
    if not refs:
        return []
    targets = {uuid.UUID(object_id) for _pk, _sid, object_id in refs}
    matched = set(
        Statement.objects.filter(client=client, statement_id__in=targets)
        .filter(condition)
        .values_list("statement_id", flat=True)
    )
    found: dict[int, uuid.UUID] = {}
    grew = True
    while grew:
        grew = False
        for pk, sid, object_id in refs:
            if pk not in found and uuid.UUID(object_id) in matched:
                found[pk] = sid
                matched.add(sid)
                grew = True
    return sorted(found)
