"""The one door for scoped reads: turns a user into the org nodes, people and records they may see
or change.

Every view, API call, export and admin action that reads people or credits goes through here. The
fetch-and-authorize helpers (`access_person`, `access_node`, `access_user`) raise the same Http404
for "does not exist" and "not yours", so an outsider learns nothing. Anything that must bypass
scope is named `unscoped_*`.
"""

from functools import reduce
from operator import or_
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.http import Http404

from xuefen.accounts.roles import CAPABILITIES, Cap
from xuefen.core.actors import Actor, is_system, is_token
from xuefen.orgs.models import OrgNode, Person

if TYPE_CHECKING:
    from xuefen.accounts.models import User

# A learner may always see their own person and credits, claim and print their own certificate
# (its content is the ledger's, computed; printing it decides nothing).
SELF_CAPABILITIES = frozenset(
    {Cap.PEOPLE_VIEW, Cap.CREDITS_VIEW, Cap.CLAIMS_SUBMIT, Cap.CERTIFICATES_ISSUE}
)


def _grant_paths(user: Any) -> list[tuple[str, str]]:
    """(role, node path) for each of the user's grants, cached on the user object."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_xuefen_grant_paths", None)
    if cached is None:
        cached = list(user.grants.values_list("role", "node__path"))
        user._xuefen_grant_paths = cached
    return cached


def grants_key(user: Any) -> tuple[Any, ...]:
    """What decides what a user may see and do (their grants, whether they are a learner and
    whether they are a superuser): equal keys, equal menus and equal scoped pages."""
    return (
        tuple(sorted(_grant_paths(user))),
        getattr(user, "person_id", None) is not None,
        bool(getattr(user, "is_superuser", False)),
    )


def paths_with(user: "User | Any", capability: str) -> list[str]:
    """The subtree roots (as paths) on which the user holds `capability`, outermost only."""
    paths = sorted(
        {path for role, path in _grant_paths(user) if capability in CAPABILITIES.get(role, ())}
    )
    roots: list[str] = []
    for path in paths:
        if not any(path.startswith(root) for root in roots):
            roots.append(path)
    return roots


def subtree_q(paths: list[str], prefix: str = "") -> Q:
    """Q over OrgNode (through `prefix`) matching any of the subtrees; nothing for no paths."""
    if not paths:
        return Q(pk__in=[])
    return reduce(or_, (Q(**{f"{prefix}path__startswith": p}) for p in paths))


def has_capability(user: "User | Any", capability: str, node: OrgNode | None = None) -> bool:
    """True if the user holds `capability` anywhere (node=None) or on a subtree holding `node`."""
    paths = paths_with(user, capability)
    if node is None:
        return bool(paths) or (
            capability in SELF_CAPABILITIES and getattr(user, "person_id", None) is not None
        )
    return any(node.path.startswith(p) for p in paths)


def may(actor: Actor, capability: str, node: OrgNode | None = None) -> bool:
    """What an action asks before it acts: the system may do anything an action allows; a user
    what their grants give (`has_capability`); an API token what its scopes give."""
    if is_system(actor):
        return True
    if is_token(actor):
        return actor.may(capability, node)
    return has_capability(actor, capability, node)


def nodes(user: "User | Any", capability: str = Cap.ORGS_VIEW) -> QuerySet[OrgNode]:
    return OrgNode.objects.filter(subtree_q(paths_with(user, capability)))


def people(user: "User | Any", capability: str = Cap.PEOPLE_VIEW) -> QuerySet[Person]:
    """People the user may see (or change, with capability=people.change).

    A learner sees only themself, and only for self-capabilities.
    """
    q = subtree_q(paths_with(user, capability), prefix="unit__")
    person_id = getattr(user, "person_id", None)
    if person_id is not None and capability in SELF_CAPABILITIES:
        q |= Q(pk=person_id)
    return Person.objects.filter(q)


def filter_by_person(
    user: "User | Any", queryset: QuerySet[Any], capability: str = Cap.CREDITS_VIEW
) -> QuerySet[Any]:
    """Scopes a per-person queryset (with a `person` relation) to the people the user may see."""
    q = subtree_q(paths_with(user, capability), prefix="person__unit__")
    person_id = getattr(user, "person_id", None)
    if person_id is not None and capability in SELF_CAPABILITIES:
        q |= Q(person_id=person_id)
    return queryset.filter(q)


def filter_by_node(
    user: "User | Any", queryset: QuerySet[Any], capability: str, prefix: str = "node__"
) -> QuerySet[Any]:
    """Scopes a queryset with a relation to OrgNode (named by `prefix`) to the user's subtrees."""
    return queryset.filter(subtree_q(paths_with(user, capability), prefix=prefix))


