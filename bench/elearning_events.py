"""Benchmark (g): the learning-event endpoint under wrk, beside the log-in form in the same run.

10,000 people learning at once with an event every 30 seconds is 333 events/s; the goal is that
the endpoint answers at least as many requests per second as the anonymous log-in form on the
same server (a page every deployment must serve), on SQLite and on PostgreSQL.

One run builds a throwaway database (`xuefen setup --no-demo`), an online course with one long
video and N learners, each with a logged-in session and an open learning session (set-based: see
`prepare`); starts `xuefen serve` on --port (gunicorn, --workers as `make run`'s 3, each holding
at most its share of wrk's connections unless --unbalanced); then plays
--rounds interleaved rounds on that one server, each the anonymous log-in form and
POST /elearning/events/ for --duration seconds with the same wrk settings, the order alternating
from round to round. The events come from a Lua script cycling through that round's own learners
(each learner belongs to one round), each request the person's next sequence number and the
playhead where normal-speed playback since their first event ("play") puts it (so every event is
judged, accepted and credited: the full path — the session read (skipped when the worker kept the
session from the learner's previous event: about one event in three with 3 workers), the watched
intervals merged, one guarded write of the session, the watched row and the day's total). It prints every round
(with the load average), the median of the rounds' event ÷ form ratios and their spread, the CPU
the server side (gunicorn and, on PostgreSQL, the database's backends) spent per request of each
URL (a figure the other work on a shared box disturbs far less than req/s), and reads back the
sequence numbers and watched seconds the server kept: every event accepted, none lost.

    .venv/bin/python bench/elearning_events.py [--people 2000] [--rounds 7] [--duration 10]
        [--port 8731]
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
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import (
    HOST,
    ROOT,
    UNITS,
    WRK,
    XUEFEN,
    check_ok,
    recreate_postgres,
    run_wrk,
    wait_healthy,
)

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
    """Prints JSON: the start time (epoch seconds) and per learner `cookie<TAB>token`.

    Set-based: the people, their accounts, log-in sessions and learning sessions are each made by
    one bulk INSERT, with the rows `actions.start_session` makes (the watched row, the day's row,
    the course's progress row, the session bound to the log-in by `actions.login_digest`, the
    resource's view count) — one learner through the action itself first, and the bulk rows
    checked against that one's, so the two cannot drift apart."""
    _django()
    import datetime as dt
    import secrets

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.models import Session
    from django.db import transaction
    from django.db.models import F
    from django.utils import timezone

    from tests import factories as f
    from xuefen.accounts.middleware import TOUCHED
    from xuefen.accounts.models import RoleGrant, User
    from xuefen.accounts.roles import Role
    from xuefen.accounts.sessions import SessionStore
    from xuefen.elearning import actions
    from xuefen.elearning.models import Day, LearningSession, Progress, Resource, Watched
    from xuefen.orgs import idnumber
    from xuefen.orgs.models import OrgNode, Person

    region = f.node("压测县", OrgNode.Kind.REGION, code="BR")
    unit = f.node("县财政局", OrgNode.Kind.UNIT, region, code="BU")
    office = User(username="office")
    office.set_unusable_password()
    office.save()
    RoleGrant.objects.create(user=office, role=Role.OFFICE, node=region)
    video = Resource.objects.create(
        owner=region,
        kind=Resource.Kind.VIDEO,
        title="十小时视频",
        duration_seconds=36000,
        stored_name="0" * 32,
        content_type="video/webm",
    )
    course = actions.create_course(
        office, region, actions.CourseInput(code="BENCH", title="压测课程", resource_ids=[video.pk])
    )
    born = dt.date(1970, 1, 1)
    with transaction.atomic():
        Person.objects.bulk_create(
            (
                Person(
                    id_number=idnumber.make(
                        "110101", born + dt.timedelta(days=i // 500), i % 500, "M"
                    ),
                    name=f"学员{i:05d}",
                    sex="M",
                    birth_date=born + dt.timedelta(days=i // 500),
                    unit=unit,
                    category=Person.Category.GENERAL,
                )
                for i in range(people)
            ),
            batch_size=1000,
        )
        persons = list(Person.objects.filter(unit=unit).order_by("id"))
        User.objects.bulk_create(
            (
                User(username=f"learner{i:05d}", person=p, password="!")
                for i, p in enumerate(persons)
            ),
            batch_size=1000,
        )
    users = list(User.objects.filter(username__startswith="learner").order_by("id"))
    backend = settings.AUTHENTICATION_BACKENDS[0]
    start = int(time.time()) + 1
    now = timezone.datetime.fromtimestamp(start, tz=timezone.UTC)
    expiry = timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    keys, rows = [], []
    for user in users:
        store = SessionStore()
        key = store._get_new_session_key()  # type: ignore[attr-defined]
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: backend,
            HASH_SESSION_KEY: user.get_session_auth_hash(),
            TOUCHED: int(time.time()) + 3600,  # as if just used: no session write per request
        }
        keys.append(key)
        rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expiry))
    Session.objects.bulk_create(rows, batch_size=1000)
    # The first learner through the action itself: the bulk rows below are checked against its.
    first = actions.start_session(users[0], course, video, login_key=keys[0], now=now)
    today = timezone.localdate(now)
    rest = list(zip(users[1:], keys[1:], strict=True))
    with transaction.atomic():
        Watched.objects.bulk_create(
            (Watched(person_id=u.person_id, resource=video, updated_at=now) for u, _k in rest),
            batch_size=1000,
        )
        watched = dict(Watched.objects.filter(resource=video).values_list("person_id", "id"))
        Day.objects.bulk_create(
            (Day(person_id=u.person_id, day=today) for u, _k in rest), batch_size=1000
        )
        Progress.objects.bulk_create(
            (Progress(person_id=u.person_id, course=course) for u, _k in rest), batch_size=1000
        )
        device = actions._device("", "")
        LearningSession.objects.bulk_create(
            (
                LearningSession(
                    token=secrets.token_urlsafe(32),
                    login_key=actions.login_digest(key),
                    person_id=u.person_id,
                    course=course,
                    resource=video,
                    watched_id=watched[u.person_id],
                    day=today,
                    day_seconds=0,
                    started_at=now,
                    last_event_at=now,
                    interaction_at=now,
                    position=0.0,
                    device=device,
                )
                for u, key in rest
            ),
            batch_size=1000,
        )
        Resource.objects.filter(pk=video.pk).update(views=F("views") + len(rest))
    skip = {"id", "token", "login_key", "person", "watched"}
    made = {s.person_id: s for s in LearningSession.objects.filter(course=course).order_by("id")}
    for other in list(made.values())[1:3]:
        for field in LearningSession._meta.concrete_fields:
            if field.name not in skip:
                mine, theirs = getattr(other, field.attname), getattr(first, field.attname)
                assert mine == theirs, f"bulk row differs from the action's: {field.name}"
    lines = [
        f"sessionid={key}\t{made[u.person_id].token}" for u, key in zip(users, keys, strict=True)
    ]
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


