import datetime as dt
from types import SimpleNamespace

import pytest

from tests import factories as f
from tests.intake import helpers as h
from xuefen.accounts.roles import Role


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    """Rows are dated in 2026; 'today' is fixed after them so the future check is stable."""
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2026, 11, 23))


@pytest.fixture
def intake(cast):
    """Provider PA (staff pat, at unit A, reporting for department D) with course C1; provider
    PB (staff quinn, at unit B, reporting for unit B) with course C1 too."""
    pa = h.provider(cast, "PA")
    pb = h.provider(cast, "PB", node=cast.unit_b, serves=cast.unit_b)
    return SimpleNamespace(
        pa=pa,
        pb=pb,
        course_a=h.course(pa, "C1"),
        course_b=h.course(pb, "C1"),
        pat=f.user("pat", Role.PROVIDER, cast.unit_a),
        quinn=f.user("quinn", Role.PROVIDER, cast.unit_b),
    )
