"""The learning event's plain SQL: every learner sends an event every few seconds, so an event
reads one row — the learning session with its resource's length, its course's share, the
person's watched intervals and when the event's log-in expires — and writes at most four (the
session, the watched row, the day's total and, at most once a minute, the log-in's expiry),
without the ORM's query building. Table and column names come from the models; values
are converted as the ORM converts them. The same SQL runs on SQLite and PostgreSQL.

Two ways to write: an ordinary event reads without a lock and writes with one guarded statement
(`Writes.flush_guarded`: the session's UPDATE applies only while the session is still active at
the sequence number the event was judged from (see `Live.basis_seq`) and, from a kept copy (below),
its resource's length and its course's share are unchanged and its log-in is still there and
unexpired; the other UPDATEs only if it applied — on PostgreSQL one statement in autocommit);
anything else, or a guarded write that found something moved, reads again with the session row
locked until the transaction ends (`load(lock=True)`) and writes with `Writes.flush`.

The read without a lock is, when this worker has one, the copy of the session it kept after its
last guarded write for it (`keep`; a bounded number per worker, the least recently used
forgotten): then the event is one round trip, the guarded write. Since that write checks
everything the read would have, a kept copy that is stale (another worker took the session's
later events, the learner logged out or opened a session elsewhere, the office changed the
course) writes nothing, and the event is read again (`was_kept`): correctness never depends on
the copy."""

# Only names from the models are formatted in; every value is a parameter.
# ruff: noqa: S608

import datetime as dt
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any, cast

from django.contrib.sessions.models import Session
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    connection,
    connections,
    models,
    transaction,
)
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.base import ModelState

from xuefen.core.backends import fetch_one
from xuefen.elearning.models import Day, LearningSession, OnlineCourse, Resource, Watched

SESSION_FIELDS = (
    "id", "token", "person", "course", "resource", "status", "started_at", "seq", "position",
    "hidden", "rate", "last_event_at", "interaction_at", "prompt", "counted_seconds", "rhythm",
    "login_key", "watched", "day", "day_seconds", "lag",
)  # fmt: skip
WATCHED_FIELDS = ("id", "person", "resource", "intervals", "seconds", "updated_at")


@dataclass(eq=False)
class Live:
    """A learning session as an event needs it."""

    session: LearningSession  # with `watched` set
    length: float  # seconds of its resource
    complete_share: Decimal  # of its course
    # When the log-in named by the event's cookie expires (its session row's expire_date), None
    # when there is no such log-in (logged out, never was): an event needs a live log-in.
    login_expires: dt.datetime | None = None
    # The session's sequence number when read (or last written): the guarded write's condition.
    # The session's judged fields, and its watched row, are written only by the judgement of its
    # next event, which moves the number by one (one active session per person: nothing else
    # writes the watched row meanwhile); its status changes only to replaced or ended. So the
    # number, with the status still active, says the rows are as read.
    basis_seq: int = field(init=False)

    def __post_init__(self) -> None:
        self.basis_seq = self.session.seq

    def remember(self) -> None:
        """Takes the session as it is now as the basis of the next guarded write."""
        self.basis_seq = self.session.seq


# --- the copies this worker keeps -------------------------------------------------------------

KEEP_AT_MOST = 4096  # learning sessions per worker (about 2 kB each)
_kept: "OrderedDict[str, Live]" = OrderedDict()
_kept_lock = threading.Lock()  # gunicorn's threads share a worker's copies
_handed_out: "weakref.WeakSet[Live]" = weakref.WeakSet()


def keep(live: Live) -> None:
    """Keeps `live` — just written by a guarded write, so as the database has it — for the
    session's next event in this worker."""
    live.remember()
    with _kept_lock:
        _kept[live.session.token] = live
        _kept.move_to_end(live.session.token)
        while len(_kept) > KEEP_AT_MOST:
            _kept.popitem(last=False)


def _take(token: str) -> Live | None:
    """The kept copy of the session, handed over (no one else gets it), or None."""
    with _kept_lock:
        live = _kept.pop(token, None)
    if live is not None:
        _handed_out.add(live)
    return live


def was_kept(live: Live) -> bool:
    """Whether `live` is a kept copy rather than what the database just said."""
    return live in _handed_out


