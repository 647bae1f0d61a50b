"""Benchmark (c): the personal page and the roll-ups under concurrent load, beside the anonymous
log-in form (and /healthz) served by the same gunicorn server. Goal (issue 10): each page at least
the log-in form's requests/s, both as kept (nothing changed) and just changed: in a second pass a
writer posts an entry for the demo learner every --write-every seconds (through the one writer), so
the learner's page and both roll-ups are invalidated over and over while they are measured.

One run builds a throwaway database with the demo county (`xuefen setup`), starts
`xuefen serve` on a free loopback port, logs the demo users in over HTTP, drives each URL with
wrk (or a bounded Python client if wrk is missing), prints a table and stops the server.

    .venv/bin/python bench/load.py [--duration 10] [--connections 15] [--workers 3] [--port 8721]
        [--write-every 1.0] [--rounds 3] [--unbalanced]

Each gunicorn worker holds at most its share of wrk's keep-alive connections (`xuefen serve
--worker-connections`, as bench/elearning_events.py): unbalanced, one worker may take them all while
the others idle and every URL's req/s is two-valued (bench/RESULTS.md (q)).
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/xuefen_load .venv/bin/python bench/load.py

With DATABASE_URL the named database is dropped and created again (its name must contain "load"
or "bench"); without it, SQLite in a temporary XUEFEN_VAR_DIR.
"""

import argparse
import http.client
import http.cookiejar
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
XUEFEN = str(ROOT / ".venv" / "bin" / "xuefen")
WRK = "/usr/bin/wrk"
HOST = "127.0.0.1"
PASSWORD = os.environ.get("XUEFEN_DEMO_PASSWORD", "xuefen-demo-2026")
GOAL = 1.0  # ÷ the log-in form


