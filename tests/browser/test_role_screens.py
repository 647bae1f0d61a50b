"""Every demo role's main pages in a real browser, on the demo county as `make run` serves it:
each page the role's menu opens is photographed under var/screenshots/ (role-<account>-<page>.png)
and read for internal codes, which no page may show (issue 11)."""

import re

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.browser.conftest import log_in, screenshot
from tests.test_code_words import internal_codes, visible_words

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("append_only_flush")]

# The demo accounts, as the README lists them.
ACCOUNTS = [
    "office",
    "auditor",
    "sysadmin",
    "unitadmin",
    "unitadmin2",
    "deptadmin",
    "provider",
    "teacher",
    "learner",
]


def _slug(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"


@pytest.fixture
def demo(transactional_db):  # type: ignore[no-untyped-def]
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_every_role_main_pages_show_words_not_codes(page, demo):
    from xuefen.accounts.models import User

    # The demo's usernames are words people chose (office, provider): shown as names, not codes.
    codes = internal_codes() - set(User.objects.values_list("username", flat=True))
    leaks: dict[str, set[str]] = {}
    visited = 0
    for account in ACCOUNTS:
        page.context.clear_cookies()
        log_in(page, account, settings.DEMO_PASSWORD)
        assert "/accounts/login/" not in page.url, f"{account} could not log in"
        screenshot(page, f"role-{account}-home")
        paths = [page.url.removeprefix(page.base_url)]
        for link in page.locator("nav.mainnav a").all():
            href = link.get_attribute("href") or ""
            if href.startswith("/") and href not in paths:
                paths.append(href)
        for path in paths:
            response = page.goto(page.base_url + path)
            assert response is not None and response.status == 200, (account, path)
            page.wait_for_load_state("networkidle")
            screenshot(page, f"role-{account}-{_slug(path)}")
            visited += 1
            leaked = visible_words(page.content()) & codes
            if leaked:
                leaks[f"{account} {path}"] = leaked
    assert visited >= len(ACCOUNTS) * 2
    assert leaks == {}
