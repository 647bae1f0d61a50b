"""State changes of accounts and roles. Each runs in one transaction and writes its audit record."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xuefen.accounts import scope
from xuefen.accounts.models import GrantProposal, RoleGrant, User
from xuefen.accounts.roles import CAPABILITIES, Cap, Role, decides_credits
from xuefen.audit.actions import record
from xuefen.audit.models import AuditEvent
from xuefen.core.errors import CodedError, PermissionDenied
from xuefen.orgs.models import OrgNode, Person

A = AuditEvent.Action


def _require_manages_node(actor: Any, node: OrgNode) -> None:
    """A None actor is the system (CLI, demo); anyone else needs users.manage on the node."""
    if actor is not None and not scope.has_capability(actor, Cap.USERS_MANAGE, node):
        raise PermissionDenied("forbidden", _("You may not manage accounts on this unit."))


def _require_manages_user(actor: Any, user: User) -> None:
    if actor is not None and not scope.users(actor).filter(pk=user.pk).exists():
        raise PermissionDenied("forbidden", _("You may not manage this account."))


def _is_self(actor: Any, user: User) -> bool:
    """The account is the actor's own, or belongs to the actor's own person (another account of
    the same human being)."""
    if actor is None:
        return False
    if getattr(actor, "pk", None) == user.pk:
        return True
    own_person = getattr(actor, "person_id", None)
    return own_person is not None and own_person == user.person_id


def _require_not_self(actor: Any, user: User) -> None:
    if _is_self(actor, user):
        raise PermissionDenied(
            "own_account", _("Ask another administrator: you may not do this to your own account.")
        )


def _approves(role: str) -> bool:
    return Cap.CREDITS_APPROVE in CAPABILITIES.get(role, frozenset())


def _check_separation(user: User, role: str) -> None:
    """A system administrator never approves credits: the two never meet on one account."""
    held = set(user.grants.values_list("role", flat=True))
    if (role == Role.SYSADMIN and any(_approves(r) for r in held)) or (
        _approves(role) and Role.SYSADMIN in held
    ):
        raise CodedError(
            "separation_of_duties",
            _("A system administrator may not also approve credits."),
            field="role",
        )


def looks_like_id_number(text: str) -> bool:
    text = text.strip()
    return len(text) == 18 and text[:17].isdigit() and (text[17].isdigit() or text[17] in "xX")


def _user_node_path(user: User) -> str:
    if user.person_id is not None:
        return Person.objects.filter(pk=user.person_id).values_list("unit__path", flat=True).get()
    first = user.grants.select_related("node").order_by("node__path").first()
    return first.node.path if first else ""


@transaction.atomic
def create_user(
    actor: Any,
    username: str,
    *,
    password: str | None,
    first_name: str = "",
    person: Person | None = None,
    must_change_password: bool = True,
) -> User:
    """Creates an account. A None password leaves it unusable until an administrator sets one."""
    user = User(
        username=username,
        first_name=first_name,
        person=person,
        must_change_password=must_change_password,
    )
    user.set_password(password) if password else user.set_unusable_password()
    user.save()
    record(
        actor,
        A.CREATE,
        user,
        changes={"username": [None, username]},
        node_path=person.unit.path if person else "",
        person_id=person.pk if person else None,
    )
    return user


@transaction.atomic
def create_staff_user(
    actor: Any,
    username: str,
    *,
    display_name: str,
    password: str,
    role: str,
    node: OrgNode,
) -> User:
    """Creates a staff account with a temporary password (to be changed at first log-in) and its
    first role, together: an account without a grant would fall outside every manager's scope."""
    _require_manages_node(actor, node)
    username = username.strip()
    if looks_like_id_number(username):
        raise CodedError(
            "username_is_id_number",
            _("A username may not be an ID number: usernames are shown where ID numbers are not."),
            field="username",
        )
    if User.objects.filter(username__iexact=username).exists():
        raise CodedError("username_taken", _("This username is already taken."), field="username")
    user = create_user(
        actor, username, password=password, first_name=display_name, must_change_password=True
    )
    grant_role(actor, user, role, node)
    return user


