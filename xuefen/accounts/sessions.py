"""Sessions read from the server process's memory, checked against the database in the frame's
one query (`accounts.middleware.SessionUserMiddleware`).

Django's cached_db engine keeps a copy of each session in the local-memory cache of the process
that read it. With several server processes that copy can be out of date: a log-out or a session
written by another process (a check-in's scan) would not be seen. So each copy carries its stamp,
the `expire_date` the database row had when it was read or written (every write sets a new one).
The frame's query reads the row's stamp beside the user; a copy whose stamp differs is read again
from the database, a session whose row is gone or expired is logged out.
"""

import datetime as dt
from typing import Any

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore
from django.contrib.sessions.base_session import AbstractBaseSession
from django.core.cache.backends.base import BaseCache


class SessionStore(CachedDBStore):
    cache_key_prefix = "xuefen.sessions."
    # Set by Django's engines (not in their type stubs).
    _cache: BaseCache
    _session: dict[str, Any]

    def __init__(self, session_key: str | None = None) -> None:
        super().__init__(session_key)
        self.stamp: dt.datetime | None = None

    def load(self) -> dict[str, Any]:
        try:
            found = self._cache.get(self.cache_key)
        except Exception:  # an invalid key: read the database (as Django's engine does)
            found = None
        if isinstance(found, tuple) and len(found) == 2:
            data, self.stamp = found
            return dict(data)
        return self.load_from_db()

    def load_from_db(self) -> dict[str, Any]:
        row: Any = self._get_session_from_db()  # type: ignore[attr-defined]
        if not row:
            self.stamp = None
            return {}
        data = self.decode(row.session_data)
        self.stamp = row.expire_date
        self._cache.set(
            self.cache_key, (data, self.stamp), self.get_expiry_age(expiry=row.expire_date)
        )
        return data

    def create_model_instance(self, data: dict[str, Any]) -> AbstractBaseSession:
        row = super().create_model_instance(data)
        self.stamp = row.expire_date
        return row

    def save(self, must_create: bool = False) -> None:
        super(CachedDBStore, self).save(must_create)
        self._cache.set(self.cache_key, (self._session, self.stamp), self.get_expiry_age())

    def agree(self, stamp: dt.datetime | None) -> bool:
        """Whether the copy read is the database's (`stamp`: the row's expire_date, None when the
        row is gone). If not, the copy is dropped and the session read again from the database;
        False then (the caller reads the session anew)."""
        _ = self._session  # reads the kept copy, if not yet read
        if stamp is not None and stamp == self.stamp:
            return True
        self._cache.delete(self.cache_key)
        self._session_cache = self.load_from_db()
        return False
