"""Benchmark (f): 500 people of one class check in within one rotating-code window.

One run builds a throwaway database (`xuefen setup --no-demo`), a class with a session running now
and 500 learners on its roster, each with a logged-in session, a CSRF cookie and a phone (device
cookie); starts `xuefen serve` on a free loopback port; drives the anonymous log-in form with wrk
(the reference); takes the current code from the classroom screen's endpoint (as the screen does,
logged in as the class's administrator) at the start of a code step; and drives the check-in
endpoint (the POST the phone's confirmation sends) with wrk and a Lua script that cycles through
the 500 people, within that one code's life; then the log-in form again (the check-in is set
against the mean of the two: the box's load moves between runs). It counts the attendance rows:
every one of the 500 checked in exactly once (the first request of each is recorded, every later one is
refused with 409 "already checked in" and changes nothing).

    .venv/bin/python bench/checkin.py [--people 500] [--duration 8] [--connections 16] [--workers 2]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/xuefen_bench .venv/bin/python bench/checkin.py

With DATABASE_URL the named database is dropped and created again (its name must contain "load"
or "bench"); without it, SQLite in a temporary XUEFEN_VAR_DIR.
"""

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import (
    HOST,
    PASSWORD,
    ROOT,
    WRK,
    XUEFEN,
    check_ok,
    free_port,
    login,
    recreate_postgres,
    run_wrk,
    wait_healthy,
)

LUA = r"""
-- Each request is one person's check-in: their session, CSRF and phone cookies; each thread has
-- its share of the people (thread k sends people k, k+T, k+2T, ...) and goes round them.
local threads = {}
function setup(thread)
  thread:set("offset", #threads)
  table.insert(threads, thread)
end
function init(args)
  -- Every request is built once here: request() only hands out the next one (cheap for wrk).
  local people = {}
  for line in io.lines(args[1]) do table.insert(people, line) end
  local body = "csrfmiddlewaretoken=" .. args[2]
  local stride = tonumber(args[3])
  reqs = {}
  for i = offset + 1, #people, stride do
    table.insert(reqs, wrk.format("POST", nil, {
      ["Cookie"] = people[i],
      ["Content-Type"] = "application/x-www-form-urlencoded",
    }, body))
  end
  n = 0
  ok, dup, other = 0, 0, 0
end
function request()
  n = n + 1
  return reqs[((n - 1) % #reqs) + 1]
end
function response(status, headers, body)
  if status == 200 then ok = ok + 1 elseif status == 409 then dup = dup + 1 else other = other + 1 end
end
function done(summary, latency, requests)
  local a, b, c = 0, 0, 0
  for _, t in ipairs(threads) do
    a = a + t:get("ok"); b = b + t:get("dup"); c = c + t:get("other")
  end
  io.write(string.format("STATUSES ok=%d dup=%d other=%d\n", a, b, c))
end
"""


# ------------------------------------------------------------------- inside the server's database


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xuefen.settings")
    import django

    django.setup()