@transaction.atomic
def grant_role(actor: Any, user: User, role: str, node: OrgNode) -> RoleGrant | GrantProposal:
    """Grants `role` on `node` (and so its subtree). Idempotent: returns an existing grant as is.

    A role that decides credits (credit office, unit checker) is only proposed when a person grants
    it: the GrantProposal returned waits for someone holding the credit office role over the node
    (`confirm_grant`). The system (actor None: bootstrap, demo) grants directly.

    Refuses (CodedError) a grant to the actor's own account or person, a node outside the actor's
    scope, and a system administrator who would also approve credits.
    """
    if role not in Role.values:
        raise CodedError("unknown_role", _("Unknown role."), field="role")
    _require_manages_node(actor, node)
    _require_not_self(actor, user)
    _check_separation(user, role)
    if actor is not None and decides_credits(role):
        if RoleGrant.objects.filter(user=user, role=role, node=node).exists():
            return RoleGrant.objects.get(user=user, role=role, node=node)
        return _propose(actor, user, role, node)
    return _grant(actor, user, role, node)


def _grant(actor: Any, user: User, role: str, node: OrgNode) -> RoleGrant:
    grant, created = RoleGrant.objects.get_or_create(user=user, role=role, node=node)
    if created:
        record(
            actor,
            A.CREATE,
            grant,
            changes={"role": [None, role], "node": [None, node.code]},
            node_path=node.path,
        )
    return grant


def _propose(actor: Any, user: User, role: str, node: OrgNode) -> GrantProposal:
    proposal = GrantProposal.objects.filter(
        user=user, role=role, node=node, status=GrantProposal.Status.PENDING
    ).first()
    if proposal is not None:
        return proposal
    proposal = GrantProposal.objects.create(user=user, role=role, node=node, proposed_by=actor)
    record(
        actor,
        A.SUBMIT,
        proposal,
        changes={"role": [None, role], "node": [None, node.code], "user": [None, user.username]},
        node_path=node.path,
    )
    return proposal


def _require_may_confirm(actor: Any, proposal: GrantProposal) -> None:
    """The second pair of eyes: someone holding the credit office role over the node, who neither
    proposed it nor would receive it (under any of their accounts)."""
    if not scope.has_capability(actor, Cap.CREDITS_APPROVE, proposal.node):
        raise PermissionDenied(
            "forbidden", _("Only the credit office over this node confirms this role.")
        )
    if getattr(actor, "pk", None) == proposal.proposed_by_id or _is_self(actor, proposal.user):
        raise PermissionDenied(
            "four_eyes",
            _("Someone other than the proposer and the account's holder must confirm this role."),
        )


@transaction.atomic
def confirm_grant(actor: Any, proposal: GrantProposal) -> RoleGrant:
    """Grants a proposed role (see grant_role): the proposal is confirmed and both are audited."""
    locked = GrantProposal.objects.select_for_update().get(pk=proposal.pk)
    _require_may_confirm(actor, locked)
    if locked.status != GrantProposal.Status.PENDING:
        raise CodedError("already_decided", _("This proposal has already been decided."))
    _check_separation(locked.user, locked.role)
    locked.status = GrantProposal.Status.CONFIRMED
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    record(
        actor,
        A.APPROVE,
        locked,
        changes={"status": [GrantProposal.Status.PENDING, locked.status]},
        node_path=locked.node.path,
    )
    return _grant(actor, locked.user, locked.role, locked.node)


@transaction.atomic
def decline_grant(actor: Any, proposal: GrantProposal) -> None:
    locked = GrantProposal.objects.select_for_update().get(pk=proposal.pk)
    _require_may_confirm(actor, locked)
    if locked.status != GrantProposal.Status.PENDING:
        raise CodedError("already_decided", _("This proposal has already been decided."))
    locked.status = GrantProposal.Status.DECLINED
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    record(
        actor,
        A.REJECT,
        locked,
        changes={"status": [GrantProposal.Status.PENDING, locked.status]},
        node_path=locked.node.path,
    )


