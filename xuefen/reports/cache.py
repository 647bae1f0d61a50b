"""Page content kept in the server process's memory under keys made of what it shows: each key is
read from the database in one query, and changes whenever the data behind the page does, so
nothing is ever invalidated by hand (a changed page is simply found under a new key; the old one
ages out).

- A person's page: the head of their hash chain (their newest entry's number), their standings'
  newest judgement, their exemptions, their row (facts, unit), the newest rule-set version, their
  certificates of the period, the viewer's allowances, the language and today's date.
- A roll-up: the newest audit record (every change of people, the org tree, rule sets, exemptions,
  claims is audited), the newest ledger entry, the newest rule-set version, the viewer's grants,
  the node, the page asked for, the language and today's date.
"""

# Only table names (from the models) are formatted into the SQL; every value is a parameter.
# ruff: noqa: S608

import datetime as dt
import hashlib
import threading
from collections.abc import Callable, Sequence
from typing import Any, cast

from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone, translation

from xuefen.audit.models import AuditEvent
from xuefen.ledger.models import Entry, Standing
from xuefen.policy.models import Exemption, RuleSet
from xuefen.reports.models import Certificate

ALIAS = "pages"
TIMEOUT = 3600
CSRF_MARK = "xuefen-csrf-token-of-the-viewer"  # stands for it in kept content


def _one_row(sql: str, params: Sequence[Any]) -> tuple[Any, ...]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return tuple(cursor.fetchone())


def _text(column: str) -> str:
    return f"COALESCE(CAST({column} AS TEXT), '')"


def _rulesets_sql() -> str:
    table = RuleSet._meta.db_table
    return f"(SELECT {_text('count(*)')} || ' ' || {_text('max(created_at)')} FROM {table})"


# Where `person_version` has what: the newest exemption (None: the person has none), their
# certificate of the period (None: none), when their standing of the period was judged (last).
EXEMPTIONS, CERTIFICATES = 2, 3


def person_columns(period: int, person_id: int | None = None) -> tuple[str, list[Any]]:
    """(the columns of `person_version`, their parameters) for the person `person_id`, or (None)
    the frame's account's own person (`u.person_id`, `accounts.middleware.FRAME_EXTRAS`). Each
    table read by one subquery (what is only compared goes as one text): PostgreSQL plans the
    query afresh on every request, at a cost that grows with the number of subqueries."""
    entries, standings = Entry._meta.db_table, Standing._meta.db_table
    exemptions, certificates = Exemption._meta.db_table, Certificate._meta.db_table
    who = "u.person_id" if person_id is None else "%s"
    ids = [] if person_id is None else [person_id]
    columns = (
        f"(SELECT seq FROM {entries} WHERE person_id = {who} ORDER BY seq DESC LIMIT 1),"
        f" (SELECT {_text('count(*)')} || ' ' || {_text('max(evaluated_at)')}"
        f" FROM {standings} WHERE person_id = {who}),"
        f" (SELECT CAST(max(id) AS TEXT) || ' ' || {_text('max(decided_at)')}"
        f" FROM {exemptions} WHERE person_id = {who}),"
        f" (SELECT max(id) FROM {certificates} WHERE person_id = {who} AND period = %s),"
        f" {_rulesets_sql()},"
        f" (SELECT evaluated_at FROM {standings} WHERE person_id = {who} AND period = %s)"
    )
    return columns, [*ids * 4, period, *ids, period]


def person_version(person_id: int, period: int) -> tuple[Any, ...]:
    """What a person's page for `period` depends on in the database, in one query; its last value
    is when their standing of `period` was judged (None: there is none — `judged_at`)."""
    columns, params = person_columns(period, person_id)
    return _one_row(f"SELECT {columns}", params)


def judged_at(version: tuple[Any, ...]) -> dt.datetime | None:
    """When the standing of a `person_version` was judged, as the ORM reads the column."""
    field = Standing._meta.get_field("evaluated_at")
    column = field.get_col(Standing._meta.db_table)
    value = version[-1]
    for convert in connection.ops.get_db_converters(column) + field.get_db_converters(connection):
        value = convert(value, column, connection)
    return cast(dt.datetime | None, value)


def data_columns() -> str:
    """The columns of `data_version` (no parameters)."""
    audit, entries = AuditEvent._meta.db_table, Entry._meta.db_table
    return f"(SELECT max(id) FROM {audit}), (SELECT max(id) FROM {entries}), {_rulesets_sql()}"


def data_version() -> tuple[Any, ...]:
    """The newest audit record, ledger entry and rule-set version: one query, each an index's
    last entry."""
    return _one_row(f"SELECT {data_columns()}", [])


def key(kind: str, *parts: Any) -> str:
    """A cache key of `parts` with the language and today's date."""
    text = repr((kind, translation.get_language(), timezone.localdate().isoformat(), parts))
    return f"xuefen.{kind}.{hashlib.sha256(text.encode()).hexdigest()}"


_rendering: dict[str, threading.Lock] = {}
_rendering_guard = threading.Lock()


def kept[T](cache_key: str, render: Callable[[], tuple[T, bool]]) -> T:
    """The content kept under `cache_key`, or else `render()`'s: (content, whether to keep it —
    not while the standings it shows are still being settled). Right after a change every request
    under way misses at once: one thread of the process renders, the others wait for its result
    instead of each rendering the same page."""
    store = caches[ALIAS]
    found = store.get(cache_key)
    if found is not None:
        return cast(T, found)
    with _rendering_guard:
        lock = _rendering.setdefault(cache_key, threading.Lock())
    try:
        with lock:
            found = store.get(cache_key)
            if found is not None:
                return cast(T, found)
            fresh, keep = render()
            if keep:
                store.set(cache_key, fresh, TIMEOUT)
            return fresh
    finally:
        with _rendering_guard:
            _rendering.pop(cache_key, None)


def whole_page(
    request: HttpRequest, content_key: str, render: Callable[[str], HttpResponse]
) -> HttpResponse:
    """The whole page — the frame around content kept under `content_key` — kept for the viewer
    under that key and what the frame shows of them (their account's name, their grants, which
    decide the menu, the address): a page seen again is served without rendering a template,
    the viewer's CSRF token put in as it is served. `render(csrf)` renders the page with `csrf`
    standing for the token; it is kept only while its content is. Not when the frame has
    messages to show (they are shown once)."""
    from django.contrib.messages import get_messages

    from xuefen.accounts.scope import grants_key

    if len(get_messages(request)):
        return render(get_token(request))
    user = request.user
    page_key = key(
        "page", content_key, user.pk, str(user), grants_key(user), request.get_full_path()
    )
    store = caches[ALIAS]
    html = store.get(page_key)
    if html is None:
        response = render(CSRF_MARK)
        if response.status_code != 200 or store.get(content_key) is None:
            response.content = with_csrf(response.content.decode(), request).encode()
            return response
        html = response.content.decode()
        store.set(page_key, html, TIMEOUT)
    return HttpResponse(with_csrf(html, request))


def with_csrf(content: str, request: HttpRequest) -> str:
    """Kept content with the viewer's CSRF token in its forms."""
    return content.replace(CSRF_MARK, get_token(request)) if CSRF_MARK in content else content
