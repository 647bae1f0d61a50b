"""A worker keeps the learning session it last wrote, and the session's next event in that worker
is judged from the kept copy and sent as the guarded write alone (one round trip). The write
checks everything the read would have, so a copy gone stale — another worker took the session's
later events, the learner logged out, a second session opened elsewhere, the office changed the
resource — writes nothing and the event is read again. Each such test runs twice, with copies kept
("kept") and with none ("read"), and expects the same: the copy changes no outcome."""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.contrib.sessions.models import Session

from tests.elearning import helpers as h
from xuefen.elearning import actions, sql
from xuefen.elearning.models import LearningSession, RefusedEvent, Resource, Uncounted, Watched

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["kept", "read"])
def way(request, monkeypatch):
    sql.forget_kept()
    if request.param == "read":
        monkeypatch.setattr(sql, "keep", lambda live: None)
    yield request.param
    sql.forget_kept()


@pytest.fixture
def reads(monkeypatch) -> list[str]:
    """The event reads the database made (the kept copies are not reads)."""
    real = sql._fetch
    made: list[str] = []

    def fetch(db, query, params, *, prepared):
        made.append(query)
        return real(db, query, params, prepared=prepared)

    monkeypatch.setattr(sql, "_fetch", fetch)
    return made


@contextmanager
def another_worker() -> Iterator[None]:
    """What runs inside is served by another worker: it has none of this worker's copies, and
    this worker does not see what it keeps."""
    with sql._kept_lock:
        mine = dict(sql._kept)
        sql._kept.clear()
    try:
        yield
    finally:
        with sql._kept_lock:
            sql._kept.clear()
            sql._kept.update(mine)


def _watched(cast, resource) -> float:
    row = Watched.objects.filter(person=cast.lena_person, resource=resource).first()
    return row.seconds if row else 0.0


def _refused() -> list[tuple[str, int | None]]:
    return list(RefusedEvent.objects.order_by("pk").values_list("reason", "seq"))


def test_the_next_event_in_the_same_worker_reads_nothing(cast, lesson, reads):
    sql.forget_kept()
    player = h.Player(cast.lena, lesson["course"], lesson["video"])
    assert player.send("play", 0, 0).accepted
    assert len(reads) == 1  # the first event of the session reads it
    for clock in (15, 30, 45):
        assert player.send("tick", clock, clock).accepted
    assert len(reads) == 1  # ... the next ones are judged from the copy the worker kept
    assert _watched(cast, lesson["video"]) == 45 and player.refresh().seq == 4
    assert _refused() == []


def test_a_copy_another_worker_moved_past_is_read_again(cast, lesson, way):
    player = h.Player(cast.lena, lesson["course"], lesson["video"])
    player.send("play", 0, 0)  # this worker keeps the session at seq 1
    with another_worker():
        assert player.send("tick", 15, 15).accepted  # seq 2
        assert player.send("tick", 30, 30).accepted  # seq 3
    result = player.send("tick", 45, 45)  # seq 4, here: the copy says seq 1
    assert result.accepted and result.counted == 15 and result.watched == 45
    assert player.refresh().seq == 4 and _watched(cast, lesson["video"]) == 45
    assert _refused() == []


def test_a_replay_of_what_another_worker_took_is_refused(cast, lesson, way):
    """The copy (seq 1) would take seq 2 as the next event; another worker took seq 2 already:
    the guarded write does not apply, and the event read again is a replay."""
    player = h.Player(cast.lena, lesson["course"], lesson["video"])
    player.send("play", 0, 0)
    with another_worker():
        assert player.send("tick", 15, 15).accepted
    again = player.send("tick", 15, 16, seq=2)
    assert not again.accepted and again.refusal == "replayed"
    assert _refused() == [("replayed", 2)]
    assert _watched(cast, lesson["video"]) == 15 and player.refresh().seq == 2