def forget_kept() -> None:
    with _kept_lock:
        _kept.clear()


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _field(model: type[models.Model], name: str) -> models.Field:
    return cast(models.Field, model._meta.get_field(name))


@cache
def _columns(vendor: str) -> list[tuple[str, str, Any, list[Any]]]:
    """(attribute, SQL, column, converters) of what `load` selects, once per database vendor."""
    out = []
    for alias, model, names in (
        ("s", LearningSession, SESSION_FIELDS),
        ("w", Watched, WATCHED_FIELDS),
        ("r", Resource, ("duration_seconds",)),
        ("c", OnlineCourse, ("complete_share",)),
        ("l", Session, ("expire_date",)),
    ):
        for name in names:
            field = _field(model, name)
            col = field.get_col(alias)
            converters = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            out.append(
                (f"{alias}.{field.attname}", f"{alias}.{_q(str(field.column))}", col, converters)
            )
    return out


# Read with the session (one round trip fewer): this transaction commits without waiting for the
# disk (see `durable_commit`). Evaluated only when the session is found.
_RELAX = ", set_config('synchronous_commit', 'off', true)"


@cache
def _load_sql(vendor: str, lock: bool) -> str:
    columns = _columns(vendor)
    relax = _RELAX if vendor == "postgresql" and lock else ""
    sql = (
        f"SELECT {', '.join(c[1] for c in columns)}{relax}"
        f" FROM {_q(LearningSession._meta.db_table)} s"
        f" JOIN {_q(Watched._meta.db_table)} w ON w.{_q('id')} = s.{_q('watched_id')}"
        f" JOIN {_q(Resource._meta.db_table)} r ON r.{_q('id')} = s.{_q('resource_id')}"
        f" JOIN {_q(OnlineCourse._meta.db_table)} c ON c.{_q('id')} = s.{_q('course_id')}"
        f" LEFT JOIN {_q(Session._meta.db_table)} l ON l.{_q('session_key')} = %s"
        f" WHERE s.{_q('token')} = %s"
    )
    if lock and connection.features.has_select_for_update_of:
        sql += " FOR UPDATE OF s"
    return sql


def load(token: str, login_key: str, *, lock: bool) -> Live | None:
    """The session named by the token, with when the log-in `login_key` (the event's log-in
    cookie) expires; with `lock`, locked for the event's transaction (PostgreSQL; SQLite's writes
    are serialised by its IMMEDIATE transactions). Without a lock, this worker's kept copy when it
    has one (without a round trip; see `was_kept`)."""
    if not lock and (kept := _take(token)) is not None:
        return kept
    db = connections[DEFAULT_DB_ALIAS]  # once: each use of the `connection` proxy looks it up
    columns = _columns(db.vendor)
    query = _load_sql(db.vendor, lock)
    if lock or db.in_atomic_block:
        found = _fetch(db, query, [login_key, token], prepared=not lock)
    else:
        # The event's first statement: rather than the kept connection's health check first
        # (the backend's look at the socket, and `SELECT 1` when the server has spoken), this
        # read tells whether the connection still works — a connection cut without a word too —
        # and is sent once more on a new connection when it does not (it reads: sending it twice
        # is safe).
        db.health_check_done = True  # type: ignore[attr-defined]
        try:
            found = _fetch(db, query, [login_key, token], prepared=True)
        except DatabaseError:
            db.close()
            found = _fetch(db, query, [login_key, token], prepared=True)
    if found is None:
        return None
    values: dict[str, Any] = {}
    for (name, _sql, col, converters), value in zip(columns, found[: len(columns)], strict=True):
        for converter in converters:
            value = converter(value, col, db)
        values[name] = value
    session = _row(LearningSession, db, {k[2:]: v for k, v in values.items() if k[0] == "s"})
    session.watched = _row(Watched, db, {k[2:]: v for k, v in values.items() if k[0] == "w"})
    return Live(
        session,
        float(values["r.duration_seconds"]),
        values["c.complete_share"],
        values["l.expire_date"],
    )


def _row[M: models.Model](model: type[M], db: BaseDatabaseWrapper, values: dict[str, Any]) -> M:
    """A row read, as the model instance the ORM's `from_db` makes of it — without running
    `__init__`, whose per-field defaults and init signals are for new objects (no receiver of
    those signals is connected for these models): a tenth of the read's Python."""
    obj = model.__new__(model)
    obj._state = ModelState()
    obj._state.adding, obj._state.db = False, db.alias
    obj.__dict__.update(values)
    return obj


