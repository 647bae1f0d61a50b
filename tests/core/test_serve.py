"""`xuefen serve` runs a real WSGI server and the background worker (`xuefen worker`) beside it,
and stopping it stops both (no worker is left behind to hold the database)."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

XUEFEN = str(Path(sys.executable).with_name("xuefen"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children(pid: int) -> list[tuple[int, str]]:
    """(pid, command line) of every process whose parent is `pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid:
            found.append((int(entry.name), cmdline))
    return found


@pytest.fixture
def server_env(tmp_path):
    # A database of its own (SQLite in a temporary folder), whatever the test run uses.
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "XUEFEN_SQLITE_PATH")}
    env["XUEFEN_VAR_DIR"] = str(tmp_path)
    subprocess.run([XUEFEN, "migrate", "--verbosity", "0"], env=env, check=True, timeout=300)
    return env


def test_serve_answers_and_runs_the_worker_and_stops_both(server_env):
    port = _free_port()
    server = subprocess.Popen(
        [XUEFEN, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        env=server_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    assert r.status == 200
                    break
            except OSError:
                assert server.poll() is None, "the server ended before answering"
                assert time.monotonic() < deadline, "the server did not answer in time"
                time.sleep(0.3)
        commands = [cmd for _pid, cmd in _children(server.pid)]
        assert any(" worker " in f" {cmd} " for cmd in commands), commands
        assert any("gunicorn" in cmd for cmd in commands), commands
        children = [pid for pid, _cmd in _children(server.pid)]
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
        for pid in children:
            assert (
                not Path(f"/proc/{pid}").exists()
                or "Z" in Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            ), f"process {pid} outlived serve"
    finally:
        if server.poll() is None:
            server.kill()
