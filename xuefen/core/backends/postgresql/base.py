"""Django's PostgreSQL backend with a health check that costs no round trip while the server is
quiet.

With CONN_HEALTH_CHECKS (on: `settings.DATABASES`), Django sends `SELECT 1` before the first
query of every request on a kept connection — one more round trip for every page and every
learning event, while the anonymous log-in form, which reads nothing, pays none. A connection
the server has ended (a restart, `pg_terminate_backend`, an idle timeout) has had its socket
made readable by the server's goodbye — an error message and the end of the stream — while
a healthy idle connection has nothing to read, because the application sends nothing between
requests and LISTENs on nothing. So the socket is polled first (no waiting, no round trip):
nothing to read → the connection is taken as sound; anything to read → Django's own check
(`SELECT 1`, then a new connection if it fails). A connection cut without a word (a cable,
a firewall) is found by neither before its first query; that query fails, and Django closes
the connection at the end of the request as it does without health checks.

`execute_prepared` runs a statement prepared once per connection (the frame's query of every
logged-in request, the learning event's two statements): planning them cost more than running them.
Test: tests/core/test_db_backend.py."""

import select
import time
from typing import Any

import psycopg
from django.db.backends.postgresql import base


def has_input(fileno: int) -> bool:
    """Whether the socket has anything to read (or is closed), without waiting."""
    poller = select.poll()
    poller.register(fileno, select.POLLIN | select.POLLPRI)
    return bool(poller.poll(0))


class DatabaseWrapper(base.DatabaseWrapper):
    health_check_done: bool

    def close_if_health_check_failed(self) -> None:
        if (
            self.connection is not None
            and self.settings_dict["CONN_HEALTH_CHECKS"]
            and not self.health_check_done
            and not self.pool
            and not self.connection.closed
            and not has_input(self.connection.fileno())
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def execute_prepared(self, query: str, params: list[Any]) -> psycopg.Cursor[Any]:
        """Runs `query` prepared (once per connection), its parameters bound by psycopg's
        extended protocol with the connection's adapters; returns the cursor to fetch from.
        Django's connections prepare nothing (its client-side cursors cannot; its default keeps
        connection poolers working — a pooler in transaction mode would need its own prepared
        statement support for this); this connection prepares only what is asked here. A
        prepared statement outlives a rolled-back transaction; a new connection prepares again.
        Logged in `queries` as Django's cursors log theirs (tests count them)."""
        self.close_if_health_check_failed()
        began = time.monotonic()
        with self.wrap_database_errors:
            self.ensure_connection()
            conn = self.connection
            if conn.prepare_threshold is None:
                conn.prepare_threshold = NEVER_UNASKED
            cursor = psycopg.Cursor(conn)
            cursor.execute(query, params, prepare=True)
        if self.queries_logged:
            self.queries_log.append({"sql": query, "time": f"{time.monotonic() - began:.3f}"})
        return cursor


# psycopg prepares a statement run this many times unasked: never, here.
NEVER_UNASKED = 2**31 - 1
