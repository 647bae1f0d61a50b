"""The full recompute's sums table (`recompute._sums`): on PostgreSQL an unlogged table of a name
of its own, built in ranges of people and summed as integers of each column's step — the same rows
as `sql.credit_sums_select`, to the digit; and no such table is left after a recompute, whether it
succeeded or failed."""

# The SQL below formats in only table and column names of this module.
# ruff: noqa: S608

import random

import pytest
from django.db import connection, transaction

from tests.ledger.test_judging_sums import _ledger, _people
from xuefen.ledger import recompute as module
from xuefen.ledger import sql
from xuefen.ledger.models import Standing, Total
from xuefen.ledger.recompute import SUMS, _sums, _sums_select, recompute

COLUMNS = "person_id, period, categories, unit, kind, amount, days, special"


def _as_text(query: str, params: list[object]) -> list[tuple[str, ...]]:
    """Every row of `query` as the database prints each value (scale and type included)."""
    cast = ", ".join(f"CAST({c} AS TEXT)" for c in COLUMNS.split(", "))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {cast} FROM ({query}) q ORDER BY {COLUMNS}", params)
        return cursor.fetchall()


def _sums_tables() -> list[str]:
    """The sums tables the database holds (any name the recompute gives one)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT relname FROM pg_class WHERE relkind = 'r' AND relname LIKE %s",
                [f"{SUMS}%"],
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_temp_master WHERE type = 'table' AND name LIKE %s"
                " UNION ALL SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE %s",
                [f"{SUMS}%", f"{SUMS}%"],
            )
        return [row[0] for row in cursor.fetchall()]


def test_the_sums_table_holds_the_ledgers_sums_to_the_digit(cast):
    people = _people(cast, 24)
    _ledger(people, random.Random(7))  # amounts like 0.25 and 24.33, half days, reversals
    expected = _as_text(sql.credit_sums_select("1 = 1"), [])
    assert len(expected) > 50
    assert _as_text(_sums_select("1 = 1"), []) == expected
    with _sums(None) as table:  # (on PostgreSQL built in ranges of people)
        assert _as_text(f"SELECT {COLUMNS} FROM {table}", []) == expected
    with _sums(2025) as table:
        assert _as_text(f"SELECT {COLUMNS} FROM {table}", []) == _as_text(
            sql.credit_sums_select("period <= %s"), [2025]
        )


@pytest.mark.usefixtures("append_only_flush")  # (committed: the recompute its own transaction)
def test_no_sums_table_is_left_after_a_recompute(cast, post, monkeypatch):
    post(cast.person_a, "8", "1")
    post(cast.person_b, "2.5", "2", categories=["elective", "online"])
    assert recompute() == (0, 0)
    assert _sums_tables() == []

    # A recompute that fails once its sums exist: its writes and the table are undone.
    seen = []

    def failing(*args):
        seen.extend(_sums_tables())
        raise RuntimeError("judge failed")

    Total.objects.all().delete()
    monkeypatch.setattr(module, "_judge_keyed", failing)
    with pytest.raises(RuntimeError, match="judge failed"):
        recompute()
    monkeypatch.undo()
    assert len(seen) == 1  # it existed while the recompute ran
    assert _sums_tables() == []
    assert not Total.objects.exists()  # the totals it wrote went with it
    assert recompute()[0] > 0 and Standing.objects.exists()
    assert _sums_tables() == []


def test_no_sums_table_is_left_inside_a_callers_transaction(cast, post):
    """Inside a caller's transaction (the block a savepoint), the table goes with the block."""
    post(cast.person_a, "8", "1")
    with transaction.atomic():
        with _sums(None) as table:
            assert _sums_tables() == [table]
        assert _sums_tables() == []
        assert recompute() == (0, 0)
        assert _sums_tables() == []
