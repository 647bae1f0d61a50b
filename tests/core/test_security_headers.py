"""Security headers on every answer: a Content-Security-Policy that runs no inline script,
Cache-Control: no-store on everything the application answers (pages with personal data, downloads,
the public verification page), and SameSite on every cookie."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.test_url_scoping import CASES, PUBLIC, TOKEN_AUTH

TEMPLATE_DIRS = [Path(settings.BASE_DIR)]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_ATTRIBUTE = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


def _policy(response):
    header = response.get("Content-Security-Policy", "")
    return dict((part.split()[0], part.split()[1:]) for part in header.split(";") if part.strip())


def _assert_headers(response, url):
    policy = _policy(response)
    # Scripts from the site itself at most (a file download may forbid even those).
    scripts = policy.get("script-src", policy.get("default-src"))
    assert scripts in (["'self'"], ["'none'"]), f"{url}: {policy}"
    assert policy.get("frame-ancestors", ["'none'"]) == ["'none'"], url
    cache = response.get("Cache-Control", "")
    assert "no-store" in cache and "private" in cache, f"{url}: {cache!r}"


@pytest.mark.parametrize("name", sorted(n for n in CASES if n not in TOKEN_AUTH))
def test_every_page_has_the_policy_and_is_not_stored(client, cast, name):
    kwargs = CASES[name](cast)
    client.force_login(cast.carol)
    url = reverse(name, kwargs=kwargs)
    response = client.get(url)
    _assert_headers(response, url)


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_public_pages_have_the_policy_and_are_not_stored(client, db, name):
    url = reverse(name)
    response = client.get(url)
    _assert_headers(response, url)


def test_the_api_and_a_404_have_them_too(client, db):
    for url in ("/api/v1/courses", "/api/v1/openapi.json", "/api/v1/docs", "/no/such/page/"):
        _assert_headers(client.get(url), url)


def test_no_template_holds_an_inline_script_or_event_handler():
    offenders = []
    for folder in TEMPLATE_DIRS:
        for path in folder.rglob("templates/**/*.html"):
            text = path.read_text(encoding="utf-8")
            for pattern in (INLINE_SCRIPT, EVENT_ATTRIBUTE, re.compile("javascript:", re.I)):
                offenders += [f"{path}: {m.group(0)}" for m in pattern.finditer(text)]
    assert offenders == []


def test_every_cookie_says_samesite(client, cast):
    seen = {}

    def collect(response):
        for name, morsel in response.cookies.items():
            seen[name] = morsel

    collect(client.get(reverse("accounts:login")))
    collect(client.post(reverse("set_language"), {"language": "en", "next": "/"}))
    collect(
        client.post(reverse("accounts:login"), {"username": "alice", "password": cast.password})
    )
    collect(
        client.post(
            reverse("accounts:password_change"),
            {
                "old_password": cast.password,
                "new_password1": "a-new-pass-2026",
                "new_password2": "a-new-pass-2026",
            },
        )
    )
    collect(client.post(reverse("accounts:logout")))
    assert {"csrftoken", "django_language", "sessionid", "messages"} <= set(seen)
    for name, morsel in seen.items():
        assert morsel["samesite"] in ("Lax", "Strict"), name
    assert seen["django_language"]["httponly"]
