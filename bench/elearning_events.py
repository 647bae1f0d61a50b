"""Benchmark (g): the learning-event endpoint under wrk, beside the log-in form in the same run.

10,000 people learning at once with an event every 30 seconds is 333 events/s; the goal is that
the endpoint answers at least as many requests per second as the anonymous log-in form on the
same server (a page every deployment must serve), on SQLite and on PostgreSQL.

One run builds a throwaway database (`xuefen setup --no-demo`), an online course with one long
video and N learners, each with a logged-in session and an open learning session (made by the
action, as the player page makes it); starts `xuefen serve` on --port; drives the anonymous log-in
form with wrk; then drives POST /elearning/events/ with a Lua script that cycles through the
learners, each request the person's next sequence number and the playhead where normal-speed
playback since their first event ("play") puts it (so every event is judged, accepted and credited: the
full path — the session read, the watched intervals merged, one guarded write of the session, the
watched row and the day's total); then
the log-in form again (the endpoint is set against the mean of the two). It reads back the
sequence numbers and watched seconds the server kept: every event accepted, none lost.

    .venv/bin/python bench/elearning_events.py [--people 2000] [--duration 10] [--port 8731]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/xuefen_bench .venv/bin/python bench/elearning_events.py

With DATABASE_URL the named database is dropped and created again (its name must contain "load"
or "bench"); without it, SQLite in a temporary XUEFEN_VAR_DIR.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import HOST, ROOT, WRK, XUEFEN, check_ok, recreate_postgres, run_wrk, wait_healthy

LUA = r"""
-- Each request is one learner's next playback event: their session cookie, their learning
-- session's token, the next sequence number, the playhead at normal speed since they pressed
-- play (their first event).
local threads = {}
function setup(thread)
  thread:set("offset", #threads)
  table.insert(threads, thread)
end
function init(args)
  people = {}
  local stride = tonumber(args[3])
  local i = 0
  for line in io.lines(args[1]) do
    if i % stride == offset then
      local cookie, token = line:match("^(.-)\t(.-)$")
      table.insert(people, {cookie = cookie, token = token, seq = 0})
    end
    i = i + 1
  end
  n = 0
  ok, refused, other = 0, 0, 0
end
function request()
  n = n + 1
  local p = people[((n - 1) % #people) + 1]
  p.seq = p.seq + 1
  local kind = "tick"
  if p.seq == 1 then
    p.t0 = os.time()  -- the learner presses play
    kind = "play"
  end
  local position = os.time() - p.t0
  local body = string.format(
    '{"token":"%s","seq":%d,"kind":"%s","position":%d,"rate":1}', p.token, p.seq, kind, position)
  return wrk.format("POST", nil, {
    ["Cookie"] = p.cookie, ["Content-Type"] = "application/json"}, body)
end
function response(status, headers, body)
  if status == 200 then ok = ok + 1 elseif status == 409 then refused = refused + 1 else other = other + 1 end
end
function done(summary, latency, requests)
  local a, b, c = 0, 0, 0
  for _, t in ipairs(threads) do
    a = a + t:get("ok"); b = b + t:get("refused"); c = c + t:get("other")
  end
  io.write(string.format("STATUSES ok=%d refused=%d other=%d\n", a, b, c))
end
"""


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xuefen.settings")
    import django

    django.setup()


def prepare(people: int) -> None:
    """Prints JSON: the start time (epoch seconds) and per learner `cookie<TAB>token`."""
    _django()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from tests import factories as f
    from xuefen.accounts.middleware import TOUCHED
    from xuefen.accounts.models import RoleGrant, User
    from xuefen.accounts.roles import Role
    from xuefen.elearning import actions
    from xuefen.elearning.models import Resource
    from xuefen.orgs.models import OrgNode

    region = f.node("压测县", OrgNode.Kind.REGION, code="BR")
    unit = f.node("县财政局", OrgNode.Kind.UNIT, region, code="BU")
    office = User(username="office")
    office.set_unusable_password()
    office.save()
    RoleGrant.objects.create(user=office, role=Role.OFFICE, node=region)
    video = Resource.objects.create(
        owner=region, kind=Resource.Kind.VIDEO, title="十小时视频", duration_seconds=36000,
        stored_name="0" * 32, content_type="video/webm",
    )  # fmt: skip
    course = actions.create_course(
        office, region, actions.CourseInput(code="BENCH", title="压测课程", resource_ids=[video.pk])
    )
    persons = [f.person(unit, f"学员{i:05d}") for i in range(people)]
    User.objects.bulk_create(
        User(username=f"learner{i:05d}", person=p, password="!") for i, p in enumerate(persons)
    )
    backend = settings.AUTHENTICATION_BACKENDS[0]
    start = int(time.time()) + 1
    now = timezone.datetime.fromtimestamp(start, tz=timezone.UTC)
    lines = []
    for user in User.objects.filter(username__startswith="learner").order_by("id"):
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = backend
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store[TOUCHED] = int(time.time()) + 3600  # as if just used: no session write per request
        store.create()
        session = actions.start_session(
            user, course, video, login_key=store.session_key or "", now=now
        )
        lines.append(f"sessionid={store.session_key}\t{session.token}")
    print(json.dumps({"start": start, "lines": lines}))


def count() -> None:
    """Prints JSON: events the server accepted (sum of sequence numbers), watched seconds."""
    _django()
    from django.db.models import Sum

    from xuefen.elearning.models import LearningSession, RefusedEvent, Watched

    got = LearningSession.objects.aggregate(events=Sum("seq"))
    watched = Watched.objects.aggregate(s=Sum("seconds"))["s"] or 0
    refused = RefusedEvent.objects.count()
    print(json.dumps({"events": got["events"] or 0, "watched": watched, "refused": refused}))


def _json_of(argv: list[str], env: dict[str, str]) -> dict:
    out = subprocess.run(argv, env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--duration", type=int, default=10, help="seconds per URL")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8731)
    parser.add_argument("--prepare", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--count", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        return prepare(args.prepare)
    if args.count:
        return count()
    if not os.path.exists(WRK):
        sys.exit(f"{WRK} is needed for this benchmark")
    var_dir = tempfile.mkdtemp(prefix="xuefen_elearning_")
    env = {**os.environ, "XUEFEN_VAR_DIR": var_dir, "PYTHONPATH": str(ROOT)}
    env.pop("XUEFEN_SQLITE_PATH", None)
    database_url = env.get("DATABASE_URL")
    if database_url:
        recreate_postgres(database_url)
    database = "PostgreSQL" if database_url else "SQLite"
    print(f"database: {database}; {args.people} learners, one learning session each", flush=True)
    subprocess.run(
        [XUEFEN, "setup", "--no-demo"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL
    )
    made = _json_of([sys.executable, __file__, "--prepare", str(args.people)], env)
    people_file = Path(var_dir) / "people.txt"
    people_file.write_text("".join(f"{line}\n" for line in made["lines"]), encoding="utf-8")
    script = Path(var_dir) / "events.lua"
    script.write_text(LUA, encoding="utf-8")
    base = f"http://{HOST}:{args.port}"
    log = open(Path(var_dir) / "server.log", "wb")  # noqa: SIM115 - closed in finally
    server = subprocess.Popen(
        [XUEFEN, "serve", "--bind", f"{HOST}:{args.port}", "--workers", str(args.workers)],
        env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        wait_healthy(base, server)
        warm = argparse.Namespace(**{**vars(args), "duration": 2})
        size = check_ok(base, "/accounts/login/", "")
        run_wrk(base + "/accounts/login/", "", warm)
        login_rps, login_p99, login_bad = run_wrk(base + "/accounts/login/", "", args)
        print(f"  /accounts/login/ (anonymous form): {login_rps:.1f} req/s", flush=True)
        argv = [
            WRK, f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s",
            "--latency", "--timeout", "30s", "-s", str(script), f"{base}/elearning/events/",
            "--", str(people_file), str(made["start"]), str(args.threads),
        ]  # fmt: skip
        out = subprocess.run(
            argv, capture_output=True, text=True, timeout=args.duration + 30, check=True
        ).stdout
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
        p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
        statuses = re.search(r"STATUSES ok=(\d+) refused=(\d+) other=(\d+)", out)
        ok, refused, other = (int(x) for x in statuses.groups())  # type: ignore[union-attr]
        print(f"  POST /elearning/events/: {rps:.1f} req/s", flush=True)
        got = _json_of([sys.executable, __file__, "--count"], env)
        after_rps, after_p99, after_bad = run_wrk(base + "/accounts/login/", "", args)
        print(f"  /accounts/login/ again: {after_rps:.1f} req/s", flush=True)
        reference = (login_rps + after_rps) / 2
        print()
        print("| endpoint | req/s | p99 | answers | ÷ log-in form (mean of before and after) |")
        print("|---|---:|---:|---|---:|")
        print(f"| GET /accounts/login/ before (anonymous form, {size} bytes) | {login_rps:.1f} | "
              f"{login_p99:.1f} ms | {login_bad} errors | {login_rps / reference:.2f} |")  # fmt: skip
        print(f"| POST /elearning/events/ (a learner's next event) | {rps:.1f} | "
              f"{p99.group(1)} {p99.group(2)} | {ok} × 200 accepted, {refused} × 409 refused, "
              f"{other} other | **{rps / reference:.2f}** |")  # fmt: skip
        print(f"| GET /accounts/login/ after | {after_rps:.1f} | {after_p99:.1f} ms | "
              f"{after_bad} errors | {after_rps / reference:.2f} |")  # fmt: skip
        print()
        print(f"server kept: {got['events']} events accepted (wrk saw {ok} × 200), "
              f"{got['refused']} refused, {got['watched']:.0f} seconds watched in all")  # fmt: skip
        print(f"goal (≥ 333 events/s): {'met' if rps >= 333 else 'MISSED'}; "
              f"(≥ log-in form's): {'met' if rps >= reference else 'MISSED'}")  # fmt: skip
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