def prepare(people: int) -> None:
    """Prints JSON: the session's id and, per learner, their cookie header."""
    _django()
    import datetime as dt
    from decimal import Decimal

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from tests import factories as f
    from xuefen.accounts.middleware import TOUCHED
    from xuefen.accounts.models import RoleGrant, User
    from xuefen.accounts.roles import Role
    from xuefen.intake.models import Provider
    from xuefen.orgs.models import OrgNode, Person
    from xuefen.training import actions
    from xuefen.training.models import Course

    region = f.node("压测县", OrgNode.Kind.REGION, code="BR")
    unit = f.node("县委党校", OrgNode.Kind.UNIT, region, code="BP")
    office = User(username="office")
    office.set_password(PASSWORD)
    office.save()
    RoleGrant.objects.create(user=office, role=Role.OFFICE, node=region)
    provider = Provider.objects.create(code="BP", name="县委党校", node=unit, serves=region)
    course = Course.objects.create(
        provider=provider, code="BENCH", name="压测课程", categories=["required"],
        amount=Decimal(6), starts_on=dt.date(2020, 1, 1), on_menu=True,
    )  # fmt: skip
    klass = actions.create_class(
        office, course, code="BENCH-1", name="压测班", capacity=people, rule_code="part_time",
        full_time=False, checkout_required=False,
    )  # fmt: skip
    now = timezone.localtime().replace(microsecond=0, tzinfo=None)
    start = max(dt.datetime.combine(now.date(), dt.time(0, 0)), now - dt.timedelta(minutes=5))
    end = min(dt.datetime.combine(now.date(), dt.time(23, 59, 59)), now + dt.timedelta(hours=2))
    session = actions.add_session(
        office, klass, date=now.date(), half="evening", starts_at=start.time(),
        ends_at=end.time(), hours=Decimal(2), topic="压测专题",
    )  # fmt: skip
    actions.change_status(office, klass, "publish")
    persons = [f.person(unit, f"学员{i:04d}") for i in range(people)]
    users = []
    for i, person in enumerate(persons):
        user = User(username=f"learner{i:04d}", person=person)
        user.set_unusable_password()
        users.append(user)
    User.objects.bulk_create(users)
    actions.assign(office, klass, list(Person.objects.filter(unit=unit)))
    backend = settings.AUTHENTICATION_BACKENDS[0]
    cookies = []
    for i, user in enumerate(User.objects.filter(username__startswith="learner").order_by("id")):
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = backend
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store[TOUCHED] = int(time.time()) + 3600  # as if just used: no session write per request
        store.create()
        cookies.append(
            f"sessionid={store.session_key}; xuefen_device=bench-phone-{i:06d}-" + "x" * 8
        )
    print(json.dumps({"session": session.pk, "cookies": cookies}))


def count(session_id: int) -> None:
    """Prints JSON: attendance rows of the session, distinct people, and the first pass's span."""
    _django()
    from django.db.models import Count, Max, Min

    from xuefen.training.models import Attendance

    rows = Attendance.objects.filter(session_id=session_id)
    got = rows.aggregate(
        rows=Count("id"), people=Count("person", distinct=True),
        first=Min("checked_in_at"), last=Max("checked_in_at"),
    )  # fmt: skip
    span = (got["last"] - got["first"]).total_seconds() if got["rows"] else 0.0
    print(json.dumps({"rows": got["rows"], "people": got["people"], "span": span}))


# ------------------------------------------------------------------------------------- the run


