"""The fixed cast: region R with department D; unit A (under D) and unit B (under R).

alice administers unit A, bob administers unit B, carol is the credit office for all of R,
dave audits R, sam is the system administrator, and lena is a learner in unit A.
"""

import os
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.utils import translation

from tests import factories as f
from tests.audit.append_only import append_only_flush  # noqa: F401  (a fixture for every test)
from xuefen.accounts.roles import Role
from xuefen.orgs.models import OrgNode


@pytest.fixture(autouse=True)
def _chinese_first():
    """Each test starts in the site's default language, whatever a request before it activated."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _empty_caches():
    """Each test starts with nothing kept in memory (sessions, page content): its database is new,
    and on SQLite a new row may take the id of an earlier test's."""
    for cache in caches.all():
        cache.clear()


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def cast(db):
    region = f.node("示范县", OrgNode.Kind.REGION, code="R")
    dept = f.node("县财政局", OrgNode.Kind.DEPARTMENT, region, code="D")
    unit_a = f.node("财政局机关", OrgNode.Kind.UNIT, dept, code="A")
    unit_b = f.node(
        "第一中学", OrgNode.Kind.UNIT, region, code="B", unit_type=OrgNode.UnitType.INSTITUTION
    )
    person_a = f.person(unit_a, "李明")
    person_b = f.person(unit_b, "王芳", sex="F")
    lena_person = f.person(unit_a, "林娜", sex="F")
    return SimpleNamespace(
        region=region,
        dept=dept,
        unit_a=unit_a,
        unit_b=unit_b,
        person_a=person_a,
        person_b=person_b,
        lena_person=lena_person,
        alice=f.user("alice", Role.UNIT_ADMIN, unit_a),
        bob=f.user("bob", Role.UNIT_ADMIN, unit_b),
        carol=f.user("carol", Role.OFFICE, region),
        dave=f.user("dave", Role.AUDITOR, region),
        sam=f.user("sam", Role.SYSADMIN, region),
        lena=f.user("lena", person=lena_person),
        password="pw-for-tests-1",
    )


def require(available: bool, reason: str) -> None:
    """Skips a test whose real part (PostgreSQL, Chromium) is missing, but only outside CI:
    in CI the part must be there, so its absence fails the test."""
    if available:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must provide it)")
    pytest.skip(reason)
