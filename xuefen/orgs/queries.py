"""Scoped reads of the org tree and people, shared by the pages, the export and the command line."""

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from xuefen.accounts import scope
from xuefen.accounts.roles import Cap
from xuefen.orgs.models import OrgNode, PeopleImport, Person, TransferRequest


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def filter_people(
    user: Any, data: dict[str, Any], *, today: dt.date | None = None
) -> QuerySet[Person]:
    """The people the user may see, narrowed by the cleaned data of PeopleFilterForm."""
    qs = scope.people(user, Cap.PEOPLE_VIEW).select_related("unit")
    today = today or dt.date.today()
    text = "".join(str(data.get("q") or "").split()).upper()
    if text:
        if len(text) == 18:
            qs = qs.filter(id_number=text)
        elif text[:-1].isdigit() and len(text) >= 4 and (text[-1].isdigit() or text[-1] == "X"):
            qs = qs.filter(Q(id_number__endswith=text) | Q(name__icontains=text))
        else:
            qs = qs.filter(name__icontains=text)
    unit = data.get("unit")
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    for name in ("category", "status", "sex"):
        if data.get(name):
            qs = qs.filter(**{name: data[name]})
    if data.get("title_level"):
        qs = qs.filter(title_level="" if data["title_level"] == "none" else data["title_level"])
    if data.get("age_min") is not None:
        qs = qs.filter(birth_date__lte=_years_before(today, data["age_min"]))
    if data.get("age_max") is not None:
        qs = qs.filter(birth_date__gt=_years_before(today, data["age_max"] + 1))
    return qs.order_by("unit__path", "name", "id")


def id_visibility(user: Any) -> Any:
    """person -> bool: may the user see this person's full ID number? (no query per call)"""
    paths = scope.paths_with(user, Cap.PEOPLE_VIEW_ID)
    own = getattr(user, "person_id", None)

    def visible(person: Person) -> bool:
        return person.pk == own or any(person.unit.path.startswith(p) for p in paths)

    return visible


def tree(user: Any) -> list[dict[str, Any]]:
    """The visible subtrees as nested dicts {node, count, children}; count includes descendants.

    Two queries: the nodes, and one aggregate of people per unit.
    """
    nodes = list(scope.nodes(user, Cap.ORGS_VIEW).order_by("depth", "code"))
    direct = (
        dict(
            Person.objects.filter(unit__in=[n.pk for n in nodes])
            .values("unit")
            .annotate(n=Count("id"))
            .values_list("unit", "n")
        )
        if nodes
        else {}
    )
    items: dict[int, dict[str, Any]] = {
        n.pk: {"node": n, "count": 0, "children": []} for n in nodes
    }
    roots: list[dict[str, Any]] = []
    for n in nodes:
        item = items[n.pk]
        if n.parent_id in items:
            items[n.parent_id]["children"].append(item)
        else:
            roots.append(item)
    for n in nodes:
        count = direct.get(n.pk, 0)
        for part in n.path.strip("/").split("/"):
            ancestor = items.get(int(part))
            if ancestor is not None:
                ancestor["count"] += count
    return roots


def child_nodes(node: OrgNode) -> QuerySet[OrgNode]:
    return node.children.order_by("code")


def access_import(user: Any, import_id: Any) -> PeopleImport:
    """An upload is its uploader's alone: anyone else gets the same 404 as for no upload."""
    try:
        return PeopleImport.objects.get(pk=int(import_id), created_by_id=user.pk)
    except (PeopleImport.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def transfer_requests(user: Any) -> QuerySet[TransferRequest]:
    """Pending requests the user may decide: people.change on the person's unit and the target."""
    paths = scope.paths_with(user, Cap.PEOPLE_CHANGE)
    return (
        TransferRequest.objects.filter(status=TransferRequest.Status.PENDING)
        .filter(scope.subtree_q(paths, prefix="person__unit__"))
        .filter(scope.subtree_q(paths, prefix="to_unit__"))
        .select_related("person", "person__unit", "to_unit", "requested_by")
        .order_by("requested_at", "id")
    )


def access_transfer_request(user: Any, request_id: Any) -> TransferRequest:
    try:
        return transfer_requests(user).get(pk=int(request_id))
    except (TransferRequest.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