def _json_of(argv: list[str], env: dict[str, str]) -> dict:
    out = subprocess.run(argv, env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _code_url(base: str, cookie: str, session_id: int) -> tuple[str, float]:
    """The code the classroom screen shows, fetched at the start of a code step (the code then
    lives two steps); and how long the fetch waited for that start."""
    import urllib.request

    def fetch() -> dict:
        req = urllib.request.Request(
            f"{base}/training/sessions/{session_id}/code/?d=in", headers={"Cookie": cookie}
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            return json.loads(resp.read())

    first = fetch()
    wait = first["refresh_ms"] / 1000
    time.sleep(wait)
    return fetch()["url"], wait


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--duration", type=int, default=8, help="seconds per URL (< 2 code steps)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--cached-sessions",
        action="store_true",
        help="serve with sessions read through the cache (bench/settings_cached_sessions.py)",
    )
    parser.add_argument("--prepare", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        return prepare(args.prepare)
    if args.count:
        return count(args.count)
    if not os.path.exists(WRK):
        sys.exit(f"{WRK} is needed for this benchmark")

    var_dir = tempfile.mkdtemp(prefix="xuefen_checkin_")
    env = {**os.environ, "XUEFEN_VAR_DIR": var_dir, "PYTHONPATH": str(ROOT)}
    env.pop("XUEFEN_SQLITE_PATH", None)
    database_url = env.get("DATABASE_URL")
    if database_url:
        recreate_postgres(database_url)
    database = "PostgreSQL" if database_url else "SQLite"
    step = int(env.get("XUEFEN_TRAINING_CODE_STEP_SECONDS", "10"))
    print(f"database: {database}; {args.people} learners on one class", flush=True)
    subprocess.run(
        [XUEFEN, "setup", "--no-demo"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL
    )
    made = _json_of([sys.executable, __file__, "--prepare", str(args.people)], env)
    people_file = Path(var_dir) / "people.txt"
    csrf = secrets.token_hex(16)
    people_file.write_text(
        "".join(f"{c}; csrftoken={csrf}\n" for c in made["cookies"]), encoding="utf-8"
    )
    script = Path(var_dir) / "checkin.lua"
    script.write_text(LUA, encoding="utf-8")

    port = free_port()
    base = f"http://{HOST}:{port}"
    log = open(Path(var_dir) / "server.log", "wb")  # noqa: SIM115 - closed in finally
    server_env = dict(env)
    if args.cached_sessions:
        server_env["PYTHONPATH"] = f"{ROOT}:{ROOT / 'bench'}"
        server_env["DJANGO_SETTINGS_MODULE"] = "settings_cached_sessions"
        print("sessions read through the cache (cached_db)", flush=True)
    server = subprocess.Popen(
        [XUEFEN, "serve", "--bind", f"{HOST}:{port}", "--workers", str(args.workers)],
        env=server_env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        wait_healthy(base, server)
        office = login(base, "office")
        warm = argparse.Namespace(**{**vars(args), "duration": 2})
        size = check_ok(base, "/accounts/login/", "")
        run_wrk(base + "/accounts/login/", "", warm)
        login_rps, login_p99, login_bad = run_wrk(base + "/accounts/login/", "", args)
        print(f"  /accounts/login/ (anonymous form): {login_rps:.1f} req/s", flush=True)

        url, waited = _code_url(base, office, made["session"])
        path = url.split(HOST, 1)[1].split("/", 1)[1]
        began = time.monotonic()
        argv = [
            WRK, f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s",
            "--latency", "--timeout", "30s", "-s", str(script), f"{base}/{path}",
            "--", str(people_file), csrf, str(args.threads),
        ]  # fmt: skip
        out = subprocess.run(
            argv, capture_output=True, text=True, timeout=args.duration + 30, check=True
        ).stdout
        elapsed = time.monotonic() - began
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
        p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
        statuses = re.search(r"STATUSES ok=(\d+) dup=(\d+) other=(\d+)", out)
        ok, dup, other = (int(x) for x in statuses.groups())  # type: ignore[union-attr]
        got = _json_of([sys.executable, __file__, "--count", str(made["session"])], env)
        # The log-in form again: the box's load moves between runs, so the check-in is set against
        # the mean of the form just before and just after it.
        after_rps, after_p99, after_bad = run_wrk(base + "/accounts/login/", "", args)
        print(f"  /accounts/login/ again: {after_rps:.1f} req/s", flush=True)
        reference = (login_rps + after_rps) / 2
        print()
        print(f"code step {step} s; the code was taken {waited:.1f} s before its step began and "
              f"lives {2 * step} s; wrk ran {elapsed:.1f} s of it")  # fmt: skip
        print("| endpoint | req/s | p99 | answers | ÷ log-in form (mean of before and after) |")
        print("|---|---:|---:|---|---:|")
        print(f"| GET /accounts/login/ before (anonymous form, {size} bytes) | {login_rps:.1f} | "
              f"{login_p99:.1f} ms | {login_bad} errors | {login_rps / reference:.2f} |")  # fmt: skip
        print(f"| POST /training/c/<code>/ (check-in) | {rps:.1f} | "
              f"{p99.group(1)} {p99.group(2)} | {ok} × 200 recorded, {dup} × 409 already checked "
              f"in, {other} other | **{rps / reference:.2f}** |")  # fmt: skip
        print(f"| GET /accounts/login/ after | {after_rps:.1f} | {after_p99:.1f} ms | "
              f"{after_bad} errors | {after_rps / reference:.2f} |")  # fmt: skip
        print()
        first_pass = got["rows"] / got["span"] if got["span"] else float("nan")
        print(f"attendance rows: {got['rows']} for {got['people']} people (of {args.people}); "
              f"the first check-ins of all of them took {got['span']:.2f} s "
              f"({first_pass:.0f} check-ins/s)")  # fmt: skip
        verdict = got["rows"] == got["people"] == args.people == ok and other == 0
        print("no check-in lost or doubled" if verdict else "CHECK-INS LOST OR DOUBLED")
        print(f"goal (check-in req/s ≥ log-in form's): {'met' if rps >= reference else 'MISSED'}")
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
