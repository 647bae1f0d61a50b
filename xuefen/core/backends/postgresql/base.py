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
Test: tests/core/test_db_backend.py."""

import select

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
