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