def access_person(user: "User | Any", person_id: Any, capability: str = Cap.PEOPLE_VIEW) -> Person:
    """The person, if the user may see (or, by capability, change) them; Http404 otherwise."""
    own = _own_person(user)
    if own is not None and capability in SELF_CAPABILITIES and str(own.pk) == str(person_id):
        return own  # read with the user (accounts.middleware), unit and all
    try:
        return people(user, capability).select_related("unit").get(pk=int(person_id))
    except (Person.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def _own_person(user: Any) -> Person | None:
    """The user's own person with its unit, when already read with the user; None otherwise."""
    state = getattr(user, "_state", None)
    person = state.fields_cache.get("person") if state is not None else None
    if person is None or "unit" not in person._state.fields_cache:
        return None
    return person if isinstance(person, Person) else None


def access_node(user: "User | Any", node_id: Any, capability: str = Cap.ORGS_VIEW) -> OrgNode:
    try:
        return nodes(user, capability).get(pk=int(node_id))
    except (OrgNode.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def require(user: "User | Any", capability: str, node: OrgNode | None = None) -> None:
    """Http404 unless the user holds the capability (on node, if given)."""
    if not has_capability(user, capability, node):
        raise Http404


def users(user: "User | Any") -> "QuerySet[User]":
    """Accounts the user may manage (users.manage): those holding a grant, or linked to a person,
    inside the manager's subtrees. Superusers (the deployer's accounts) are not managed here."""
    from xuefen.accounts.models import User

    paths = paths_with(user, Cap.USERS_MANAGE)
    if not paths:
        return User.objects.none()
    in_scope = (
        subtree_q(paths, prefix="grants__node__")
        | subtree_q(paths, prefix="person__unit__")
        | subtree_q(paths, prefix="grant_proposals__node__")
    )
    ids = User.objects.filter(in_scope).values("pk")
    return User.objects.filter(pk__in=ids, is_superuser=False)


def access_user(user: "User | Any", user_id: Any) -> "User":
    """The account, if the user may manage it; Http404 otherwise."""
    from xuefen.accounts.models import User

    try:
        return users(user).get(pk=int(user_id))
    except (User.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def grant_proposals(user: "User | Any") -> "QuerySet[Any]":
    """Pending proposals of roles that decide credits, on nodes where the user holds the credit
    office role (the only ones who may confirm them)."""
    from xuefen.accounts.models import GrantProposal

    return GrantProposal.objects.filter(
        subtree_q(paths_with(user, Cap.CREDITS_APPROVE), prefix="node__"),
        status=GrantProposal.Status.PENDING,
    )


def access_grant_proposal(user: "User | Any", proposal_id: Any) -> Any:
    from xuefen.accounts.models import GrantProposal

    try:
        return (
            grant_proposals(user)
            .select_related("user", "node", "proposed_by")
            .get(pk=int(proposal_id))
        )
    except (GrantProposal.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def _is_root(path: str) -> bool:
    return path.count("/") == 2  # "/<id>/"


# Reading the trail (audit.view) shows what happened on a subtree; an event about a person's
# credits, a person or a provider's data is shown only to those who may also read that: the system
# administrator reads who changed accounts and units, never a credit posting.
AUDIT_READS: tuple[tuple[str, str], ...] = (
    ("ledger.", Cap.CREDITS_VIEW),
    ("claims.", Cap.CREDITS_VIEW),
    ("reports.", Cap.CREDITS_VIEW),
    ("policy.exemption", Cap.CREDITS_VIEW),
    ("intake.", Cap.INTAKE_VIEW),
    ("training.", Cap.CREDITS_VIEW),  # rosters, attendance, results of people
    ("exams.", Cap.CREDITS_VIEW),  # candidates, photos, attempts and grades of people
    ("api.", Cap.INTAKE_VIEW),
    ("closing.", Cap.CREDITS_VIEW),  # closes, notices and objections about people
    ("orgs.person", Cap.PEOPLE_VIEW),
    ("orgs.transfer", Cap.PEOPLE_VIEW),
    ("orgs.peopleimport", Cap.PEOPLE_VIEW),
)


def _trail_q(paths: list[str]) -> Q:
    """Events filed under one of the subtrees; events tied to no node (a failed log-in under an
    unknown name, system jobs) only for a grant on a root node (the trail of a whole tree)."""
    if not paths:
        return Q(pk__in=[])
    q = reduce(or_, (Q(node_path__startswith=p) for p in paths))
    if any(_is_root(p) for p in paths):
        q |= Q(node_path="")
    return q


def filter_audit(user: "User | Any", queryset: QuerySet[Any]) -> QuerySet[Any]:
    """Scopes audit events (audit.view) by their node_path to the user's subtrees, and, by their
    object type (AUDIT_READS), to what the user may read there."""
    paths = paths_with(user, Cap.AUDIT_VIEW)
    if not paths:
        return queryset.none()
    q = _trail_q(paths)
    for prefix, capability in AUDIT_READS:
        q &= ~Q(object_type__startswith=prefix) | _trail_q(paths_with(user, capability))
    return queryset.filter(q)


def providers(user: "User | Any", capability: str = Cap.INTAKE_VIEW) -> "QuerySet[Any]":
    """Providers (intake) the user may act for or oversee with `capability`: those whose node lies
    in one of the user's subtrees. Provider staff are granted on the provider's node (or above); the
    credit office, granted on the region, sees every provider of its region."""
    from xuefen.intake.models import Provider

    return Provider.objects.filter(subtree_q(paths_with(user, capability), prefix="node__"))


def people_served_by(provider: Any) -> QuerySet[Person]:
    """The people a provider may report credits for or read (its `serves` subtree). A provider's
    API token and its rosters see people only through here; anyone else is treated as unknown."""
    return Person.objects.filter(subtree_q([provider.serves.path], prefix="unit__"))


def access_provider(user: "User | Any", provider_id: Any, capability: str = Cap.INTAKE_VIEW) -> Any:
    """The provider, if the user holds `capability` on its node; Http404 otherwise."""
    from xuefen.intake.models import Provider

    try:
        return providers(user, capability).select_related("node", "serves").get(pk=int(provider_id))
    except (Provider.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
