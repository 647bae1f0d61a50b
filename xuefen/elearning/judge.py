"""What one playback event of a learning session earns (pure: no database, no clock).

The browser says what it did; the server decides what counted. Between the session's previous
event and this one the server saw `elapsed` seconds pass; the playhead moved from the position
the server last accepted to the one reported. That movement counts only when the page was
visible, at most the allowed speed, within the interaction interval and not by seeking — every
part that does not count comes back with its reason. The daily cap and "watched before" are the
action's (they need the person's other records)."""

import datetime as dt
from dataclasses import dataclass, field, replace

from xuefen.elearning.reasons import Reason, Refusal
from xuefen.elearning.rules import LearningRule

KINDS = frozenset({"tick", "play", "pause", "seek", "hidden", "visible", "ended", "answer"})
MAX_POSITION_ERROR = 1.0  # seconds a position may exceed the resource's length (rounding)


@dataclass(frozen=True)
class State:
    """What the server keeps of a session between events."""

    seq: int
    position: float
    hidden: bool
    rate: float
    last_event_at: dt.datetime
    interaction_at: dt.datetime
    prompt: str = ""  # the nonce of an unanswered "still learning?" prompt
    # Seconds the playhead is ahead of the time the server saw pass (negative: behind, e.g. after
    # a report delayed by the network or a pause, down to the rule's bank). Progress may run at
    # most `slack_seconds` ahead in all: frequent reports cannot add up their tolerances, and
    # whatever the reports say, what counts never exceeds the time that passed.
    lag: float = 0.0


@dataclass(frozen=True)
class Event:
    seq: int
    kind: str
    position: float
    rate: float = 1.0
    seek_from: float | None = None
    answer: str = ""


@dataclass
class Outcome:
    state: State
    counted: list[tuple[float, float]] = field(default_factory=list)
    uncounted: list[tuple[float, float, Reason]] = field(default_factory=list)
    refusal: Refusal | None = None
    ask: bool = False  # show the prompt now


def parse(data: object) -> Event | None:
    """The event from a decoded JSON body, or None when it is not one."""
    if not isinstance(data, dict):
        return None
    try:
        seq, kind = data["seq"], data["kind"]
        position = float(data["position"])
        rate = float(data.get("rate", 1.0))
        seek_from = data.get("from")
        seek_from = float(seek_from) if seek_from is not None else None
    except (KeyError, TypeError, ValueError):
        return None
    if not isinstance(seq, int) or isinstance(seq, bool) or kind not in KINDS:
        return None
    numbers = [position, rate] + ([seek_from] if seek_from is not None else [])
    if any(n != n or n in (float("inf"), float("-inf")) or n < 0 for n in numbers):
        return None
    answer = data.get("answer", "")
    return Event(seq, kind, position, rate, seek_from, answer if isinstance(answer, str) else "")


def _move(
    state: State,
    start: float,
    end: float,
    now: dt.datetime,
    rule: LearningRule,
    out: Outcome,
) -> float:
    """Judges the playhead's move from `start` to `end` over the time since the last event;
    returns the new lag."""
    elapsed = max((now - state.last_event_at).total_seconds(), 0.0)
    spent = max(state.lag - elapsed * rule.max_rate, -rule.lag_bank_seconds)  # nothing counted
    if end <= start:
        return spent
    advance = end - start
    if state.lag + advance - elapsed * max(state.rate, rule.max_rate) > rule.slack_seconds:
        # Further than even the reported speed allows: a made-up position.
        out.uncounted.append((start, end, Reason.IMPOSSIBLE))
        out.refusal = Refusal.IMPOSSIBLE
        return spent
    ahead = state.lag + advance - elapsed * rule.max_rate
    if state.rate > rule.max_rate + 1e-6 or ahead > rule.slack_seconds:
        out.uncounted.append((start, end, Reason.TOO_FAST))
        return spent
    if elapsed > rule.max_gap_seconds:
        out.uncounted.append((start, end, Reason.NO_REPORT))
        return spent
    if state.hidden:
        out.uncounted.append((start, end, Reason.HIDDEN))
        return spent
    deadline = state.interaction_at + dt.timedelta(seconds=rule.interaction_interval_seconds)
    if now <= deadline:
        out.counted.append((start, end))
        return max(ahead, -rule.lag_bank_seconds)
    # The part after the deadline did not count: split the move in proportion to its time.
    share = (deadline - state.last_event_at).total_seconds() / elapsed if elapsed else 0.0
    cut = start + (end - start) * min(max(share, 0.0), 1.0)
    if cut > start:
        out.counted.append((start, cut))
    out.uncounted.append((cut, end, Reason.NO_INTERACTION))
    return max(state.lag + (cut - start) - elapsed * rule.max_rate, -rule.lag_bank_seconds)


def judge(
    state: State, event: Event, now: dt.datetime, rule: LearningRule, length: float
) -> Outcome:
    """The outcome of `event` arriving at `now` on a session in `state` over a resource of
    `length` seconds. A refused event (replayed, out of order) leaves the state as it was; an
    impossible one is refused but moves the playhead (nothing of it counts), so the honest
    events after it are judged from there."""
    if event.seq <= state.seq:
        return Outcome(state, refusal=Refusal.REPLAYED)
    if event.seq != state.seq + 1:
        return Outcome(state, refusal=Refusal.OUT_OF_ORDER)
    out = Outcome(state)
    positions = [event.position] + ([event.seek_from] if event.seek_from is not None else [])
    if any(p > length + MAX_POSITION_ERROR for p in positions):
        out.refusal = Refusal.IMPOSSIBLE
        out.uncounted.append((state.position, length, Reason.IMPOSSIBLE))
        out.state = replace(state, seq=event.seq, last_event_at=now)
        return out
    position = min(event.position, length)
    if event.kind == "seek" and event.seek_from is not None:
        reached = min(event.seek_from, length)
        lag = _move(state, state.position, reached, now, rule, out)
        if position > reached:
            out.uncounted.append((reached, position, Reason.SKIPPED))
    else:
        lag = _move(state, state.position, position, now, rule, out)
    interaction_at, prompt = state.interaction_at, state.prompt
    if event.kind == "answer" and prompt and event.answer == prompt:
        interaction_at, prompt = now, ""
    deadline = interaction_at + dt.timedelta(seconds=rule.interaction_interval_seconds)
    hidden = {"hidden": True, "visible": False}.get(event.kind, state.hidden)
    out.state = State(
        seq=event.seq,
        position=position,
        hidden=hidden,
        rate=event.rate,
        last_event_at=now,
        interaction_at=interaction_at,
        prompt=prompt,
        lag=lag,
    )
    out.ask = now >= deadline - dt.timedelta(seconds=rule.prompt_ahead_seconds)
    return out
