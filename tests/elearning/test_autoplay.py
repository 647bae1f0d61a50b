"""The known auto-play techniques (刷课) against the server: each earns nothing beyond what was
really watched at normal speed, and every interval that did not count is stored with its reason."""

from dataclasses import replace
from decimal import Decimal

import pytest

from tests.elearning import helpers as h
from xuefen.elearning import actions, rules
from xuefen.elearning.models import LearningSession, RefusedEvent, Uncounted, Watched
from xuefen.ledger.models import Entry

pytestmark = pytest.mark.django_db


def watched(cast, resource) -> float:
    row = Watched.objects.filter(person=cast.lena_person, resource=resource).first()
    return row.seconds if row else 0.0


def reasons(cast) -> list[tuple[float, float, str]]:
    return sorted(
        (round(u.start), round(u.end), u.reason)
        for u in Uncounted.objects.filter(person=cast.lena_person)
    )


def refusals(cast) -> list[str]:
    return sorted(
        RefusedEvent.objects.filter(person=cast.lena_person).values_list("reason", flat=True)
    )


def test_honest_watching_counts_what_was_watched(cast, lesson):
    player = h.Player(cast.lena, lesson["course"], lesson["video"])
    player.watch(0, 40)
    player.send("pause", 40, 40)
    assert watched(cast, lesson["video"]) == 40
    assert reasons(cast) == [] and refusals(cast) == []


def test_forged_heartbeats_with_made_up_positions_earn_nothing(cast, lesson):
    player = h.Player(cast.lena, lesson["course"], lesson["video"])
    player.send("play", 0, 0)
    result = player.send("tick", 300, 15)  # 300 seconds of video in 15 seconds
    assert not result.accepted and result.refusal == "impossible"
    assert watched(cast, lesson["video"]) == 0
    assert reasons(cast) == [(0, 300, "impossible")]
    assert refusals(cast) == ["impossible"]
    # Beyond the end of the video: refused too.
    assert player.send("tick", 5000, 30).refusal == "impossible"
    assert watched(cast, lesson["video"]) == 0


def test_a_forged_token_or_a_token_from_another_log_in_is_refused(cast, lesson):
    mine = h.Player(cast.lena, lesson["course"], lesson["video"])
    data = {"token": "made-up", "seq": 1, "kind": "tick", "position": 10, "rate": 1}
    assert actions.record_event("made-up", data, login_key=mine.login).refusal == "forged"
    stolen = {**data, "token": mine.token}
    elsewhere = actions.record_event(mine.token, stolen, login_key="another-browser")
    assert elsewhere.refusal == "forged"
    assert mine.refresh().seq == 0
    assert watched(cast, lesson["video"]) == 0
    assert RefusedEvent.objects.filter(reason="forged").count() == 2


@pytest.mark.parametrize("speed", [2, 16])
def test_fast_playback_earns_nothing(cast, lesson, speed):
    player = h.Player(cast.lena, lesson["course"], lesson["video"])
    player.send("play", 0, 0, rate=speed)
    for i in range(1, 5):
        player.send("tick", 5 * i * speed, 5 * i, rate=speed)
    assert watched(cast, lesson["video"]) == 0
    assert reasons(cast) == [(0, 20 * speed, "too_fast")]  # one row, merged


def test_frequent_reports_cannot_add_up_their_tolerance(cast, lesson):
    """4× speed reported as normal, one report a second: each report alone is within the
    tolerance, but they are added up: what counts never exceeds the time that passed."""
    player = h.Player(cast.lena, lesson["course"], lesson["video"])
    player.send("play", 0, 0)
    for second in range(1, 121):
        player.send("tick", 4 * second, second)
    assert watched(cast, lesson["video"]) <= 120 + rules.learning().slack_seconds
    assert {r for _a, _b, r in reasons(cast)} == {"impossible"}


def test_a_late_report_costs_an_honest_learner_nothing(cast, lesson):
    player = h.Player(cast.lena, lesson["course"], lesson["video"])
    player.send("play", 0, 0)
    player.send("tick", 15, 25)  # held up 10 seconds on the way
    player.send("tick", 30, 30)  # and the next one on time
    assert watched(cast, lesson["video"]) == 30


def test_progress_over_a_long_silence_does_not_count(cast, lesson):
    player = h.Player(cast.lena, lesson["course"], lesson["video"])
    player.send("play", 0, 0)
    player.send("tick", 300, 300)  # one report after five minutes of silence
    assert watched(cast, lesson["video"]) == 0
    assert reasons(cast) == [(0, 300, "no_report")]


def test_fast_playback_reported_as_normal_speed_is_refused(cast, lesson):
    player = h.Player(cast.lena, lesson["course"], lesson["video"])
    player.send("play", 0, 0)
    result = player.send("tick", 30, 15)  # rate says 1, the playhead moved at 2×
    assert result.refusal == "impossible"
    assert watched(cast, lesson["video"]) == 0


