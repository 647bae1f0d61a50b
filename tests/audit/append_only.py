"""A fixture for transactional tests (live server, threads) in a database with append-only tables.

After such a test Django empties every table (SQLite: DELETE, PostgreSQL: TRUNCATE), which the
append-only triggers refuse. Mark the test `@pytest.mark.usefixtures("append_only_flush")` (it
brings `transactional_db`). Before the flush, on SQLite it empties the append-only tables with
their triggers briefly dropped, then restores the triggers (the flush finds nothing to delete
there); on PostgreSQL the flush runs with triggers off for that connection (superuser only),
which Django closes right after. tests/conftest.py makes the fixture available to every test.
"""

import pytest
from django.db import connection


def _sqlite_empty_append_only_tables() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, tbl_name, sql FROM sqlite_master "
            "WHERE type = 'trigger' AND sql LIKE '%is append-only%'"
        )
        triggers = cursor.fetchall()
        cursor.execute("PRAGMA foreign_keys = OFF")
        try:
            for name, _table, _sql in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')
            for table in sorted({table for _name, table, _sql in triggers}):
                cursor.execute(f'DELETE FROM "{table}"')  # noqa: S608 (names from sqlite_master)
            for _name, _table, sql in triggers:
                cursor.execute(sql)
        finally:
            cursor.execute("PRAGMA foreign_keys = ON")


@pytest.fixture
def append_only_flush(transactional_db):
    yield
    if connection.vendor == "sqlite":
        _sqlite_empty_append_only_tables()
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
