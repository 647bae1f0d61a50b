from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from xuefen.accounts.models import User
from xuefen.orgs.models import Person


def normalize_username(username: str) -> str:
    """ID numbers are matched with an upper-case check character (X); other names as typed."""
    username = username.strip()
    return username.upper() if _looks_like_id(username) else username


def _looks_like_id(username: str) -> bool:
    return len(username) == 18 and username[:17].isdigit()


def initial_password_matches(person: Person, password: str) -> bool:
    """The initial password of a learner is the last six characters of their ID number."""
    return password.strip().upper() == person.id_number[-6:]


def _has_left(user: User) -> bool:
    return user.person is not None and user.person.status == Person.Status.LEFT


class XuefenBackend(ModelBackend):
    """Username/password login that refuses locked accounts and people who have left.

    Learners log in with their ID number. Their account is made at first login (a province has
    millions of people and most accounts would otherwise sit unused): the initial password is the
    last six characters of the ID number, and the password-change page is forced before anything
    else.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not username or password is None:
            return None
        username = normalize_username(username)
        user = User.objects.filter(username=username).select_related("person").first()
        if user is None:
            return self._first_login(username, password)
        if user.is_locked or not self.user_can_authenticate(user):
            return None
        if _has_left(user):
            return None  # a person who left keeps their history but no log-in
        if user.has_usable_password():
            return user if user.check_password(password) else None
        if user.must_change_password and user.person is not None:
            return user if initial_password_matches(user.person, password) else None
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

    def _first_login(self, username: str, password: str) -> User | None:
        from xuefen.accounts.actions import create_user

        person = None
        if _looks_like_id(username):
            person = (
                Person.objects.filter(id_number=username, user__isnull=True)
                .exclude(status=Person.Status.LEFT)
                .select_related("unit")
                .first()
            )
        if person is None or not initial_password_matches(person, password):
            User().set_password(password)  # the same work whether or not the person exists
            return None
        return create_user(None, username, password=None, first_name=person.name, person=person)
