"""Which rule-set version applies: to a person's period, and which period a day falls in. Reads of
the policy tables only; no request and no scoping (callers pass people they may see). Judging
itself is the pure engine (`policy.engine`), fed by the ledger's one loader (`ledger.judging`)."""

import datetime as dt
import threading
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection

from xuefen.orgs.models import Person
from xuefen.policy.actions import effective_end
from xuefen.policy.models import RuleSet
from xuefen.policy.schema import CALENDAR_YEAR, Calendar, RuleSetData
from xuefen.policy.vocabulary import CATEGORIES, KINDS


def region_ids(unit_path: str) -> list[int]:
    return [int(part) for part in unit_path.strip("/").split("/") if part]


def _candidates(
    rows: Sequence[RuleSet], unit_path: str, category: str
) -> list[tuple[int, RuleSet]]:
    """(depth, row) of the versions for `category` on the regions of `unit_path`, deepest region
    first, then the latest start, then the highest version."""
    depth = {node_id: index for index, node_id in enumerate(region_ids(unit_path))}
    found = [(depth[r.region_id], r) for r in rows if r.region_id in depth and r.covers(category)]
    return sorted(
        found, key=lambda item: (item[0], item[1].valid_from, item[1].version), reverse=True
    )


def _in_force(row: RuleSet, rows: Sequence[RuleSet], day: dt.date) -> bool:
    return row.valid_from <= day <= effective_end(row, rows)


def pick_in_force(
    rows: Sequence[RuleSet], unit_path: str, category: str, period: int
) -> RuleSet | None:
    """The one choice of version: of the versions for `category` on the regions of `unit_path`,
    the one in force on the period's first day (by that version's own calendar: 1 January unless
    it says otherwise) on the deepest region, then the latest start, then the highest version.
    `rows` must hold every version of the regions on the path (effective ends depend on later
    versions). A version dated mid-year first judges the next year, so a year is never judged by
    rules that changed under it."""
    for _depth, row in _candidates(rows, unit_path, category):
        if _in_force(row, rows, row.data.calendar.first_day(period)):
            return row
    return None


def calendar_on(rows: Sequence[RuleSet], unit_path: str, category: str, day: dt.date) -> Calendar:
    """The calendar of the version in force on `day` (a calendar year where none is)."""
    for _depth, row in _candidates(rows, unit_path, category):
        if _in_force(row, rows, day):
            return row.data.calendar
    return CALENDAR_YEAR


class RuleSetIndex:
    """Every rule-set version of some regions, read once (one query): the version that judges a
    (unit path, personnel category, period) and the period a day falls in, chosen in memory by
    `pick_in_force` / `calendar_on`, each answer kept."""

    def __init__(self, rows: Iterable[RuleSet]) -> None:
        self.rows = list(rows)
        self._rules: dict[tuple[str, str, int], RuleSetData | None] = {}
        self._periods: dict[tuple[str, str, dt.date], int] = {}

    @classmethod
    def for_paths(cls, unit_paths: Iterable[str]) -> "RuleSetIndex":
        """The versions that may judge people of these units: every version (`everywhere`; the
        choice looks only at the regions on a unit's path)."""
        return cls.everywhere()

    @classmethod
    def everywhere(cls) -> "RuleSetIndex":
        """Every rule-set version, read once per process for each state of the table: kept under
        its newest version (one small query asks for it), so a new version is read at once and
        nothing is ever invalidated by hand. Rows are never edited, only added (or, in tests,
        rolled back: the count and the newest time tell those states apart too)."""
        state = _ruleset_state()
        with _kept_guard:
            kept = _kept.get("index")
            if kept is not None and kept[0] == state:
                return kept[1]
        index = cls(RuleSet.objects.select_related("region"))
        with _kept_guard:
            _kept["index"] = (state, index)
        return index

    def rules(self, unit_path: str, category: str, period: int) -> RuleSetData | None:
        key = (unit_path, category, period)
        if key not in self._rules:
            row = pick_in_force(self.rows, unit_path, category, period)
            self._rules[key] = row.data if row is not None else None
        return self._rules[key]

    def period_of(self, unit_path: str, category: str, day: dt.date) -> int:
        """The period a day falls in: by the calendar of the version in force that day."""
        key = (unit_path, category, day)
        found = self._periods.get(key)
        if found is None:
            if len(self._periods) > 100_000:
                self._periods.clear()
            found = calendar_on(self.rows, unit_path, category, day).period_of(day)
            self._periods[key] = found
        return found


_kept: dict[str, tuple[tuple[Any, ...], RuleSetIndex]] = {}
_kept_guard = threading.Lock()


def _ruleset_state() -> tuple[Any, ...]:
    """What tells one state of the rule-set table from another: the database, how many versions,
    the newest id, when the newest was saved and the lengths of the texts (one query over a
    handful of rows)."""
    table = connection.ops.quote_name(RuleSet._meta.db_table)
    with connection.cursor() as cursor:
        sums = "count(*), max(id), max(created_at), sum(length(source) * id)"
        cursor.execute(f"SELECT {sums} FROM {table}")  # noqa: S608
        row = cursor.fetchone()
    return (connection.settings_dict["NAME"], *row)


def ruleset_for(person: Person, period: int) -> RuleSetData | None:
    """The version that judges the person's period (one query)."""
    return RuleSetIndex.for_paths([person.unit.path]).rules(
        person.unit.path, person.category, period
    )


def period_of(person: Person, day: dt.date) -> int:
    """The period a day of the person's falls in (one query)."""
    return RuleSetIndex.for_paths([person.unit.path]).period_of(
        person.unit.path, person.category, day
    )


def rules_by_ref(refs: Iterable[str], index: RuleSetIndex | None = None) -> dict[str, RuleSetData]:
    """{"code vN": rule set} for the references standings store: from the versions read once per
    state of the table (`RuleSetIndex.everywhere`; one small query asks for the state), or from
    `index`, when the caller has it."""
    wanted = {ref for ref in refs if ref}
    if not wanted:
        return {}
    rows = (index or RuleSetIndex.everywhere()).rows
    return {row.ref: row.data for row in rows if row.ref in wanted}


def newest_by_region(index: RuleSetIndex | None = None) -> list[tuple[str, dt.datetime]]:
    """(region path, when its newest rule-set version was saved) of every region that has rule
    sets: from the versions read once per state of the table (`RuleSetIndex.everywhere`)."""
    newest: dict[str, dt.datetime] = {}
    for row in (index or RuleSetIndex.everywhere()).rows:
        path = row.region.path
        if path not in newest or newest[path] < row.created_at:
            newest[path] = row.created_at
    return list(newest.items())


def known_categories() -> list[tuple[str, str]]:
    """(code, label) of every category the saved rule sets name, after the usual ones: the list
    a clerk picks categories from where no one rule set applies (a course, a claim type)."""
    found: dict[str, str] = {code: str(label) for code, label in CATEGORIES.items()}
    for row in RuleSet.objects.order_by("code", "-version"):
        for category in row.data.categories:
            found.setdefault(category.code, str(category.label))
    return list(found.items())


def known_kinds() -> list[tuple[str, str]]:
    """(kind, label) of every activity kind people know and every conversion the saved rule sets
    define, by label."""
    found: dict[str, str] = {code: str(label) for code, label in KINDS.items()}
    for row in RuleSet.objects.order_by("code", "-version"):
        for kind, conversion in row.data.conversions.items():
            found.setdefault(kind, str(conversion.label))
    return sorted(found.items(), key=lambda item: item[1])
