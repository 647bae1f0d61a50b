"""No index the database keeps for nothing on the tables written in bulk (the ledger's writer, the
import, the close): an index whose columns begin another index (or key) of the same table serves
no lookup that one does not, and costs a b-tree insertion for every row written — millions in a
province's import. Read from the migrated database itself, on SQLite and on PostgreSQL."""

import pytest
from django.db import connection

BULK_WRITTEN = (
    "ledger_entry",
    "ledger_total",
    "ledger_standing",
    "ledger_chain",
    "audit_auditevent",
    "closing_fixedgrade",
    "planning_reminder",
    "intake_batchrow",
    "intake_stagedrow",
)


def _indexes(table: str) -> dict[str, tuple[list[str], bool, object]]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, table)
    return {
        name: (info["columns"], bool(info["unique"] or info["primary_key"]), info.get("orders"))
        for name, info in found.items()
        if info["index"] or info["unique"] or info["primary_key"]
    }


def _partial(table: str) -> set[str]:
    """Indexes with a WHERE clause: they cover only some rows, so they make nothing redundant."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = %s"
                " AND indexdef LIKE '%% WHERE %%'",
                [table],
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = %s"
                " AND sql LIKE '%% WHERE %%'",
                [table],
            )
        return {row[0] for row in cursor.fetchall()}


def _redundant() -> list[str]:
    found = []
    existing = set(connection.introspection.table_names())
    for table in BULK_WRITTEN:
        assert table in existing, table
        indexes = _indexes(table)
        partial = _partial(table)
        for name, (columns, unique, _orders) in sorted(indexes.items()):
            if unique or name in partial or not columns:
                continue
            for other, (other_columns, other_unique, _o) in indexes.items():
                if other == name or other in partial:
                    continue
                # A longer index (or key) beginning with the same columns, an equal key, or an
                # equal plain index (reported once).
                begins = other_columns[: len(columns)] == columns
                longer = len(other_columns) > len(columns)
                if begins and (longer or other_unique or other < name):
                    found.append(f"{table}.{name} {columns} ⊂ {other} {other_columns}")
                    break
    return found


@pytest.mark.django_db
def test_the_written_tables_keep_no_index_another_one_begins_with():
    assert _redundant() == []