def _cpu_of(pids: set[int]) -> dict[int, float]:
    """CPU seconds (user + system) each process has used so far."""
    tick = os.sysconf("SC_CLK_TCK")
    out = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[pid] = (int(fields[11]) + int(fields[12])) / tick
    return out


def _server_pids(group: int, database_url: str | None) -> set[int]:
    """The server's processes (its process group: supervisor, gunicorn, task worker) and, on
    PostgreSQL, the backends connected to the bench's database."""
    pids = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group:
            pids.add(int(stat.parent.name))
    if database_url:
        import psycopg

        with psycopg.connect(database_url, autocommit=True) as conn:
            rows = conn.execute(
                "SELECT pid FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchall()
        pids |= {pid for (pid,) in rows}
    return pids


class ServerCpu:
    """CPU milliseconds the server side (gunicorn and, on PostgreSQL, the database's backends)
    spends per request of one wrk run: what the box's two cores pay for it, whatever else runs
    beside (wrk's own share, about the same for both URLs, not counted)."""

    def __init__(self, group: int, database_url: str | None) -> None:
        self.group, self.database_url = group, database_url
        self.before: dict[int, float] = {}

    def start(self) -> None:
        self.before = _cpu_of(_server_pids(self.group, self.database_url))

    def per_request(self, rps: float, seconds: float) -> float:
        after = _cpu_of(_server_pids(self.group, self.database_url) | set(self.before))
        used = sum(cpu - self.before.get(pid, 0.0) for pid, cpu in after.items())
        return 1000 * used / max(rps * seconds, 1)


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def _events(base: str, people_file: Path, script: Path, args: argparse.Namespace) -> dict:
    argv = [
        WRK, f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s",
        "--latency", "--timeout", "30s", "-s", str(script), f"{base}/elearning/events/",
        "--", str(people_file), "0", str(args.threads),
    ]  # fmt: skip
    out = subprocess.run(
        argv, capture_output=True, text=True, timeout=args.duration + 30, check=True
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s|m)\b", out)
    statuses = re.search(r"STATUSES ok=(\d+) refused=(\d+) other=(\d+)", out)
    ok, refused, other = (int(x) for x in statuses.groups())  # type: ignore[union-attr]
    return {
        "rps": rps,
        "p99": float(p99.group(1)) * UNITS[p99.group(2)],  # type: ignore[union-attr]
        "ok": ok,
        "refused": refused,
        "other": other,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--duration", type=int, default=10, help="seconds per URL and round")
    parser.add_argument("--rounds", type=int, default=7, help="interleaved form/event rounds")
    parser.add_argument("--connections", type=int, default=15)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (make run: 3)")
    parser.add_argument(
        "--unbalanced",
        action="store_true",
        help="gunicorn's default 1,000 connections a worker (a worker may take all of wrk's)",
    )
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
    print(
        f"database: {database}; {args.people} learners, one learning session each; "
        f"{args.rounds} rounds of {args.duration} s per URL, wrk -t{args.threads} "
        f"-c{args.connections}, {args.workers} gunicorn workers"
        f"{'' if args.unbalanced else f' holding at most {-(-args.connections // args.workers)} connections each'}",
        flush=True,
    )
    subprocess.run(
        [XUEFEN, "setup", "--no-demo"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL
    )
    began = time.monotonic()
    made = _json_of([sys.executable, __file__, "--prepare", str(args.people)], env)
    print(f"prepared in {time.monotonic() - began:.1f} s (load {_load()})", flush=True)
    # Each round drives its own share of the learners (a learner's sequence numbers live in the
    # wrk process that sends them): round r the learners i with i % rounds == r.
    files = []
    for r in range(args.rounds):
        path = Path(var_dir) / f"people{r}.txt"
        path.write_text("".join(f"{x}\n" for x in made["lines"][r :: args.rounds]), "utf-8")
        files.append(path)
    script = Path(var_dir) / "events.lua"
    script.write_text(LUA, encoding="utf-8")
    base = f"http://{HOST}:{args.port}"
    log = open(Path(var_dir) / "server.log", "wb")  # noqa: SIM115 - closed in finally
    # wrk's keep-alive connections stay with the worker that accepted them, and one worker may
    # take them all while the others idle (measured: one of three idle in three of five runs —
    # both URLs' req/s then two-valued). Each worker holds at most its share, so every run
    # spreads them alike: the same for both URLs.
    per_worker = -(-args.connections // args.workers)
    balance = [] if args.unbalanced else ["--worker-connections", str(per_worker)]
    command = [XUEFEN, "serve", "--bind", f"{HOST}:{args.port}", "--workers", str(args.workers)]
    server = subprocess.Popen(
        [*command, *balance],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_healthy(base, server)
        size = check_ok(base, "/accounts/login/", "")
        warm = argparse.Namespace(**{**vars(args), "duration": 2})
        run_wrk(base + "/accounts/login/", "", warm)
        print()
        print("| round | order | load (1, 5, 15 min) | log-in form req/s | events req/s | "
              "event ÷ form | events p99 | answers | server CPU ms per form / event |")  # fmt: skip
        print("|---:|---|---|---:|---:|---:|---:|---|---|")
        ratios, forms, events, statuses = [], [], [], [0, 0, 0]
        cpu = ServerCpu(server.pid, database_url)
        cpus: list[tuple[float, float]] = []

        def form_run() -> tuple[tuple[float, float, int], float]:
            cpu.start()
            got = run_wrk(base + "/accounts/login/", "", args)
            return got, cpu.per_request(got[0], args.duration)

        def event_run() -> tuple[dict, float]:
            cpu.start()
            got = _events(base, files[r], script, args)
            return got, cpu.per_request(got["rps"], args.duration)

        for r in range(args.rounds):
            load = _load()
            form_first = r % 2 == 0  # alternate which goes first: drift cancels out
            if form_first:
                form, form_cpu = form_run()
                got, event_cpu = event_run()
            else:
                got, event_cpu = event_run()
                form, form_cpu = form_run()
            cpus.append((form_cpu, event_cpu))
            ratio = got["rps"] / form[0]
            ratios.append(ratio)
            forms.append(form[0])
            events.append(got["rps"])
            statuses = [statuses[0] + got["ok"], statuses[1] + got["refused"],
                        statuses[2] + got["other"]]  # fmt: skip
            print(f"| {r + 1} | {'form, events' if form_first else 'events, form'} | {load} | "
                  f"{form[0]:.1f} ({form[2]} errors) | {got['rps']:.1f} | {ratio:.2f} | "
                  f"{got['p99']:.1f} ms | {got['ok']} × 200, {got['refused']} × 409, "
                  f"{got['other']} other | {form_cpu:.2f} / {event_cpu:.2f} |", flush=True)  # fmt: skip
        kept = _json_of([sys.executable, __file__, "--count"], env)
        median = statistics.median(ratios)
        print()
        print(f"form {min(forms):.0f}–{max(forms):.0f} req/s (median {statistics.median(forms):.0f}); "
              f"events {min(events):.0f}–{max(events):.0f} req/s "
              f"(median {statistics.median(events):.0f}); {size}-byte form")  # fmt: skip
        print(f"event ÷ form: median **{median:.2f}**, spread {min(ratios):.2f}–{max(ratios):.2f}, "
              f"{sum(x >= 1 for x in ratios)} of {len(ratios)} rounds ≥ 1; load now {_load()}")  # fmt: skip
        form_cpu = statistics.median(c[0] for c in cpus)
        event_cpu = statistics.median(c[1] for c in cpus)
        print(f"server CPU per request (median of rounds): form {form_cpu:.2f} ms, event "
              f"{event_cpu:.2f} ms; form ÷ event {form_cpu / event_cpu:.2f} (the events per "
              f"CPU-second, as a share of the forms')")  # fmt: skip
        print(f"server kept: {kept['events']} events accepted (wrk saw {statuses[0]} × 200, "
              f"{statuses[1]} × 409, {statuses[2]} other), {kept['refused']} refused recorded, "
              f"{kept['watched']:.0f} seconds watched in all")  # fmt: skip
        print(f"goal (≥ 333 events/s in every round): {'met' if min(events) >= 333 else 'MISSED'}; "
              f"(median ≥ log-in form's): {'met' if median >= 1 else 'MISSED'}")  # fmt: skip
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
