"""Reads of closing a year, each scoped through `accounts.scope`.

A public notice is read by everyone in its scope: whoever belongs to the node it is published for
(a learner by their unit) or holds a role on that node, inside it or above it. That is the point of
a 公示 — a unit's people see each other's results — so the notice shows only what a notice may:
names, masked ID numbers, units, categories, credits and grades; never a full ID number.
"""

from collections.abc import Iterable
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404

from xuefen.accounts import scope
from xuefen.accounts.roles import Cap
from xuefen.closing.guard import _prefixes
from xuefen.closing.models import FixedGrade, Notice, Objection, PeriodClose
from xuefen.ledger.models import Entry
from xuefen.orgs.models import OrgNode, Person


def _reach_q(paths: Iterable[str], prefix: str) -> Q:
    """Nodes (through `prefix`) inside one of `paths` or above one of them."""
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{prefix}path__startswith": path}) | Q(**{f"{prefix}path__in": _prefixes(path)})
    return q


def _own_paths(user: Any) -> list[str]:
    """The nodes the user stands on: each grant's node, and a learner's unit."""
    paths = [path for _role, path in scope._grant_paths(user)]
    person_id = getattr(user, "person_id", None)
    if person_id is not None:
        unit_path = Person.objects.filter(pk=person_id).values_list("unit__path", flat=True).first()
        if unit_path:
            paths.append(unit_path)
    return paths


def notices_for(user: Any) -> QuerySet[Notice]:
    """Notices the user may read: published for a node they belong to or hold a role inside or
    above. A learner: the notices of their unit and every node above it."""
    paths = _own_paths(user)
    if not paths:
        return Notice.objects.none()
    q = reduce(or_, (Q(node__path__in=_prefixes(p)) for p in paths))
    roles = [p for _r, p in scope._grant_paths(user)]
    if roles:
        q |= reduce(or_, (Q(node__path__startswith=p) for p in roles))
    return Notice.objects.filter(q).select_related("node", "close__region")