def test_two_courses_at_once_count_only_the_newer_session(cast, lesson):
    first = h.Player(cast.lena, lesson["course"], lesson["video"])
    first.send("play", 0, 0)
    second = h.Player(cast.lena, lesson["course2"], lesson["other"], start_at=1)
    second.send("play", 0, 1)
    for i in range(1, 5):
        first.send("tick", 15 * i, 15 * i)
        second.send("tick", 15 * i, 15 * i + 1)
    assert watched(cast, lesson["other"]) == 60
    assert watched(cast, lesson["video"]) == 0
    assert first.refresh().status == LearningSession.Status.SUPERSEDED
    assert set(refusals(cast)) == {"superseded"}
    assert (0, 15, "concurrent") in reasons(cast)
    assert LearningSession.objects.filter(person=cast.lena_person, status="active").count() == 1


def test_a_hidden_tab_earns_nothing_while_hidden(cast, lesson):
    player = h.Player(cast.lena, lesson["course"], lesson["video"])
    player.send("play", 0, 0)
    player.send("tick", 15, 15)
    player.send("hidden", 15, 15)
    player.send("tick", 30, 30)
    player.send("tick", 45, 45)
    player.send("visible", 60, 60)
    player.send("tick", 75, 75)
    assert watched(cast, lesson["video"]) == 30
    assert reasons(cast) == [(15, 60, "hidden")]


def test_seeking_to_the_end_earns_only_what_was_played(cast, lesson):
    player = h.Player(cast.lena, lesson["course"], lesson["video"])
    player.send("play", 0, 0)
    player.send("seek", 590, 5, **{"from": 5})
    result = player.send("ended", 600, 15)
    assert watched(cast, lesson["video"]) == 15
    assert reasons(cast) == [(5, 590, "skipped")]
    assert not result.completed
    assert not Entry.objects.filter(person=cast.lena_person).exists()


def test_a_replayed_or_out_of_order_request_is_refused(cast, lesson):
    player = h.Player(cast.lena, lesson["course"], lesson["video"])
    player.send("play", 0, 0)
    player.send("tick", 15, 15)
    again = player.send("tick", 15, 30, seq=2)  # the same request sent again
    assert again.refusal == "replayed"
    ahead = player.send("tick", 30, 30, seq=9)
    assert ahead.refusal == "out_of_order"
    assert watched(cast, lesson["video"]) == 15
    assert refusals(cast) == ["out_of_order", "replayed"]
    assert player.refresh().seq == 2


def test_time_without_interaction_counts_until_the_prompt_is_answered(cast, lesson, monkeypatch):
    short = replace(rules.learning(), interaction_interval_seconds=60)
    monkeypatch.setattr(rules, "learning", lambda: short)
    player = h.Player(cast.lena, lesson["course"], lesson["video"])
    player.watch(0, 90)
    assert watched(cast, lesson["video"]) == 60
    assert reasons(cast) == [(60, 90, "no_interaction")]
    prompt = player.refresh().prompt
    assert prompt
    player.send("answer", 90, 90, answer="wrong")
    assert player.refresh().prompt == prompt  # a wrong answer does not count
    player.send("answer", 90, 91, answer=prompt)
    player.send("tick", 105, 106)
    assert watched(cast, lesson["video"]) == 75


def test_time_above_the_daily_cap_does_not_count(cast, lesson, monkeypatch):
    capped = replace(rules.learning(), daily_cap_minutes=1)
    monkeypatch.setattr(rules, "learning", lambda: capped)
    player = h.Player(cast.lena, lesson["course"], lesson["video"])
    player.watch(0, 90)
    assert watched(cast, lesson["video"]) == 60
    assert reasons(cast) == [(60, 90, "daily_cap")]


def test_watching_a_part_again_counts_it_once(cast, lesson):
    player = h.Player(cast.lena, lesson["course"], lesson["video"])
    player.watch(0, 30)
    player.send("seek", 0, 30, **{"from": 30})
    player.watch(0, 45, at=30)
    row = Watched.objects.get(person=cast.lena_person, resource=lesson["video"])
    assert row.seconds == 45 and row.intervals == [[0, 45]]


def test_the_course_completes_once_with_one_ledger_entry(cast, lesson):
    player = h.Player(cast.lena, lesson["course"], lesson["video"])
    player.watch(0, 600, every=30)
    result = player.send("ended", 600, 600)
    assert result.completed
    entries = Entry.objects.filter(person=cast.lena_person, source_type="online_course")
    assert entries.count() == 1
    entry = entries.get()
    # cadre_township: online_course by duration, a 10-minute course is under 15 minutes.
    assert str(entry.amount) == "0.25" and "online" in entry.categories
    assert actions.complete_if_done(cast.lena_person.pk, lesson["course"])
    player.send("pause", 600, 601)
    assert entries.count() == 1


def test_a_course_with_a_test_completes_when_the_test_is_passed(cast, lesson):
    tested = h.course(cast, "C3", lesson["other"], rule="watch_and_test")
    player = h.Player(cast.lena, tested, lesson["other"])
    player.watch(0, 600, every=30)
    assert not player.send("ended", 600, 600).completed
    assert not actions.record_test_score(cast.lena_person.pk, tested, Decimal(50))
    assert actions.record_test_score(cast.lena_person.pk, tested, Decimal(80))
    entry = Entry.objects.get(person=cast.lena_person, source_type="online_course")
    assert str(entry.amount) == "0.75"  # 0.25 for a 10-minute course + 0.5 for the test