def _fetch(db: BaseDatabaseWrapper, query: str, params: list[Any], *, prepared: bool) -> Any:
    """The row of `query`; `prepared`: prepared once per connection with its parameters bound on
    PostgreSQL (planning the event's statements took longer than running them, and rendering
    every parameter into the SQL text was a tenth of the event's Python; the project's backend,
    `execute_prepared`). A prepared statement outlives a rolled-back transaction; a new
    connection prepares them again."""
    if prepared:
        return fetch_one(db, query, params)
    with db.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchone()


@cache
def _update_sql(
    vendor: str, model: type[models.Model], names: tuple[str, ...]
) -> tuple[str, list[models.Field]]:
    fields = [_field(model, name) for name in names]
    sets = ", ".join(f"{_q(str(f.column))} = %s" for f in fields)
    return f"UPDATE {_q(model._meta.db_table)} SET {sets} WHERE {_q('id')} = %s", fields


@cache
def _day_sql(vendor: str) -> str:
    table = _q(Day._meta.db_table)
    return (
        f"UPDATE {table} SET {_q('seconds')} = {_q('seconds')} + %s,"
        f" {_q('hours')} = {_q('hours')} | %s"
        f" WHERE {_q('person_id')} = %s AND {_q('day')} = %s"
    )


@cache
def _guard_sql(vendor: str, relaxed: bool, kept: bool) -> str:
    """The condition added to the session's UPDATE by a guarded write: still active at the
    sequence number the event was judged from (see `Live.basis_seq`); for a kept copy also its
    resource's length and its course's share unchanged and the event's log-in there and unexpired
    (what a read would have said: a copy just read said it); and, relaxed, this transaction's
    commit not waiting for the disk (the setting in force at commit decides, and it lasts to the
    end of this statement's own transaction)."""
    sql = f" AND {_q('seq')} = %s AND {_q('status')} = %s"
    if kept:
        sql += (
            f" AND EXISTS (SELECT 1 FROM {_q(Resource._meta.db_table)} r"
            f" WHERE r.{_q('id')} = %s AND r.{_q('duration_seconds')} = %s)"
            f" AND EXISTS (SELECT 1 FROM {_q(OnlineCourse._meta.db_table)} c"
            f" WHERE c.{_q('id')} = %s AND c.{_q('complete_share')} = %s)"
            f" AND EXISTS (SELECT 1 FROM {_q(Session._meta.db_table)} l"
            f" WHERE l.{_q('session_key')} = %s AND l.{_q('expire_date')} > %s)"
        )
    if relaxed and vendor == "postgresql":
        sql += " AND set_config('synchronous_commit', 'off', true) = 'off'"
    return sql


def _guard_params(
    db: BaseDatabaseWrapper, live: Live, login_key: str, now: dt.datetime, *, kept: bool
) -> list[Any]:
    params: list[Any] = [live.basis_seq, LearningSession.Status.ACTIVE.value]
    if kept:
        session = live.session
        share = _field(OnlineCourse, "complete_share").get_db_prep_save(live.complete_share, db)
        params += [session.resource_id, live.length, session.course_id, share]
        params += [login_key, db.ops.adapt_datetimefield_value(now)]
    return params