def access_notice(user: Any, notice_id: Any) -> Notice:
    try:
        return notices_for(user).get(pk=int(notice_id))
    except (Notice.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def on_notice(notice: Notice) -> QuerySet[FixedGrade]:
    """The fixed grades a notice lists: those of its close in its node's subtree."""
    return FixedGrade.objects.filter(close=notice.close, unit__path__startswith=notice.node.path)


def notice_lines(notice: Notice, search: str = "") -> QuerySet[FixedGrade]:
    lines = (
        on_notice(notice).select_related("person", "unit").order_by("unit__path", "person__name")
    )
    if search.strip():
        lines = lines.filter(person__name__icontains=search.strip())
    return lines


def notice_person(user: Any, notice_id: Any, person_id: Any) -> tuple[Notice, FixedGrade]:
    """The notice and the person's line on it; the same 404 for an unknown notice or person and
    for one the user may not read."""
    notice = access_notice(user, notice_id)
    try:
        line = (
            on_notice(notice).select_related("person__unit", "unit").get(person_id=int(person_id))
        )
    except (FixedGrade.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    return notice, line


def credits_on_notice(notice: Notice, person: Person) -> list[Entry]:
    """The person's credits of the period that still stand, as the notice lists them."""
    return list(
        Entry.objects.filter(
            person=person,
            period=notice.close.period,
            reverses__isnull=True,
            reversals__isnull=True,
        ).order_by("last_day", "seq")
    )


def approved_claims(notice: Notice, person: Person) -> list[Any]:
    """The person's claims of the period the office approved (where the notice lists claims)."""
    if not notice.include_claims:
        return []
    from xuefen.claims.models import Claim

    return list(
        Claim.objects.filter(
            person=person, period=notice.close.period, status="credited"
        ).select_related("claim_type")
    )


def objections_to_decide(user: Any) -> QuerySet[Objection]:
    """Open objections about people on whose unit the user is the credit office."""
    return scope.filter_by_person(
        user, Objection.objects.filter(status=Objection.Status.OPEN), Cap.CREDITS_APPROVE
    ).select_related("person__unit", "entry", "notice", "raised_by")


def objections_of(user: Any, notice: Notice) -> QuerySet[Objection]:
    """The notice's objections the user may see: the office's (of its people) and their own."""
    office = scope.filter_by_person(
        user, Objection.objects.filter(notice=notice), Cap.CREDITS_APPROVE
    )
    mine = Objection.objects.filter(notice=notice, raised_by=user)
    return (office | mine).select_related("person", "entry", "reversal").order_by("raised_at")


def access_objection(user: Any, objection_id: Any) -> Objection:
    """An objection the user may decide (office) or raised; 404 otherwise."""
    try:
        pk = int(objection_id)
    except (ValueError, TypeError):
        raise Http404 from None
    office = scope.filter_by_person(user, Objection.objects.all(), Cap.CREDITS_APPROVE)
    mine = Objection.objects.filter(raised_by=user) if user.is_authenticated else office.none()
    found = (
        (office | mine)
        .select_related("person__unit", "entry", "notice__close__region", "reversal", "raised_by")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


# --- closes and results notices ------------------------------------------------------------------


def closes_for(user: Any) -> QuerySet[PeriodClose]:
    """Closes of regions the user reads reports on as a whole (the office, the auditor)."""
    return scope.filter_by_node(
        user, PeriodClose.objects.all(), Cap.REPORTS_VIEW, prefix="region__"
    ).select_related("region")


def closes_reaching(user: Any) -> QuerySet[PeriodClose]:
    """Closes of regions holding a node the user reads reports on (a unit administrator's unit
    lies in a closed region: its results notice is theirs to download)."""
    paths = scope.paths_with(user, Cap.REPORTS_VIEW)
    return PeriodClose.objects.filter(_reach_q(paths, "region__")).select_related("region")


def access_close(user: Any, close_id: Any) -> PeriodClose:
    try:
        return closes_for(user).get(pk=int(close_id))
    except (PeriodClose.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def results_nodes(user: Any, close: PeriodClose) -> QuerySet[OrgNode]:
    """Units of the close's region whose results notice the user may read."""
    return (
        scope.nodes(user, Cap.REPORTS_VIEW)
        .filter(path__startswith=close.region.path, kind=OrgNode.Kind.UNIT)
        .order_by("path")
    )


def access_results(user: Any, close_id: Any, node_id: Any) -> tuple[PeriodClose, OrgNode]:
    """The close and the node of a results notice the user may read; 404 otherwise."""
    try:
        close = closes_reaching(user).get(pk=int(close_id))
    except (PeriodClose.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    return close, access_results_node(user, close, node_id)


def access_results_node(user: Any, close: PeriodClose, node_id: Any) -> OrgNode:
    node = scope.access_node(user, node_id, Cap.REPORTS_VIEW)
    if not node.path.startswith(close.region.path):
        raise Http404
    return node


def _units_under(node: OrgNode) -> Any:
    """The node itself when it is a unit, else the units below it (a subquery): fixed grades
    are found through their (close, unit) index, not by matching every row's path."""
    if node.kind == OrgNode.Kind.UNIT:
        return [node.pk]
    return OrgNode.objects.filter(path__startswith=node.path).values("pk")


def unit_lines(close: PeriodClose, node: OrgNode) -> QuerySet[FixedGrade]:
    return (
        FixedGrade.objects.filter(close=close, unit__in=_units_under(node))
        .select_related("person", "unit")
        .order_by("unit__path", "person__name", "person_id")
    )


def grade_counts(close: PeriodClose, node: OrgNode | None = None) -> list[Any]:
    """[{unit, status, grade, ruleset, people, earned}] of the close (a node's subtree): one
    GROUP BY."""
    rows = FixedGrade.objects.filter(close=close)
    if node is not None and node.pk != close.region_id:
        rows = rows.filter(unit__in=_units_under(node))
    return list(
        rows.values("unit_id", "status", "grade", "ruleset")
        .annotate(people=Count("person"), earned=Sum("earned"))
        .order_by("unit_id", "status", "grade", "ruleset")
    )
