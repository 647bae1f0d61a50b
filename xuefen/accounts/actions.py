"""State changes of accounts and roles. Each runs in one transaction and writes its audit record."""

import datetime as dt
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import password_validation
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from xuefen.accounts import scope, throttle
from xuefen.accounts.errors import Code
from xuefen.accounts.models import ActivationLetter, GrantProposal, RoleGrant, User
from xuefen.accounts.roles import CAPABILITIES, Cap, Role, decides_credits
from xuefen.audit.actions import record
from xuefen.audit.models import AuditEvent
from xuefen.core.actors import SYSTEM, Actor, is_system, person_acting, user_of
from xuefen.core.errors import CodedError, PermissionDenied
from xuefen.orgs import idnumber
from xuefen.orgs.models import OrgNode, Person

A = AuditEvent.Action


def _require_manages_node(actor: Actor, node: OrgNode) -> None:
    """The actor needs users.manage on the node (the system, at bootstrap and in the demo, may)."""
    if not scope.may(actor, Cap.USERS_MANAGE, node):
        raise PermissionDenied(Code.FORBIDDEN, _("You may not manage accounts on this unit."))


def _require_manages_user(actor: Actor, user: User) -> None:
    if not is_system(actor) and not scope.users(actor).filter(pk=user.pk).exists():
        raise PermissionDenied(Code.FORBIDDEN, _("You may not manage this account."))


def _is_self(actor: Actor, user: User) -> bool:
    """The account is the actor's own, or belongs to the actor's own person (another account of
    the same human being)."""
    acting = user_of(actor)
    if acting is None:
        return False
    if acting.pk == user.pk:
        return True
    return acting.person_id is not None and acting.person_id == user.person_id


def _require_not_self(actor: Actor, user: User) -> None:
    if _is_self(actor, user):
        raise PermissionDenied(
            Code.OWN_ACCOUNT,
            _("Ask another administrator: you may not do this to your own account."),
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
            Code.SEPARATION_OF_DUTIES,
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
    actor: Actor,
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
    actor: Actor,
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
            Code.USERNAME_IS_ID_NUMBER,
            _("A username may not be an ID number: usernames are shown where ID numbers are not."),
            field="username",
        )
    if User.objects.filter(username__iexact=username).exists():
        raise CodedError(
            Code.USERNAME_TAKEN, _("This username is already taken."), field="username"
        )
    user = create_user(
        actor, username, password=password, first_name=display_name, must_change_password=True
    )
    grant_role(actor, user, role, node)
    return user


@transaction.atomic
def grant_role(actor: Actor, user: User, role: str, node: OrgNode) -> RoleGrant | GrantProposal:
    """Grants `role` on `node` (and so its subtree). Idempotent: returns an existing grant as is.

    A role that decides credits (credit office, unit checker) is only proposed when a person grants
    it: the GrantProposal returned waits for someone holding the credit office role over the node
    (`confirm_grant`). The system (bootstrap, demo) grants directly.

    Refuses (CodedError) a grant to the actor's own account or person, a node outside the actor's
    scope, and a system administrator who would also approve credits.
    """
    if role not in Role.values:
        raise CodedError(Code.UNKNOWN_ROLE, _("Unknown role."), field="role")
    _require_manages_node(actor, node)
    _require_not_self(actor, user)
    _check_separation(user, role)
    if not is_system(actor) and decides_credits(role):
        if RoleGrant.objects.filter(user=user, role=role, node=node).exists():
            return RoleGrant.objects.get(user=user, role=role, node=node)
        return _propose(actor, user, role, node)
    return _grant(actor, user, role, node)


def _grant(actor: Actor, user: User, role: str, node: OrgNode) -> RoleGrant:
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


def _propose(actor: Actor, user: User, role: str, node: OrgNode) -> GrantProposal:
    proposal = GrantProposal.objects.filter(
        user=user, role=role, node=node, status=GrantProposal.Status.PENDING
    ).first()
    if proposal is not None:
        return proposal
    proposal = GrantProposal.objects.create(
        user=user, role=role, node=node, proposed_by=person_acting(actor)
    )
    record(
        actor,
        A.SUBMIT,
        proposal,
        changes={"role": [None, role], "node": [None, node.code], "user": [None, user.username]},
        node_path=node.path,
    )
    return proposal


