"""The project's settings with sessions read through the cache (Django's cached_db engine, the
local-memory cache of each server process): for `bench/checkin.py --cached-sessions`, which
measures the check-in with the per-request cost of a logged-in frame lowered the way issue 10
plans (cached sessions). Not used by the application."""

from xuefen.settings import *  # noqa: F403

SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
