"""An ordinary playback event is read without a lock and written by one guarded statement. These
tests put something between the read and the write — the same request sent again, a newer
session opened, two copies of a request at once — and show the event is then judged again under
lock: refused and recorded as before, nothing counted twice."""

import copy
import datetime as dt
import threading

import pytest
from django.db import connections

from tests.elearning import helpers as h
from xuefen.elearning import actions, sql
from xuefen.elearning.models import LearningSession, RefusedEvent, Uncounted, Watched


def _watched(person, resource) -> float:
    row = Watched.objects.filter(person=person, resource=resource).first()
    return row.seconds if row else 0.0


def _stale_reads(monkeypatch, live: sql.Live) -> list[bool]:
    """Makes the lock-free read return `live` as it was (a copy each time); the locked read reads
    the database. Returns the list of reads made, True for a locked one."""
    real = sql.load
    reads: list[bool] = []

    def load(token: str, login_key: str, *, lock: bool) -> sql.Live | None:
        reads.append(lock)
        return real(token, login_key, lock=True) if lock else copy.deepcopy(live)

    monkeypatch.setattr(sql, "load", load)
    return reads


@pytest.mark.django_db
def test_an_ordinary_event_takes_the_guarded_write(cast, lesson, monkeypatch):
    player = h.Player(cast.lena, lesson["course"], lesson["video"])
    player.send("play", 0, 0)
    real = sql.load
    reads: list[bool] = []
    monkeypatch.setattr(
        sql, "load", lambda t, k, *, lock: reads.append(lock) or real(t, k, lock=lock)
    )
    assert player.send("tick", 15, 15).accepted
    assert reads == [False]  # no locked read: the guarded write applied
    assert player.refresh().seq == 2 and _watched(cast.lena_person, lesson["video"]) == 15


@pytest.mark.django_db
def test_a_request_replayed_between_the_read_and_the_write_is_refused(cast, lesson, monkeypatch):
    player = h.Player(cast.lena, lesson["course"], lesson["video"])
    player.send("play", 0, 0)
    before = sql.load(player.token, player.login, lock=False)
    assert before is not None
    assert player.send("tick", 15, 15).accepted  # seq 2, then the same request once more:
    reads = _stale_reads(monkeypatch, before)  # ... its read still sees seq 1
    again = player.send("tick", 15, 16, seq=2)
    assert reads == [False, True]  # the guarded write found the session moved: judged again
    assert not again.accepted and again.refusal == "replayed"
    assert _watched(cast.lena_person, lesson["video"]) == 15
    assert list(RefusedEvent.objects.values_list("seq", "reason")) == [(2, "replayed")]
    assert player.refresh().seq == 2


@pytest.mark.django_db
def test_a_session_replaced_between_the_read_and_the_write_counts_nothing(
    cast, lesson, monkeypatch
):
    first = h.Player(cast.lena, lesson["course"], lesson["video"])
    first.send("play", 0, 0)
    before = sql.load(first.token, first.login, lock=False)
    assert before is not None
    h.Player(cast.lena, lesson["course2"], lesson["other"], start_at=5)  # another window opens
    _stale_reads(monkeypatch, before)
    late = first.send("tick", 15, 15)
    assert late.refusal == "superseded"
    assert _watched(cast.lena_person, lesson["video"]) == 0
    assert first.refresh().status == LearningSession.Status.SUPERSEDED
    assert list(Uncounted.objects.values_list("start", "end", "reason")) == [(0, 15, "concurrent")]


# Rows must be committed for the other threads to see them; append_only_flush empties the
# database afterwards despite the append-only triggers (see tests/audit/append_only.py).
@pytest.mark.usefixtures("append_only_flush")
def test_copies_of_one_request_sent_at_once_count_once(cast, lesson):
    player = h.Player(cast.lena, lesson["course"], lesson["video"])
    player.send("play", 0, 0)
    data = {"token": player.token, "seq": 2, "kind": "tick", "position": 15, "rate": 1}
    at = h.T0 + dt.timedelta(seconds=15)
    start = threading.Barrier(4)
    results: list[actions.EventResult] = []
    errors: list[BaseException] = []

    def send() -> None:
        try:
            start.wait()
            results.append(actions.record_event(player.token, data, login_key=player.login, now=at))
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(r.accepted for r in results) == [False, False, False, True]
    assert {r.refusal for r in results if not r.accepted} == {"replayed"}
    assert _watched(cast.lena_person, lesson["video"]) == 15
    assert RefusedEvent.objects.filter(reason="replayed").count() == 3
    assert player.refresh().seq == 2


def _cut(conn) -> None:
    """Breaks the kept database connection as a database restart would."""
    if conn.vendor == "postgresql":
        pid = conn.connection.info.backend_pid
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        finally:
            other.close()
    else:
        conn.connection.close()


@pytest.mark.usefixtures("append_only_flush")
def test_an_event_on_a_broken_kept_connection_is_read_again_on_a_new_one(cast, lesson):
    player = h.Player(cast.lena, lesson["course"], lesson["video"])
    player.send("play", 0, 0)
    conn = connections["default"]
    _cut(conn)
    conn.health_check_done = False  # as at the start of a request
    result = player.send("tick", 15, 15)  # no health check first: the read finds the break
    assert result.accepted and result.counted == 15
    assert _watched(cast.lena_person, lesson["video"]) == 15
