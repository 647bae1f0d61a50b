"""`xuefen serve` keeps serving when its background worker dies: `kill -9` the worker in the
middle of a roster import, and the site still answers, the worker is started again, its task is
marked dead and queued again, and the batch finishes with each row in the ledger exactly once."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.core.test_serve import XUEFEN, _children, _free_port

ROWS = 3000
PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture
def site(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "XUEFEN_SQLITE_PATH")}
    env.update(XUEFEN_VAR_DIR=str(tmp_path), XUEFEN_INTAKE_CHUNK_ROWS="25")
    subprocess.run([XUEFEN, "migrate", "--verbosity", "0"], env=env, check=True, timeout=300)
    made = subprocess.run(
        [sys.executable, "-m", "tests.core.supervised_data", str(ROWS)],
        cwd=PROJECT,
        env=env,
        check=True,
        timeout=300,
        capture_output=True,
        text=True,
    )
    batch_id = int(made.stdout.strip().splitlines()[-1])
    port = _free_port()
    server = subprocess.Popen(
        [XUEFEN, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    database = sqlite3.connect(tmp_path / "xuefen.sqlite3", timeout=30)
    try:
        yield server, f"http://127.0.0.1:{port}", database, batch_id, env
    finally:
        database.close()
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()


def _get(url):
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - our own http URL
        return response.status, response.read()


def _wait(condition, what, timeout=120):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _batch(database, batch_id):
    return database.execute(
        "SELECT status, processed_rows, total_rows FROM intake_batch WHERE id = ?", (batch_id,)
    ).fetchone()


def _worker_pid(server):
    found = [pid for pid, cmd in _children(server.pid) if " worker " in f" {cmd} "]
    return found[0] if len(found) == 1 else None


def test_a_killed_worker_is_replaced_and_the_batch_finishes_with_each_row_once(site):
    server, base, database, batch_id, env = site
    _wait(lambda: _answers(base + "/healthz"), "the site")
    first = _wait(lambda: _worker_pid(server), "the worker")

    # Mid-import: some chunks committed, the rest to come.
    _wait(lambda: (_batch(database, batch_id)[1] or 0) >= 100, "the import to be under way")
    assert _batch(database, batch_id)[0] == "running"
    os.kill(first, signal.SIGKILL)

    # The site answers while the worker is down, and says so truthfully once it is back.
    assert _get(base + "/accounts/login/")[0] == 200
    assert _get(base + "/healthz")[0] == 200
    assert server.poll() is None

    second = _wait(lambda: (pid := _worker_pid(server)) and pid != first and pid, "a new worker")
    _wait(lambda: _batch(database, batch_id)[0] == "done", "the batch to finish", timeout=240)

    _status, processed, total = _batch(database, batch_id)
    assert (processed, total) == (ROWS, ROWS)
    rows = database.execute(
        "SELECT COUNT(*), COUNT(DISTINCT row_number), SUM(status = 'posted') FROM intake_batchrow"
        " WHERE batch_id = ?",
        (batch_id,),
    ).fetchone()
    assert rows == (ROWS, ROWS, ROWS)
    entries = database.execute(
        "SELECT COUNT(*), COUNT(DISTINCT person_id || ':' || source_id) FROM ledger_entry"
    ).fetchone()
    assert entries == (ROWS, ROWS)

    def read_tasks():
        return database.execute(
            "SELECT status, exception_class_path FROM django_tasks_database_dbtaskresult"
            " ORDER BY enqueued_at"
        ).fetchall()

    # the worker records the task's result just after the task has marked its batch done
    _wait(lambda: read_tasks()[-1][0] != "RUNNING", "the task's result to be recorded")
    tasks = read_tasks()
    assert tasks[0] == ("FAILED", "xuefen.core.workers.WorkerDied")
    assert tasks[-1][0] == "SUCCESSFUL"

    health = json.loads(_get(base + "/healthz")[1])
    assert health["status"] == "ok" and health["worker"]["seconds_since_heartbeat"] < 30
    assert health["queue"]["ready"] == 0
    assert _worker_pid(server) == second

    verify = subprocess.run(
        [XUEFEN, "ledger", "verify"], env=env, capture_output=True, text=True, timeout=120
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr

    server.send_signal(signal.SIGTERM)
    assert server.wait(timeout=30) == 0


def _answers(url):
    try:
        return _get(url)[0] == 200
    except OSError:
        return False