def test_a_log_out_while_the_copy_is_kept_ends_the_learning(cast, lesson, way):
    """The log-in's row deleted (by the session store, without the log-out signal): the next
    event is refused as logged out and the learning session ends, as without the copy."""
    player = h.Player(cast.lena, lesson["course"], lesson["video"])
    player.send("play", 0, 0)
    player.send("tick", 15, 15)
    Session.objects.filter(session_key=player.login).delete()
    late = player.send("tick", 30, 30)
    assert not late.accepted and late.refusal == "logged_out"
    assert _refused() == [("logged_out", 3)]
    assert _watched(cast, lesson["video"]) == 15
    assert player.refresh().status == LearningSession.Status.ENDED


def test_a_log_in_expired_while_the_copy_is_kept_ends_the_learning(cast, lesson, way):
    player = h.Player(cast.lena, lesson["course"], lesson["video"])
    player.send("play", 0, 0)
    Session.objects.filter(session_key=player.login).update(
        expire_date=h.T0 + dt.timedelta(seconds=10)
    )
    late = player.send("tick", 15, 15)
    assert late.refusal == "logged_out" and _refused() == [("logged_out", 2)]
    assert _watched(cast, lesson["video"]) == 0


def test_a_second_session_opened_elsewhere_while_the_copy_is_kept(cast, lesson, way):
    first = h.Player(cast.lena, lesson["course"], lesson["video"])
    first.send("play", 0, 0)
    first.send("tick", 15, 15)
    with another_worker():
        second = h.Player(cast.lena, lesson["course2"], lesson["other"], start_at=20)
        assert second.send("play", 0, 20).accepted
    late = first.send("tick", 30, 30)
    assert not late.accepted and late.refusal == "superseded"
    assert _refused() == [("superseded", 3)]
    assert list(Uncounted.objects.values_list("start", "end", "reason")) == [
        (15.0, 30.0, "concurrent")
    ]
    assert _watched(cast, lesson["video"]) == 15
    assert first.refresh().status == LearningSession.Status.SUPERSEDED
    assert second.send("tick", 15, 35).accepted  # the new one goes on


def test_a_resource_shortened_while_the_copy_is_kept(cast, lesson, way):
    """The office cut the video to 20 s: a position past it is impossible, as the read says."""
    player = h.Player(cast.lena, lesson["course"], lesson["video"])
    player.send("play", 0, 0)
    player.send("tick", 15, 15)
    Resource.objects.filter(pk=lesson["video"].pk).update(duration_seconds=20)
    late = player.send("tick", 30, 30)
    assert not late.accepted and late.refusal == "impossible"
    assert _refused() == [("impossible", 3)]
    assert _watched(cast, lesson["video"]) == 15


def test_a_forged_cookie_with_a_kept_token_is_refused(cast, lesson, way):
    player = h.Player(cast.lena, lesson["course"], lesson["video"])
    player.send("play", 0, 0)
    data = {"token": player.token, "seq": 2, "kind": "tick", "position": 15, "rate": 1}
    forged = actions.record_event(
        player.token, data, login_key="another-log-in", now=h.T0 + dt.timedelta(seconds=15)
    )
    assert forged.refusal == "forged" and _refused() == [("forged", 2)]
    assert player.send("tick", 15, 15).accepted  # the learner's own event still counts
    assert _watched(cast, lesson["video"]) == 15


def test_a_worker_keeps_a_bounded_number_of_sessions(cast, lesson, monkeypatch):
    sql.forget_kept()
    monkeypatch.setattr(sql, "KEEP_AT_MOST", 1)
    first = h.Player(cast.lena, lesson["course"], lesson["video"])
    first.send("play", 0, 0)
    assert list(sql._kept) == [first.token]
    second = h.Player(cast.lena, lesson["course2"], lesson["other"])
    second.send("play", 0, 0)
    assert list(sql._kept) == [second.token]  # the least recently written one is forgotten
    sql.forget_kept()