def _require_may_confirm(actor: Actor, proposal: GrantProposal) -> None:
    """The second pair of eyes: someone holding the credit office role over the node, who neither
    proposed it nor would receive it (under any of their accounts)."""
    user = user_of(actor)
    if user is None or not scope.may(user, Cap.CREDITS_APPROVE, proposal.node):
        raise PermissionDenied(
            Code.FORBIDDEN, _("Only the credit office over this node confirms this role.")
        )
    if user.pk == proposal.proposed_by_id or _is_self(actor, proposal.user):
        raise PermissionDenied(
            Code.FOUR_EYES,
            _("Someone other than the proposer and the account's holder must confirm this role."),
        )


@transaction.atomic
def confirm_grant(actor: Actor, proposal: GrantProposal) -> RoleGrant:
    """Grants a proposed role (see grant_role): the proposal is confirmed and both are audited."""
    locked = GrantProposal.objects.select_for_update().get(pk=proposal.pk)
    _require_may_confirm(actor, locked)
    if locked.status != GrantProposal.Status.PENDING:
        raise CodedError(Code.ALREADY_DECIDED, _("This proposal has already been decided."))
    _check_separation(locked.user, locked.role)
    locked.status = GrantProposal.Status.CONFIRMED
    locked.decided_by = person_acting(actor)
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
def decline_grant(actor: Actor, proposal: GrantProposal) -> None:
    locked = GrantProposal.objects.select_for_update().get(pk=proposal.pk)
    _require_may_confirm(actor, locked)
    if locked.status != GrantProposal.Status.PENDING:
        raise CodedError(Code.ALREADY_DECIDED, _("This proposal has already been decided."))
    locked.status = GrantProposal.Status.DECLINED
    locked.decided_by = person_acting(actor)
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
def revoke_role(actor: Actor, grant: RoleGrant) -> None:
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
def set_active(actor: Actor, user: User, active: bool) -> None:
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
def change_password(actor: Actor, user: User, new_password: str) -> None:
    """Sets a new password chosen by the user; clears the forced-change flag and any wait."""
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    throttle.clear(throttle.account_keys(user))
    record(actor, A.PASSWORD, user, node_path=_user_node_path(user))


@transaction.atomic
def reset_password(actor: Actor, user: User, new_password: str) -> None:
    """An administrator sets a temporary password; the user must change it at next login."""
    _require_manages_user(actor, user)
    _require_not_self(actor, user)
    user.set_password(new_password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    throttle.clear(throttle.account_keys(user))
    record(
        actor,
        A.PASSWORD,
        user,
        changes={"reset_by_admin": [None, True]},
        node_path=_user_node_path(user),
    )


def waiting_until(user: User) -> dt.datetime | None:
    """Until when tries for this account (by its username or ID number) must wait, if they must."""
    return throttle.waiting_until(throttle.account_keys(user))


@transaction.atomic
def unlock_user(actor: Actor, user: User) -> None:
    """Forgets the failed tries made for this account, so that it need not wait."""
    _require_manages_user(actor, user)
    before = waiting_until(user)
    throttle.clear(throttle.account_keys(user))
    record(
        actor,
        A.UPDATE,
        user,
        changes={"waiting_until": [before.isoformat() if before else None, None]},
        node_path=_user_node_path(user),
    )


def record_login(user: User) -> None:
    with transaction.atomic():
        record(user, A.LOGIN, user, node_path=_user_node_path(user))


def shown_identity(typed: str) -> str:
    """What the trail keeps of a name typed at a failed try: an ID number masked."""
    typed = typed.strip()[:150]
    return idnumber.mask(typed.upper()) if looks_like_id_number(typed) else typed


def record_failed_login(typed: str, account: User | None, until: dt.datetime | None) -> None:
    """Audits a failed try (counted by accounts.throttle): against the account it named, if
    any, else under the name typed (an ID number masked). `until` notes that the try was made to
    wait."""
    changes = {"waiting_until": [None, until.isoformat()]} if until else {}
    with transaction.atomic():
        if account is None:
            record(
                SYSTEM,
                A.LOGIN_FAILED,
                object_type="accounts.user",
                object_repr=shown_identity(typed),
                changes=changes,
            )
        else:
            record(
                SYSTEM, A.LOGIN_FAILED, account, changes=changes, node_path=_user_node_path(account)
            )


# ---------------------------------------------------------------------- activation letters

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud and typed by hand
CODE_LENGTH = 12
MAX_LETTERS = 500


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text: str) -> str:
    return "".join(c for c in text.upper() if c.isalnum())


def format_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def code_hash(code: str) -> str:
    return salted_hmac(
        "xuefen.accounts.activation", normalize_code(code), algorithm="sha256"
    ).hexdigest()


