"""The credit stack imports downward only: the rule engine and rule sets (`policy`) know nothing of
the ledger, and the ledger (entries, the one writer, the one judge's loader, standings) knows
nothing of the apps that feed it or read it. A circle here is where a second judge grows."""

import ast
from pathlib import Path

import pytest

import xuefen

ROOT = Path(xuefen.__file__).parent
# app -> apps it must never import (directly, in any module but its migrations)
FORBIDDEN = {
    "policy": {"ledger", "reports", "claims", "intake", "api"},
    "ledger": {"reports", "claims", "intake", "api"},
}


def imported_apps(app: str) -> dict[str, list[str]]:
    """{other app: [module that imports it, …]} for every module of `app`."""
    found: dict[str, list[str]] = {}
    for path in (ROOT / app).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                parts = name.split(".")
                if parts[0] == "xuefen" and len(parts) > 1 and parts[1] != app:
                    found.setdefault(parts[1], []).append(str(path.relative_to(ROOT)))
    return found


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_app_imports_only_downward(app):
    wrong = {other: where for other, where in imported_apps(app).items() if other in FORBIDDEN[app]}
    assert wrong == {}


def test_the_check_sees_imports():
    # The ledger does import the policy app: the walk must find it, or it proves nothing.
    assert "policy" in imported_apps("ledger")