@transaction.atomic
def revoke_role(actor: Any, grant: RoleGrant) -> None:
    """Removes one grant; the actor must manage its node and may not revoke their own."""
    _require_manages_node(actor, grant.node)
    _require_not_self(actor, grant.user)
    record(
        actor,
        A.DELETE,
        grant,
        changes={"role": [grant.role, None], "node": [grant.node.code, None]},
        node_path=grant.node.path,
    )
    grant.delete()


@transaction.atomic
def set_active(actor: Any, user: User, active: bool) -> None:
    """Deactivates (no log-in, history kept) or reactivates an account. Not one's own."""
    _require_manages_user(actor, user)
    _require_not_self(actor, user)
    if user.is_active == active:
        return
    user.is_active = active
    user.save(update_fields=["is_active"])
    record(
        actor,
        A.UPDATE,
        user,
        changes={"is_active": [not active, active]},
        node_path=_user_node_path(user),
    )


@transaction.atomic
def change_password(actor: Any, user: User, new_password: str) -> None:
    """Sets a new password chosen by the user; clears the forced-change flag and any lock."""
    user.set_password(new_password)
    user.must_change_password = False
    user.failed_logins = 0
    user.locked_until = None
    user.save(update_fields=["password", "must_change_password", "failed_logins", "locked_until"])
    record(actor, A.PASSWORD, user, node_path=_user_node_path(user))


@transaction.atomic
def reset_password(actor: Any, user: User, new_password: str) -> None:
    """An administrator sets a temporary password; the user must change it at next login."""
    _require_manages_user(actor, user)
    _require_not_self(actor, user)
    user.set_password(new_password)
    user.must_change_password = True
    user.failed_logins = 0
    user.locked_until = None
    user.save(update_fields=["password", "must_change_password", "failed_logins", "locked_until"])
    record(
        actor,
        A.PASSWORD,
        user,
        changes={"reset_by_admin": [None, True]},
        node_path=_user_node_path(user),
    )


@transaction.atomic
def unlock_user(actor: Any, user: User) -> None:
    """Lifts a lock from failed log-ins before it runs out."""
    _require_manages_user(actor, user)
    before = user.locked_until
    user.locked_until = None
    user.failed_logins = 0
    user.save(update_fields=["locked_until", "failed_logins"])
    record(
        actor,
        A.UPDATE,
        user,
        changes={"locked_until": [before.isoformat() if before else None, None]},
        node_path=_user_node_path(user),
    )


def record_login(user: User) -> None:
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
        record(user, A.LOGIN, user, node_path=_user_node_path(user))


def record_failed_login(username: str) -> dt.datetime | None:
    """Counts a failed attempt against an existing account; locks it after LOCKOUT_ATTEMPTS.

    Returns the end of the lock if this attempt locked the account. Unknown usernames are audited
    but change nothing. An attempt on an account that is already locked is audited and not counted.
    """
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=username).first()
        if user is None:
            record(None, A.LOGIN_FAILED, object_type="accounts.user", object_repr=username[:150])
            return None
        if user.is_locked:
            record(
                None,
                A.LOGIN_FAILED,
                user,
                changes={"while_locked": [None, True]},
                node_path=_user_node_path(user),
            )
            return None
        User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
        user.refresh_from_db(fields=["failed_logins"])
        record(None, A.LOGIN_FAILED, user, node_path=_user_node_path(user))
        if user.failed_logins >= settings.LOCKOUT_ATTEMPTS:
            until = timezone.now() + dt.timedelta(minutes=settings.LOCKOUT_MINUTES)
            User.objects.filter(pk=user.pk).update(locked_until=until, failed_logins=0)
            record(
                None,
                A.LOCKED,
                user,
                changes={"locked_until": [None, until.isoformat()]},
                node_path=_user_node_path(user),
            )
            return until
        return None