class Writes:
    """An event's UPDATEs, sent together when flushed: on PostgreSQL as one statement (all but the
    last as data-modifying WITH queries, each executed exactly once), on SQLite one by one."""

    def __init__(self) -> None:
        self.statements: list[tuple[str, list[Any]]] = []

    def update(self, obj: models.Model, names: list[str]) -> None:
        """UPDATE of the named fields of one row, their values prepared as the ORM prepares
        them."""
        db = connections[DEFAULT_DB_ALIAS]
        sql, fields = _update_sql(db.vendor, type(obj), tuple(names))
        params = [f.get_db_prep_save(getattr(obj, f.attname), db) for f in fields]
        self.statements.append((sql, [*params, obj.pk]))

    def add_to_day(self, person_id: int, day: dt.date, seconds: float, hour_bit: int) -> None:
        db = connections[DEFAULT_DB_ALIAS]
        params = [seconds, hour_bit, person_id, db.ops.adapt_datefield_value(day)]
        self.statements.append((_day_sql(db.vendor), params))

    def keep_login(self, login_key: str, expires: dt.datetime) -> None:
        """The log-in's session row kept alive until `expires` (as a page view keeps it)."""
        db = connections[DEFAULT_DB_ALIAS]
        table, column = _q(Session._meta.db_table), _q("expire_date")
        sql = f"UPDATE {table} SET {column} = %s WHERE {_q('session_key')} = %s"
        self.statements.append((sql, [db.ops.adapt_datetimefield_value(expires), login_key]))

    def flush(self) -> None:
        if not self.statements:
            return
        db = connections[DEFAULT_DB_ALIAS]
        with db.cursor() as cursor:
            if db.vendor == "postgresql" and len(self.statements) > 1:
                *first, last = self.statements
                withs = ", ".join(f"w{i} AS ({q} RETURNING 1)" for i, (q, _p) in enumerate(first))
                params = [p for _q, ps in self.statements for p in ps]
                cursor.execute(f"WITH {withs} {last[0]}", params)
            else:
                for sql, params in self.statements:
                    cursor.execute(sql, params)
        self.statements.clear()

    def flush_guarded(
        self,
        live: Live,
        names: list[str],
        *,
        login_key: str,
        now: dt.datetime,
        relaxed: bool,
    ) -> bool:
        """Writes the session's named fields only if what `live` was judged from is still as its
        basis says (for a kept copy: and the log-in `login_key` is there and unexpired at `now`),
        and the other UPDATEs only if that one applied; returns whether it did (nothing is written
        when it did not). On PostgreSQL one statement — its own transaction in autocommit — the
        session's UPDATE a data-modifying WITH query the others depend on (`EXISTS (SELECT 1 FROM
        s)`); on SQLite, in one IMMEDIATE transaction, the session's UPDATE first.

        For a kept copy this is the event's first statement, sent without the kept connection's
        health check; on a broken connection it is closed and the write reported as not applied
        (the event is then read again, on a new connection)."""
        db = connections[DEFAULT_DB_ALIAS]
        session = live.session
        sql, fields = _update_sql(db.vendor, LearningSession, tuple(names))
        kept = was_kept(live)
        guarded = sql + _guard_sql(db.vendor, relaxed, kept)
        params = [f.get_db_prep_save(getattr(session, f.attname), db) for f in fields]
        params += [session.pk, *_guard_params(db, live, login_key, now, kept=kept)]
        others, self.statements = self.statements, []
        if kept and not db.in_atomic_block:
            db.health_check_done = True  # type: ignore[attr-defined]
            try:
                return self._send_guarded(db, guarded, params, others)
            except DatabaseError:
                db.close()
                return False
        return self._send_guarded(db, guarded, params, others)

    @staticmethod
    def _send_guarded(
        db: BaseDatabaseWrapper,
        guarded: str,
        params: list[Any],
        others: list[tuple[str, list[Any]]],
    ) -> bool:
        if db.vendor == "postgresql":
            withs = [f"s AS ({guarded} RETURNING 1)"]
            withs += [
                f"w{i} AS ({q} AND EXISTS (SELECT 1 FROM s) RETURNING 1)"
                for i, (q, _p) in enumerate(others)
            ]
            every = [*params, *(p for _q, ps in others for p in ps)]
            query = f"WITH {', '.join(withs)} SELECT count(*) FROM s"
            row = fetch_one(db, query, every)
            return bool(row and row[0])
        with transaction.atomic(using=db.alias), db.cursor() as cursor:
            cursor.execute(guarded, params)
            if cursor.rowcount != 1:
                return False
            for q, ps in others:
                cursor.execute(q, ps)
        return True


# On PostgreSQL an ordinary playback event commits without waiting for its WAL to reach the disk
# (`synchronous_commit = off` for that transaction only, set by `load`): a crash within the WAL
# writer's delay (at most about 0.6 s) may lose the last events' watched seconds — the learner
# watches them again — but never a credit, since an event that may complete a course, and every
# refusal, sets it back to `on` before commit (the setting in force at commit time decides), and
# the database itself stays consistent either way. bench/RESULTS.md (g) gives the figures.


def durable_commit() -> None:
    """For the current transaction: commit only once it is on disk again (PostgreSQL)."""
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor == "postgresql":
        with db.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = on")
