"""Database backends (xuefen.core.backends.postgresql) and what callers use of them."""

from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper


def fetch_one(db: BaseDatabaseWrapper, query: str, params: list[Any]) -> Any:
    """The first row of `query`: prepared once per connection where the backend can
    (`execute_prepared`, PostgreSQL), through Django's cursor elsewhere."""
    run = getattr(db, "execute_prepared", None)
    if run is not None:
        return run(query, params).fetchone()
    with db.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchone()


def analyze_sample(cursor: Any, table: str, columns: list[str], target: int = 10) -> None:
    """PostgreSQL: statistics of rows just written in bulk, from a small sample (`target` × 300
    rows, 3,000 by default instead of 30,000) of the `columns` the next reads look up by — the
    planner learns them at once (autovacuum comes later) at a tenth of a full ANALYZE's cost;
    autovacuum's own ANALYZE later brings the full statistics. `table` is quoted already.
    Nothing on other databases."""
    if cursor.db.vendor != "postgresql":
        return
    cursor.execute("SHOW default_statistics_target")
    (before,) = cursor.fetchone()
    cursor.execute("SELECT set_config('default_statistics_target', %s, true)", [str(target)])
    cursor.execute(f"ANALYZE {table} ({', '.join(columns)})")
    cursor.execute("SELECT set_config('default_statistics_target', %s, true)", [before])
