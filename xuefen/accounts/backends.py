from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from xuefen.accounts.models import User
from xuefen.orgs.models import Person


def normalize_username(username: str) -> str:
    """ID numbers are matched with an upper-case check character (X); other names as typed."""
    username = username.strip()
    return username.upper() if looks_like_id(username) else username


def looks_like_id(username: str) -> bool:
    return len(username) == 18 and username[:17].isdigit()


def find_account(typed: str) -> User | None:
    """The account a log-in names: by username, or, for an ID number, the account of the person
    holding it (learners log in with their ID number; their username is generated)."""
    username = normalize_username(typed)
    if not username:
        return None
    if looks_like_id(username):
        return User.objects.filter(person__id_number=username).select_related("person").first()
    return User.objects.filter(username=username).select_related("person").first()


def _has_left(user: User) -> bool:
    return user.person is not None and user.person.status == Person.Status.LEFT


class XuefenBackend(ModelBackend):
    """Username (or ID number) and password; refuses deactivated accounts and people who have
    left. An account exists only once claimed with an activation letter or made by an
    administrator: knowing an ID number opens nothing. Failed tries are counted and slowed down
    by the log-in page (accounts.throttle), not here."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not username or password is None:
            return None
        user = find_account(username)
        if user is None or not self.user_can_authenticate(user) or _has_left(user):
            User().set_password(password)  # the same work whether or not the account exists
            return None
        if user.has_usable_password() and user.check_password(password):
            return user
        return None

    def get_user(self, user_id: Any) -> User | None:
        """The user of a session; None (logged out) once deactivated or their person has left."""
        try:
            user = User._default_manager.select_related("person").get(pk=user_id)
        except User.DoesNotExist:
            return None
        if not self.user_can_authenticate(user) or _has_left(user):
            return None
        return user
