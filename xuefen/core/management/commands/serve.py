"""`xuefen serve`: gunicorn and the background worker beside it, under a small supervisor.

The web server is what users see: it must keep serving whatever happens to the worker. So the
worker's death (a `kill -9`, the OOM killer, its memory limit) is handled here and not passed on:
its tasks are marked dead and queued again (core.workers.recover_dead_worker) and it is started
again after a back-off that doubles while it keeps dying young (1 s, 2 s, 4 s ... at most
XUEFEN_WORKER_RESTART_MAX_SECONDS). Only the end of gunicorn, or a stop signal, ends `serve`, and
then both stop.
"""

import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, connection

from xuefen.core import workers


def _program(name: str) -> str | None:
    return shutil.which(name, path=os.path.dirname(sys.executable)) or shutil.which(name)


# A worker that lived this long before dying gets the shortest back-off again.
HEALTHY_RUN_SECONDS = 60


def _memory_limit(megabytes: int) -> Callable[[], None] | None:
    """A pre-exec hook that caps the worker's address space: a hostile file that slipped past
    every check ends that process (and its task is retried, then given up), not the machine."""
    if megabytes <= 0:
        return None
    limit = megabytes * 1024 * 1024

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return apply


class Command(BaseCommand):
    help = (
        "Serves Xuefen with gunicorn (a real WSGI server, persistent database connections on) and "
        "runs the background worker beside it, restarting the worker when it dies."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--bind", default=os.environ.get("XUEFEN_BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("XUEFEN_WORKERS", "3"))
        )
        parser.add_argument(
            "--threads", type=int, default=int(os.environ.get("XUEFEN_THREADS", "4"))
        )
        # How many connections a worker holds at once (gunicorn's own default: 1,000). Kept
        # connections stay with the worker that accepted them: a lower bound spreads a fixed
        # set of keep-alive clients (a proxy's pool, a benchmark's) over every worker.
        parser.add_argument(
            "--worker-connections",
            type=int,
            default=int(os.environ.get("XUEFEN_WORKER_CONNECTIONS", "1000")),
        )
        parser.add_argument(
            "--no-task-worker",
            action="store_true",
            help="Do not start the background worker (when it runs elsewhere: `xuefen worker`).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        gunicorn = _program("gunicorn")
        xuefen = _program("xuefen")
        if gunicorn is None:
            raise CommandError("gunicorn is not installed in this environment.")
        if not options["no_task_worker"] and xuefen is None:
            raise CommandError("The xuefen command is not installed in this environment.")
        server = [
            gunicorn,
            "xuefen.wsgi:application",
            "--bind",
            options["bind"],
            "--workers",
            str(options["workers"]),
            "--threads",
            str(options["threads"]),
            "--worker-class",
            "gthread",
            "--worker-connections",
            str(options["worker_connections"]),
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "10",
            # Long URLs reach the application, which answers 414 in its own words (and schema);
            # gunicorn's own limit (4094) would answer in plain text first.
            "--limit-request-line",
            "8190",
        ]
        supervisor = Supervisor(
            server, None if options["no_task_worker"] else xuefen, self.stderr.write
        )
        self.stdout.write(f"Serving Xuefen at http://{options['bind']}/")
        sys.stdout.flush()
        if not supervisor.run():
            raise CommandError("The web server ended unexpectedly.")


class Supervisor:
    """Runs the web server and, if `xuefen` is given, the background worker."""

    def __init__(self, server: list[str], xuefen: str | None, say: Callable[[str], Any]) -> None:
        self.server_command = server
        self.xuefen = xuefen
        self.say = say
        self.stopping = False
        self.server: subprocess.Popen[bytes] | None = None
        self.worker: subprocess.Popen[bytes] | None = None
        self.worker_id = ""
        self.worker_started = 0.0
        self.starts = 0
        self.backoff = 1.0
        self.restart_at = 0.0

    def run(self) -> bool:
        """True when stopped by a signal; False when the web server ended by itself."""
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        if self.xuefen is not None:
            self._recover(workers.recover_dead_workers_of_this_host)
            self._start_worker()
        self.server = subprocess.Popen(self.server_command)  # noqa: S603 - our own command
        try:
            while not self.stopping and self.server.poll() is None:
                self._tend_worker()
                time.sleep(0.2)
        finally:
            self._stop_children()
        return self.stopping

    def _stop(self, signum: int, frame: Any) -> None:
        self.stopping = True

    def _start_worker(self) -> None:
        assert self.xuefen is not None
        self.starts += 1
        self.worker_id = f"{workers.host()[:40]}-{os.getpid()}-{self.starts}"
        command = [
            self.xuefen,
            "worker",
            "--queue-name",
            "*",
            "--no-reload",
            "--worker-id",
            self.worker_id,
        ]
        self.worker = subprocess.Popen(  # noqa: S603 - our own command
            command, preexec_fn=_memory_limit(settings.WORKER_MEMORY_MB)
        )
        self.worker_started = time.monotonic()

    def _tend_worker(self) -> None:
        if self.xuefen is None:
            return
        if self.worker is not None and self.worker.poll() is not None:
            code = self.worker.returncode
            reason = f"signal {-code}" if code < 0 else f"exit code {code}"
            self.say(f"The background worker {self.worker_id} ended ({reason}); restarting it.")
            dead = self.worker_id
            self._recover(lambda: workers.recover_dead_worker(dead, reason))
            lived = time.monotonic() - self.worker_started
            self.backoff = 1.0 if lived >= HEALTHY_RUN_SECONDS else self.backoff
            self.restart_at = time.monotonic() + self.backoff
            self.backoff = min(self.backoff * 2, float(settings.WORKER_RESTART_MAX_SECONDS))
            self.worker = None
        if self.worker is None and time.monotonic() >= self.restart_at:
            self._start_worker()

    def _recover(self, step: Callable[[], list[str]]) -> None:
        """Runs a recovery step on the database; a failure is reported, never fatal (the next
        supervisor start, or `xuefen intake resume`, catches up)."""
        try:
            close_old_connections()
            retried = step()
            if retried:
                self.say(f"Queued {len(retried)} task(s) of a dead worker again.")
        except Exception as exc:
            self.say(f"Could not recover the dead worker's tasks: {exc!r}")
        finally:
            connection.close()

    def _stop_children(self) -> None:
        children = [c for c in (self.worker, self.server) if c is not None]
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
