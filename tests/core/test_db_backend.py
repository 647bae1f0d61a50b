"""The PostgreSQL backend's health check (xuefen.core.backends.postgresql): a kept connection the
server has not ended is used without a `SELECT 1` first; one the server ended is found and
replaced before the request's first query, as with Django's own check."""

import os
import socket
import time
from unittest import mock

import dj_database_url
import psycopg
import pytest
from django.db.utils import ConnectionHandler

from tests.conftest import require
from xuefen.core.backends.postgresql.base import has_input

URL = os.environ.get("DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/postgres"


def test_has_input_sees_the_peer_speak_or_leave():
    ours, theirs = socket.socketpair()
    try:
        assert not has_input(ours.fileno())
        theirs.sendall(b"E")  # a server's error message before it hangs up
        assert has_input(ours.fileno())
        ours.recv(1)
        assert not has_input(ours.fileno())
        theirs.close()
        assert has_input(ours.fileno())  # the end of the stream reads as input
    finally:
        ours.close()
        if theirs.fileno() != -1:
            theirs.close()


@pytest.fixture
def wrapper(django_db_blocker):
    try:
        psycopg.connect(URL, connect_timeout=3).close()
        reachable = True
    except psycopg.OperationalError:
        reachable = False
    require(reachable, f"no PostgreSQL server at {URL}")
    settings = dj_database_url.parse(URL, conn_max_age=600, conn_health_checks=True)
    settings["ENGINE"] = "xuefen.core.backends.postgresql"
    handler = ConnectionHandler({"default": settings})
    conn = handler["default"]
    with django_db_blocker.unblock():  # a connection of its own, not the test database's
        yield conn
        conn.close()


def _request(conn):
    """What Django does around a request: the kept connection checked at its start, then its
    first query (the backend's pid: which server process answered)."""
    conn.close_if_unusable_or_obsolete()
    with (
        mock.patch.object(conn, "is_usable", wraps=conn.is_usable) as pinged,
        conn.cursor() as cursor,
    ):
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    return pid, pinged.call_count


def test_a_sound_kept_connection_is_used_without_a_ping(wrapper):
    first, _ = _request(wrapper)
    for _ in range(3):
        pid, pings = _request(wrapper)
        assert (pid, pings) == (first, 0)


def test_a_connection_the_server_ended_is_replaced_before_the_first_query(wrapper):
    first, _ = _request(wrapper)
    with psycopg.connect(URL, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [first])
    deadline = time.monotonic() + 5
    while not has_input(wrapper.connection.fileno()) and time.monotonic() < deadline:
        time.sleep(0.01)
    pid, pings = _request(wrapper)  # no error: Django's check ran and a new connection answered
    assert pings == 1
    assert pid != first
    assert _request(wrapper) == (pid, 0)


def test_a_prepared_statement_is_planned_once_per_connection_and_counted(wrapper):
    query = "SELECT %s::int + 1"
    assert [wrapper.execute_prepared(query, [n]).fetchone()[0] for n in (1, 2, 3)] == [2, 3, 4]
    with wrapper.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["%$1::int + 1%"]
        )
        assert cursor.fetchone()[0] == 1  # prepared once, run three times
    wrapper.force_debug_cursor = True
    try:
        wrapper.execute_prepared(query, [4])
        assert wrapper.queries[-1]["sql"] == query  # counted as Django's cursors count theirs
    finally:
        wrapper.force_debug_cursor = False
    wrapper.close()  # a new connection prepares again
    assert wrapper.execute_prepared(query, [5]).fetchone()[0] == 6
