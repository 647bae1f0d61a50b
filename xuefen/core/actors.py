"""Who acts: a logged-in user, a provider's API token, or the system (the command line without
`--as`, the demo loader, `setup`). Never None: every action says whom it acts for, so its
capability check and its audit record cannot mistake a missing actor for the system.

Each kind carries `acts_as` ("user", "token", "system"), which is how code tells them apart at
run time without importing the apps above this one; `is_user`, `is_token` and `is_system` narrow
the type for mypy. What an actor may do is decided in one place, `accounts.scope.may`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Final, Literal, final

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from xuefen.core.errors import CoreCode
from xuefen.core.errors import PermissionDenied as CodedPermissionDenied

if TYPE_CHECKING:
    from typing_extensions import TypeIs  # in typing from Python 3.13 on

    from xuefen.accounts.models import User
    from xuefen.api.models import ApiToken

ActorKind = Literal["user", "token", "system"]


@final
class System:
    """Xuefen itself, on the administrator's say-so at the machine: may do anything an action
    allows anyone, and is named "system" in the audit trail."""

    acts_as: ClassVar[Literal["system"]] = "system"
    name: Final = "system"

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM: Final = System()

# A lazily evaluated alias: the user and token models live in apps above this one.
type Actor = User | ApiToken | System


def is_user(actor: Actor) -> TypeIs[User]:
    return actor.acts_as == "user"


def is_token(actor: Actor) -> TypeIs[ApiToken]:
    return actor.acts_as == "token"


def is_system(actor: Actor) -> TypeIs[System]:
    return actor.acts_as == "system"


def user_of(actor: Actor) -> User | None:
    """The user acting, for a `created_by`-style column; None for a token or the system."""
    return actor if is_user(actor) else None


def audit_name(actor: Actor) -> str:
    """How the audit trail names the actor: the username, the token's name and visible prefix
    (“Roster feed (xf_AbCdEfGh…)”: no username has the prefix's form), or "system"."""
    if is_user(actor):
        return actor.get_username()
    if is_token(actor):
        return str(actor)
    return System.name


def person_acting(actor: Actor) -> User:
    """The user taking a step only a person takes (submitting, deciding, uploading, issuing):
    a token or the system is refused."""
    if not is_user(actor):
        raise CodedPermissionDenied(
            CoreCode.FORBIDDEN, _("Only a person, logged in, may take this step.")
        )
    return actor


def acting(request: HttpRequest) -> User:
    """The logged-in user of a request, as the actor of the action a page calls. Every such page
    is behind login_required; an anonymous request reaching one is refused, never run as anyone."""
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied
    return user
