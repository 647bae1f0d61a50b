import pytest

from xuefen.core import nav


@pytest.fixture(autouse=True)
def _core_nav_has_items(monkeypatch):
    # core.nav.collect() imports "<app>.nav" for every app, core included, whose nav module
    # (xuefen/core/nav.py) has no items(): every page fails to render. Until core fixes that
    # (reported), give it an empty items() here so the policy pages can be tested.
    if not hasattr(nav, "items"):
        monkeypatch.setattr(nav, "items", lambda user: [], raising=False)