@dataclass(frozen=True)
class IssuedLetter:
    person: Person
    code: str
    expires_at: dt.datetime
    has_account: bool


def issue_activation_letters(actor: Actor, people: list[Person]) -> list[IssuedLetter]:
    """Issues a letter with a fresh one-time code to each person (at most MAX_LETTERS at once),
    superseding their earlier letters. The codes are returned to be printed now: only a keyed
    hash of each is stored. The actor needs accounts.activate on each person's unit and may not
    issue one for their own person; a person who has left gets none."""
    if len(people) > MAX_LETTERS:
        raise CodedError(
            Code.TOO_MANY_LETTERS,
            _("At most %(max)d letters at once; choose a unit or fewer people.")
            % {"max": MAX_LETTERS},
        )
    issuer = person_acting(actor)
    now = timezone.now()
    expires = now + dt.timedelta(days=settings.ACTIVATION_DAYS)
    issued = []
    with transaction.atomic():
        for person in people:
            if not scope.may(actor, Cap.ACCOUNTS_ACTIVATE, person.unit):
                raise PermissionDenied(
                    Code.FORBIDDEN, _("You may not issue letters for people of this unit.")
                )
            if issuer.person_id == person.pk:
                raise PermissionDenied(
                    Code.OWN_PERSON, _("Another administrator must issue your own letter.")
                )
            if person.status == Person.Status.LEFT:
                raise CodedError(
                    Code.PERSON_LEFT,
                    _("%(name)s has left; a person who has left gets no letter.")
                    % {"name": person.name},
                )
            ActivationLetter.objects.filter(
                person=person, used_at__isnull=True, revoked_at__isnull=True
            ).update(revoked_at=now)
            code = new_code()
            letter = ActivationLetter.objects.create(
                person=person, code_hash=code_hash(code), issued_by=issuer, expires_at=expires
            )
            has_account = User.objects.filter(person=person).exists()
            record(
                actor,
                A.CREATE,
                letter,
                object_repr=f"{person.name} {letter.issued_at:%Y-%m-%d}",
                changes={
                    "expires_at": [None, expires.isoformat()],
                    "recovery": [None, has_account],
                },
                node_path=person.unit.path,
                person_id=person.pk,
            )
            issued.append(IssuedLetter(person, code, expires, has_account))
    return issued


def _letter_for(typed_id: str, code: str) -> ActivationLetter | None:
    number = idnumber.normalize(typed_id)
    letter = (
        ActivationLetter.objects.select_related("person", "person__unit")
        .filter(person__id_number=number, used_at__isnull=True, revoked_at__isnull=True)
        .exclude(person__status=Person.Status.LEFT)
        .filter(expires_at__gt=timezone.now())
        .order_by("-issued_at")
        .first()
    )
    if letter is None or not hmac.compare_digest(letter.code_hash, code_hash(code)):
        return None
    return letter


def activate_account(typed_id: str, code: str, password: str) -> User | None:
    """Claims the account of the person holding `typed_id` with the code of their letter, and
    sets the password (Django's validators apply, ValidationError). None, and nothing written,
    if the ID number and code do not match a usable letter (the caller counts the failure).
    The account is made if the person has none; its username is generated, never the ID number.
    The letter is spent."""
    letter = _letter_for(typed_id, code)
    if letter is None:
        User().set_password(password)  # the same work whichever part was wrong
        return None
    person = letter.person
    with transaction.atomic():
        locked = ActivationLetter.objects.select_for_update().get(pk=letter.pk)
        if not locked.is_usable:
            return None
        user = User.objects.filter(person=person).first()
        password_validation.validate_password(password, user or User(first_name=person.name))
        created = user is None
        if user is None:
            user = create_user(
                SYSTEM,
                _generated_username(),
                password=None,
                first_name=person.name,
                person=person,
                must_change_password=False,
            )
        user.set_password(password)
        user.must_change_password = False
        user.is_active = True if created else user.is_active
        user.save(update_fields=["password", "must_change_password", "is_active"])
        locked.used_at = timezone.now()
        locked.save(update_fields=["used_at"])
        record(
            user,
            A.PASSWORD,
            user,
            changes={"activated_with_letter": [None, locked.pk], "created": [None, created]},
            node_path=person.unit.path,
            person_id=person.pk,
        )
    throttle.clear(throttle.account_keys(user))
    return user


def _generated_username() -> str:
    while True:
        name = "xf" + secrets.token_hex(4)
        if not User.objects.filter(username=name).exists():
            return name
