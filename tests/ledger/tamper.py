"""Editing the ledger behind the application's back, as an attacker with database access would."""

from django.db import connection


def raw(sql: str, params: list | None = None) -> None:
    """Runs `sql` with the append-only triggers out of the way (restored when the test's transaction
    rolls back on SQLite; switched back on at once on PostgreSQL)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER IF EXISTS ledger_entry_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS ledger_entry_no_delete")
            cursor.execute(sql, params or [])
        else:
            # Superuser only: triggers do not fire for a replica session.
            cursor.execute("SET session_replication_role = replica")
            cursor.execute(sql, params or [])
            cursor.execute("SET session_replication_role = origin")
