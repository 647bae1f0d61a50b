"""Watched time as merged intervals of a resource's timeline, in seconds (pure).

A person's watched part of a resource is a sorted list of disjoint [start, end] pairs: watching a
part again adds nothing, and a year of heartbeats stays a handful of numbers."""

Interval = tuple[float, float]


def merge(intervals: list[Interval], start: float, end: float) -> list[Interval]:
    """The intervals with [start, end] added, merged where they touch or overlap."""
    if end <= start:
        return list(intervals)
    out: list[Interval] = []
    placed = False
    for a, b in intervals:
        if b < start:
            out.append((a, b))
        elif a > end:
            if not placed:
                out.append((start, end))
                placed = True
            out.append((a, b))
        else:
            start, end = min(a, start), max(b, end)
    if not placed:
        out.append((start, end))
    return sorted(out)


def uncovered(intervals: list[Interval], start: float, end: float) -> list[Interval]:
    """The parts of [start, end] no interval covers yet, in order."""
    gaps: list[Interval] = []
    cursor = start
    for a, b in intervals:
        if b <= cursor:
            continue
        if a >= end:
            break
        if a > cursor:
            gaps.append((cursor, min(a, end)))
        cursor = max(cursor, b)
        if cursor >= end:
            break
    if cursor < end:
        gaps.append((cursor, end))
    return gaps


def total(intervals: list[Interval]) -> float:
    return sum(b - a for a, b in intervals)


def take(pieces: list[Interval], budget: float) -> tuple[list[Interval], list[Interval]]:
    """The pieces split at `budget` seconds: (within the budget, beyond it)."""
    within: list[Interval] = []
    beyond: list[Interval] = []
    for a, b in pieces:
        if budget <= 0:
            beyond.append((a, b))
        elif b - a <= budget:
            within.append((a, b))
            budget -= b - a
        else:
            within.append((a, a + budget))
            beyond.append((a + budget, b))
            budget = 0
    return within, beyond
