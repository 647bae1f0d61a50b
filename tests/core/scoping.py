"""URL cases of core, and the explicit list of public URLs (no log-in needed), with reasons."""

CASES = {
    "core:home": lambda cast: None,
}

# Reachable without logging in. Everything else must send an anonymous visitor to the log-in page.
PUBLIC = {
    "accounts:login": "the log-in page itself",
    "accounts:logout": "logging out needs no account (POST only, clears the session)",
    "accounts:activate": "claiming an account with a letter's one-time code and the ID number",
    "core:favicon": "the site's icon, which browsers fetch before anyone logs in",
    "core:healthz": "health check: the worker's heartbeat and the queue's age, nothing personal",
    "set_language": "switching the interface language on the log-in page",
    "reports:verify": "anyone holding a printed certificate may check that it is genuine",
}
