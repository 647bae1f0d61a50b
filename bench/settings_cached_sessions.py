"""The project's settings with sessions read through the cache (Django's cached_db engine, the
local-memory cache of each server process): for `bench/checkin.py --cached-sessions`, which
measures the check-in with the per-request cost of a logged-in frame lowered the way issue 10
plans (cached sessions). Not used by the application. Since issue 10 the project's own settings keep
sessions in memory too (`xuefen.accounts.sessions`, each copy checked against its row in the frame's one
query); this file now selects Django's plain cached_db engine, for comparison only."""

from xuefen.settings import *  # noqa: F403

SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