def recreate_postgres(url: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    if "load" not in name and "bench" not in name:
        sys.exit(f"refusing to drop {name}: its name must contain 'load' or 'bench'")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def wait_healthy(base: str, server: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"server exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    sys.exit("server did not answer /healthz in time")


def login(base: str, username: str) -> str:
    """Logs in through the real form (CSRF token and all); returns the session cookie."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{base}/accounts/login/", timeout=10) as resp:
        page = resp.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if token is None:
        sys.exit("no CSRF token on the login page")
    data = urllib.parse.urlencode(
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)}
    ).encode()
    opener.open(f"{base}/accounts/login/", data=data, timeout=10).close()
    cookies = {c.name: c.value for c in jar}
    if "sessionid" not in cookies:
        sys.exit(f"login as {username} failed")
    return f"sessionid={cookies['sessionid']}"


def check_ok(base: str, path: str, cookie: str) -> int:
    """One request before the load: the page must answer 200 (no redirect to log-in), its size."""
    conn = http.client.HTTPConnection(HOST, int(base.rsplit(":", 1)[1]), timeout=30)
    conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    if resp.status != 200:
        sys.exit(f"GET {path} answered {resp.status}, expected 200")
    return len(body)


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def run_wrk(url: str, cookie: str, args: argparse.Namespace) -> tuple[float, float, int]:
    argv = [WRK, f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s"]
    argv += ["--latency", "--timeout", "30s"]
    if cookie:
        argv += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(
        [*argv, url], capture_output=True, text=True, timeout=args.duration + 30, check=True
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s|m)\b", out)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*?timeout (\d+)", out)
    failures = (int(bad.group(1)) if bad else 0) + (int(errors.group(1)) if errors else 0)
    return rps, float(p99.group(1)) * UNITS[p99.group(2)], failures  # type: ignore[union-attr]


def run_python(url: str, cookie: str, args: argparse.Namespace) -> tuple[float, float, int]:
    """Fallback without wrk: N keep-alive connections in threads for a fixed duration."""
    parts = urllib.parse.urlsplit(url)
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    stop = time.monotonic() + args.duration

    def client() -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        mine: list[float] = []
        bad = 0
        while time.monotonic() < stop:
            began = time.perf_counter()
            try:
                conn.request("GET", parts.path, headers={"Cookie": cookie} if cookie else {})
                resp = conn.getresponse()
                resp.read()
                if resp.status >= 400:
                    bad += 1
            except (OSError, http.client.HTTPException):
                bad += 1
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
                continue
            mine.append((time.perf_counter() - began) * 1000)
        conn.close()
        with lock:
            latencies.extend(mine)
            failures[0] += bad

    began = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(args.connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(args.duration + 30)
    elapsed = time.monotonic() - began
    p99 = statistics.quantiles(latencies, n=100)[98] if len(latencies) > 1 else float("nan")
    return len(latencies) / elapsed, p99, failures[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=10, help="seconds per URL")
    parser.add_argument("--connections", type=int, default=15)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (make run: 3)")
    parser.add_argument(
        "--unbalanced",
        action="store_true",
        help="gunicorn's default 1,000 connections a worker (a worker may take all of wrk's)",
    )
    parser.add_argument("--python", action="store_true", help="use the Python client, not wrk")
    parser.add_argument("--rounds", type=int, default=3, help="round-robin passes (medians)")
    parser.add_argument("--port", type=int, default=0, help="the server's port (0: any free one)")
    parser.add_argument(
        "--write-every", type=float, default=1.0, help="seconds between postings, just-changed pass"
    )
    parser.add_argument(
        "--analyze", action="store_true", help="PostgreSQL: ANALYZE after set-up, before the load"
    )
    args = parser.parse_args()

    var_dir = tempfile.mkdtemp(prefix="xuefen_load_")
    env = {**os.environ, "XUEFEN_VAR_DIR": var_dir}
    env.pop("XUEFEN_SQLITE_PATH", None)
    database_url = env.get("DATABASE_URL")
    if database_url:
        recreate_postgres(database_url)
    database = "PostgreSQL" if database_url else "SQLite"
    print(f"database: {database}; setting up the demo county ...", flush=True)
    began = time.monotonic()
    subprocess.run(
        [XUEFEN, "setup"], env=env, check=True, timeout=900, stdout=subprocess.DEVNULL, cwd=ROOT
    )
    print(f"set-up took {time.monotonic() - began:.0f} s", flush=True)
    if database_url and args.analyze:
        import psycopg

        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("ANALYZE")
        print("ran ANALYZE", flush=True)

    port = args.port or free_port()
    base = f"http://{HOST}:{port}"
    log = open(Path(var_dir) / "server.log", "wb")  # noqa: SIM115 - closed in finally
    # wrk's keep-alive connections stay with the worker that accepted them; each worker holds at
    # most its share, so every run spreads them alike for every URL.
    per_worker = -(-args.connections // args.workers)
    balance = [] if args.unbalanced else ["--worker-connections", str(per_worker)]
    command = [XUEFEN, "serve", "--bind", f"{HOST}:{port}", "--workers", str(args.workers)]
    server = subprocess.Popen(
        [*command, *balance],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    use_wrk = os.path.exists(WRK) and not args.python
    drive = run_wrk if use_wrk else run_python
    try:
        wait_healthy(base, server)
        learner = login(base, "learner")
        unitadmin = login(base, "unitadmin")
        office = login(base, "office")
        targets = [
            ("/healthz (baseline)", "/healthz", ""),
            ("/accounts/login/ (anonymous form)", "/accounts/login/", ""),
            ("/reports/me/ (learner)", "/reports/me/", learner),
            ("/reports/rollup/ (unitadmin, CZJ01)", "/reports/rollup/", unitadmin),
            ("/reports/rollup/ (office, county)", "/reports/rollup/", office),
        ]
        client = "wrk" if use_wrk else "python"
        print(
            f"client: {client}, {args.connections} connections, {args.duration} s per URL; "
            f"gunicorn {args.workers} workers (gthread)"
            f"{'' if args.unbalanced else f', each holding at most {per_worker} connections'}; "
            f"{os.cpu_count()} cores",
            flush=True,
        )
        # Each round measures every URL kept (the writer idle), then every URL just changed (the
        # writer posting): both cases and the form in every round, under the same server and the
        # same drift of the box; ratios are taken within a round, then their median and spread.
        flag = Path(var_dir) / "writing"
        seconds = args.rounds * 2 * len(targets) * (args.duration + 4) + 60
        writer = subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / "_writer.py"), str(args.write_every),
             str(seconds), str(flag)],
            env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        runs: dict[tuple[str, str], list[tuple[int, float, float, int]]] = {}
        loads: list[str] = []
        for number in range(args.rounds):
            for case in ("kept", "just changed"):
                if case == "just changed":
                    flag.touch()
                    time.sleep(1.5)
                for label, path, cookie in targets:
                    size = check_ok(base, path, cookie)
                    warm = argparse.Namespace(**{**vars(args), "duration": 1})
                    drive(base + path, cookie, warm)
                    rps, p99, failures = drive(base + path, cookie, args)
                    runs.setdefault((case, label), []).append((size, rps, p99, failures))
                    print(f"  [{number + 1} {case}] {label}: {rps:.1f} req/s", flush=True)
                flag.unlink(missing_ok=True)
            load = " ".join(f"{x:.1f}" for x in os.getloadavg())
            loads.append(load)
            print(f"  round {number + 1}: load average {load}", flush=True)
        flag.unlink(missing_ok=True)
        writer.terminate()
        out, _err = writer.communicate(timeout=60)
        print(f"  writer posted {out.strip() or '?'} entries (one every {args.write_every} s)")
        print(f"  load averages (1/5/15 min) after each round: {' | '.join(loads)}")
        print()
        print(
            f"| {'case':<12} | {'URL':<36} | {'bytes':>6} | {'req/s (median)':>14} | "
            f"{'÷ form, median':>14} | {'÷ form, min–max':>15} | {'errors':>6} | goal ≥ {GOAL} |"
        )
        print(
            f"|{'-' * 14}|{'-' * 38}|{'-' * 7}:|{'-' * 15}:|{'-' * 15}:|{'-' * 16}:|{'-' * 7}:|{'-' * 13}|"
        )
        for (case, label), measured in runs.items():
            form = runs[(case, "/accounts/login/ (anonymous form)")]
            ratios = [m[1] / f[1] for m, f in zip(measured, form, strict=True)]
            ratio = statistics.median(ratios)
            rps = statistics.median(m[1] for m in measured)
            failures = sum(m[3] for m in measured)
            page = label.startswith("/reports/")
            met = ("met" if ratio >= GOAL else "MISSED") if page else "—"
            spread = f"{min(ratios):.2f}–{max(ratios):.2f}"
            print(
                f"| {case:<12} | {label:<36} | {measured[-1][0]:>6} | {rps:>14.1f} | "
                f"{ratio:>14.2f} | {spread:>15} | {failures:>6} | {met:<11} |"
            )
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(5)
        log.close()
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
