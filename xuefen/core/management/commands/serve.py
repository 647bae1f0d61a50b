import os
import shutil
import signal
import subprocess
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError


def _program(name: str) -> str | None:
    return shutil.which(name, path=os.path.dirname(sys.executable)) or shutil.which(name)


class Command(BaseCommand):
    help = (
        "Serves Xuefen with gunicorn (a real WSGI server, persistent database connections on) and "
        "runs the background worker for imports and exports beside it; stopping one stops both."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--bind", default=os.environ.get("XUEFEN_BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("XUEFEN_WORKERS", "3"))
        )
        parser.add_argument(
            "--threads", type=int, default=int(os.environ.get("XUEFEN_THREADS", "4"))
        )
        parser.add_argument(
            "--no-task-worker",
            action="store_true",
            help="Do not start the background worker (when it runs elsewhere: `xuefen db_worker`).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        gunicorn = _program("gunicorn")
        xuefen = _program("xuefen")
        if gunicorn is None:
            raise CommandError("gunicorn is not installed in this environment.")
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
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "10",
        ]
        children: list[subprocess.Popen[bytes]] = []
        if not options["no_task_worker"]:
            if xuefen is None:
                raise CommandError("The xuefen command is not installed in this environment.")
            worker = [xuefen, "db_worker", "--queue-name", "*", "--no-reload"]
            children.append(subprocess.Popen(worker))  # noqa: S603 - our own command
        self.stdout.write(f"Serving Xuefen at http://{options['bind']}/")
        sys.stdout.flush()
        children.append(subprocess.Popen(server))  # noqa: S603 - our own command
        self._supervise(children)

    def _supervise(self, children: list[subprocess.Popen[bytes]]) -> None:
        """Waits until any child ends or a stop signal arrives, then stops them all."""
        stopping = False

        def stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            while not stopping and all(child.poll() is None for child in children):
                time.sleep(0.5)
        finally:
            for child in children:
                if child.poll() is None:
                    child.terminate()
            for child in children:
                try:
                    child.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    child.kill()
        failed = [c.returncode for c in children if c.returncode not in (0, -signal.SIGTERM)]
        if failed and not stopping:
            raise CommandError(f"A server process ended with exit code {failed[0]}.")
