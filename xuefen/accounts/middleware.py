# The frame's SQL formats in only names from the models; every value is a parameter.
# ruff: noqa: S608

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.models import Session
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.crypto import constant_time_compare

from xuefen.core.backends import fetch_one
from xuefen.orgs.models import OrgNode, Person


class PasswordChangeRequiredMiddleware:
    """Sends a user who must change their password (first login, admin reset) to the change page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path in settings.SESSIONLESS_PATHS:
            return self.get_response(request)
        user = request.user
        if getattr(user, "is_authenticated", False) and getattr(
            user, "must_change_password", False
        ):
            allowed = {reverse("accounts:password_change"), reverse("accounts:logout")}
            if request.path not in allowed and not request.path.startswith(("/static/", "/i18n/")):
                return redirect("accounts:password_change")
        return self.get_response(request)


TOUCHED = "_xuefen_touched"


class SessionIdleMiddleware:
    """Keeps a session alive while it is used, writing it at most once per
    SESSION_TOUCH_SECONDS instead of on every request (a write per page view would serialise
    the readers of a busy office on SQLite). The idle timeout is therefore exact to within
    that many seconds."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path in settings.SESSIONLESS_PATHS:
            return response
        session = getattr(request, "session", None)
        if session is not None and getattr(request.user, "is_authenticated", False):
            now = int(time.time())
            touched = session.get(TOUCHED, 0)
            if not isinstance(touched, int) or now - touched >= settings.SESSION_TOUCH_SECONDS:
                session[TOUCHED] = now  # marks it modified: saved with a fresh expiry
        return response


# --- the logged-in frame: the session, the user, their person and grants in one query ----------


@dataclass(frozen=True)
class _Part:
    """One model's columns in the frame's query: where they are in the row and how each value is
    converted as the ORM converts it."""

    model: Any
    start: int
    attnames: tuple[str, ...]
    converters: tuple[tuple[Any, tuple[Any, ...]], ...]

    def build(self, row: Sequence[Any]) -> Any:
        values = list(row[self.start : self.start + len(self.attnames)])
        if values[0] is None:  # no such row (a LEFT JOIN): the pk is NULL
            return None
        for i, (expression, converters) in enumerate(self.converters):
            for convert in converters:
                values[i] = convert(values[i], expression, connection)
        return self.model.from_db(connection.alias, self.attnames, values)


def _converters(expression: Any) -> tuple[Any, ...]:
    return tuple(
        connection.ops.get_db_converters(expression) + expression.get_db_converters(connection)
    )


# Pages that ask the frame's one query for more: [(path or the prefix of its paths, extra(request)
# -> (name, SQL of extra
# columns, their parameters) or None}. Registered by the app that serves the path (so this layer
# imports none of them); the columns may refer to the account as `u` (its person: `u.person_id`).
# Their values are left on the request (`frame_extra`) for the view, one round trip fewer.
FRAME_EXTRAS: list[tuple[Any, Callable[[HttpRequest], tuple[str, str, list[Any]] | None]]] = []
EXTRA = "_xuefen_frame_extra"


_resolved: list[tuple[str, Callable[[HttpRequest], tuple[str, str, list[Any]] | None]]] = []


def _frame_extras() -> list[tuple[str, Callable[[HttpRequest], tuple[str, str, list[Any]] | None]]]:
    """FRAME_EXTRAS with their paths made text (registered lazily: the URLs are not loaded while
    the apps are)."""
    if len(_resolved) != len(FRAME_EXTRAS):
        _resolved[:] = [(str(path), extra) for path, extra in FRAME_EXTRAS]
    return _resolved


def frame_extra(request: HttpRequest, name: str) -> tuple[Any, ...] | None:
    """The values of the extra columns `name` the frame's query read for this request, if it did."""
    found = getattr(request, EXTRA, None)
    return found[1] if found is not None and found[0] == name else None


