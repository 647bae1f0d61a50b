"""Keeping standings current: each one is the judge's verdict (`ledger.judging`) for a (person,
period), stored so that roll-ups count without judging.

A standing goes stale when one of its inputs changes:
- the person's credits or exemptions: the writer and the exemption action re-judge in the same
  transaction (`refresh`);
- the person's facts (category, title, birth or hire date, unit: any change of the person's row)
  or a rule-set version of their regions: those changes are made below the ledger (orgs, policy),
  which do not reach up to it. Instead every reader first `settle`s the standings it is about to
  show: a standing older than its person's row or than the newest rule set of their regions, or
  missing, is judged again there and then (or, when too many are, by the background worker).
"""

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, FilteredRelation, Q, QuerySet
from django.utils import timezone

from xuefen.ledger import sql
from xuefen.ledger.judging import Loader, Verdict
from xuefen.ledger.models import Standing
from xuefen.orgs.models import Person
from xuefen.policy.services import RuleSetIndex, newest_by_region

STANDING_COLUMNS = (
    "person_id", "period", "status", "grade", "earned", "ruleset", "shortfalls", "evaluated_at",
)  # fmt: skip


def store(verdicts: dict[tuple[int, int], Verdict]) -> None:
    """Upserts the standings of `verdicts` ({(person, period): verdict}) in one statement."""
    if not verdicts:
        return
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    rows = [
        (
            pid,
            period,
            str(v.status),
            v.grade,
            ops.adapt_decimalfield_value(v.earned),
            v.ruleset,
            json.dumps(v.shortfalls),
            now,
        )
        for (pid, period), v in sorted(verdicts.items())
    ]
    updates = ", ".join(f"{c} = excluded.{c}" for c in STANDING_COLUMNS[2:])
    sql.insert_rows(
        Standing,
        STANDING_COLUMNS,
        rows,
        conflict=f"ON CONFLICT (person_id, period) DO UPDATE SET {updates}",
    )


def periods_to_judge(loader: Loader, since: dict[int, int] | None = None) -> dict[int, set[int]]:
    """{person: periods} to judge for the loader's people: every period they have credits in or a
    standing for — from `since[person]` on, when given (a posting changes that period and, through
    multi-year windows, carry-over and once-only artefacts, any later one)."""
    ids = sorted(loader.people)
    out: dict[int, set[int]] = {pid: set() for pid in ids}
    for pid in ids:
        out[pid].update(loader.periods(pid))
    for start in range(0, len(ids), 10_000):
        chunk = ids[start : start + 10_000]
        where, params = sql.in_list("person_id", chunk, "bigint")
        for pid, period in sql.select(Standing, ("person_id", "period"), where, params):
            out[pid].add(period)
    if since is not None:
        out = {pid: {p for p in periods if p >= since.get(pid, p)} for pid, periods in out.items()}
        for pid, first in since.items():
            out.setdefault(pid, set()).add(first)
    return out


def judge_and_store(loader: Loader, periods: dict[int, set[int]]) -> int:
    """Judges every (person, period) of `periods` and stores the verdicts; returns how many."""
    verdicts = {
        (pid, period): loader.verdict(pid, period)
        for pid, wanted in periods.items()
        for period in wanted
    }
    store(verdicts)
    return len(verdicts)


def refresh(person_ids: Iterable[int], period: int | None = None) -> None:
    """Re-judges the people's standings (every period they have, and `period` too, if given):
    after their exemptions or the holders of their artefacts changed."""
    loader = Loader.for_people(sorted(set(person_ids)))
    wanted = periods_to_judge(loader)
    if period is not None:
        for periods in wanted.values():
            periods.add(period)
    judge_and_store(loader, wanted)


# --- settling before reading ------------------------------------------------------------------


def newest_rulesets(index: RuleSetIndex | None = None) -> list[tuple[str, dt.datetime]]:
    """(region path, when its newest rule-set version was saved) of every region that has rule
    sets: a handful of rows, read once per state of the rule-set table (or from `index`)."""
    return newest_by_region(index)


def stale_q(period: int) -> Q:
    """People (annotated with `st`, their standing of `period`) whose standing is missing or older
    than their row or than a rule-set version of a region above them."""
    q = Q(st__id__isnull=True) | Q(st__evaluated_at__lt=F("updated_at"))
    for path, created in newest_rulesets():
        q |= Q(unit__path__startswith=path, st__evaluated_at__lt=created)
    return q


def is_stale(
    evaluated_at: dt.datetime | None,
    updated_at: dt.datetime,
    unit_path: str,
    index: RuleSetIndex | None = None,
) -> bool:
    """Whether one standing, judged at `evaluated_at` (None: there is none), is missing or older
    than its person's row (`updated_at`) or than a rule-set version of a region above the person's
    unit — `stale_q`'s rule for one standing whose inputs are at hand, without a query."""
    if evaluated_at is None or evaluated_at < updated_at:
        return True
    return any(
        unit_path.startswith(path) and evaluated_at < created
        for path, created in newest_rulesets(index)
    )


def standing_of(period: int) -> FilteredRelation:
    """The person's standing of `period`, for `.annotate(st=standing_of(period))`."""
    return FilteredRelation("standings", condition=Q(standings__period=period))


def with_standing(people: QuerySet[Person], period: int) -> QuerySet[Person]:
    return people.annotate(st=standing_of(period))


@dataclass(frozen=True)
class Settled:
    judged: int  # standings judged now
    pending: int  # too many to judge in this request: queued for the background worker


def settle(people: QuerySet[Person], period: int) -> Settled:
    """Makes the standings of `people` for `period` current before they are read: the stale and
    missing ones are judged now — or, past XUEFEN_SETTLE_INLINE of them, queued for the worker
    (the caller says the figures are being updated)."""
    stale = with_standing(people, period).filter(stale_q(period))
    ids = list(stale.values_list("pk", flat=True)[: settings.SETTLE_INLINE + 1])
    if not ids:
        return Settled(0, 0)
    if len(ids) > settings.SETTLE_INLINE:
        from xuefen.ledger.tasks import settle_later

        count = stale.count()
        transaction.on_commit(lambda: settle_later.enqueue(period, count))
        return Settled(0, count)
    with transaction.atomic():
        loader = Loader.for_people(ids)
        wanted = {pid: {period} for pid in ids}
        judge_and_store(loader, wanted)
    return Settled(len(ids), 0)


def settle_everyone(period: int, batch: int = 2000) -> int:
    """Settles every counted person's standing of `period`, in batches (the background worker)."""
    judged = 0
    while True:
        people = Person.objects.exclude(status__in=[Person.Status.RETIRED, Person.Status.LEFT])
        stale = with_standing(people, period).filter(stale_q(period))
        ids = list(stale.values_list("pk", flat=True)[:batch])
        if not ids:
            return judged
        with transaction.atomic():
            judge_and_store(Loader.for_people(ids), {pid: {period} for pid in ids})
        judged += len(ids)