@cache
def _frame_sql(vendor: str, extra: str = "") -> tuple[str, tuple[_Part, ...], tuple[Any, ...]]:
    """The frame's one query (built once per process): the account, its person and the person's
    unit (LEFT JOINs), the grants as one text ("role<TAB>node path" per line) and the session
    row's expire_date. Parameters: session key, user id."""
    from xuefen.accounts.models import RoleGrant, User

    quote = connection.ops.quote_name
    parts: list[_Part] = []
    columns: list[str] = []
    for model, alias in ((User, "u"), (Person, "p"), (OrgNode, "n")):
        fields = [model._meta.pk] + [
            f for f in model._meta.concrete_fields if f is not model._meta.pk
        ]
        converters = tuple((f.get_col(alias), _converters(f.get_col(alias))) for f in fields)
        parts.append(_Part(model, len(columns), tuple(f.attname for f in fields), converters))
        columns += [f"{alias}.{quote(str(f.column))}" for f in fields]
    agg = "string_agg" if vendor == "postgresql" else "group_concat"
    grants = (
        f"(SELECT {agg}(g.{quote('role')} || '\t' || gn.{quote('path')}, '\n')"
        f" FROM {quote(RoleGrant._meta.db_table)} g"
        f" JOIN {quote(OrgNode._meta.db_table)} gn ON gn.id = g.node_id WHERE g.user_id = u.id)"
    )
    stamp_field = Session._meta.get_field("expire_date")
    stamp = (
        f"(SELECT s.{quote('expire_date')} FROM {quote(Session._meta.db_table)} s"
        " WHERE s.session_key = %s)"
    )
    sql = (
        f"SELECT {', '.join(columns)}, {grants}, {stamp}{', ' + extra if extra else ''}"
        f" FROM {quote(User._meta.db_table)} u"
        f" LEFT JOIN {quote(Person._meta.db_table)} p ON p.id = u.person_id"
        f" LEFT JOIN {quote(OrgNode._meta.db_table)} n ON n.id = p.unit_id"
        " WHERE u.id = %s"
    )
    stamp_col = stamp_field.get_col("s")
    return sql, tuple(parts), (stamp_col, _converters(stamp_col))


def load_user(
    user_id: Any, session_key: str, request: HttpRequest | None = None
) -> tuple[Any, dt.datetime | None] | None:
    """(user, the session row's expire_date or None) in one query: the account with its person and
    the person's unit, their grants (cached on the user for `accounts.scope`) and the stamp of the
    session (`accounts.sessions`) — and what the page asks for beside (`FRAME_EXTRAS`), left on
    the request. None when there is no such account."""
    asked = None
    if request is not None:
        for prefix, extra_of in _frame_extras():
            if request.path.startswith(prefix):
                asked = extra_of(request)
                break
    name, extra, extra_params = asked if asked is not None else ("", "", [])
    sql, parts, (stamp_col, stamp_converters) = _frame_sql(connection.vendor, extra)
    users, people, units = parts
    row = fetch_one(connection, sql, [session_key, *extra_params, user_id])
    if row is None:
        return None
    if asked is not None:
        end = units.start + len(units.attnames) + 2  # after the grants and the stamp
        setattr(request, EXTRA, (name, tuple(row[end:])))
        row = row[:end]
    user = users.build(row)
    person = people.build(row)
    if person is not None:
        unit = units.build(row)
        person._state.fields_cache["unit"] = unit
        user._state.fields_cache["person"] = person
    text, stamp = row[-2] or "", row[-1]
    for convert in stamp_converters:
        stamp = convert(stamp, stamp_col, connection)
    # Read by accounts.scope (which reads them itself when they are not there).
    user._xuefen_grant_paths = [tuple(line.split("\t", 1)) for line in text.split("\n") if line]
    return user, stamp


def session_user(request: HttpRequest) -> Any:
    """The user of the request's session (AnonymousUser when none), as django.contrib.auth's
    get_user decides it — the account active, the session's auth hash verified — with the
    session, the account, its person and its grants read in one query."""
    from xuefen.accounts.backends import XuefenBackend, _has_left

    session = request.session
    try:
        user_id = auth.get_user_model()._meta.pk.to_python(session[auth.SESSION_KEY])
        backend_path = session[auth.BACKEND_SESSION_KEY]
    except KeyError:
        return AnonymousUser()
    backend = auth.load_backend(backend_path)
    if backend_path not in settings.AUTHENTICATION_BACKENDS or not isinstance(
        backend, XuefenBackend
    ):
        return auth.get_user(request)
    found = load_user(user_id, session.session_key or "", request)
    agree = getattr(session, "agree", None)
    if agree is not None and not agree(found[1] if found else None):
        # Another process wrote (or ended) the session since this one read it: decide again
        # from the session as the database has it.
        return auth.get_user(request)
    if found is None:
        return AnonymousUser()
    user = found[0]
    if not backend.user_can_authenticate(user) or _has_left(user):
        return AnonymousUser()
    session_hash = session.get(auth.HASH_SESSION_KEY)
    if session_hash and constant_time_compare(session_hash, user.get_session_auth_hash()):
        return user
    # Not verified by the current secret: Django's own path handles fallbacks and the flush.
    return auth.get_user(request)


class SessionUserMiddleware(AuthenticationMiddleware):
    """In place of django.contrib.auth's AuthenticationMiddleware: `request.user` from
    `session_user`, read when the request carries a session cookie (its stamp must be checked
    before a view reads the session), otherwise anonymous without a query."""

    def process_request(self, request: HttpRequest) -> None:
        if request.path in settings.SESSIONLESS_PATHS:
            user: Any = AnonymousUser()  # authenticated by the view itself: no session read
        elif request.COOKIES.get(settings.SESSION_COOKIE_NAME):
            user = session_user(request)
        else:
            user = AnonymousUser()
        request.user = user

        async def auser() -> Any:
            return user

        request.auser = auser
