"""Error codes are enums per app that carry their HTTP status: no refusal is raised with a bare
code string, and the API answers with the status the code carries."""

import ast
from importlib import import_module
from pathlib import Path

import pytest

import xuefen
from xuefen.core.errors import CodedError, ErrorCode, PermissionDenied

ROOT = Path(xuefen.__file__).parent
ENUMS = [
    "xuefen.core.errors:CoreCode",
    "xuefen.accounts.errors:Code",
    "xuefen.api.errors:Code",
    "xuefen.archive.errors:Code",
    "xuefen.claims.errors:Code",
    "xuefen.closing.errors:Code",
    "xuefen.elearning.errors:Code",
    "xuefen.exams.errors:Code",
    "xuefen.intake.errors:Code",
    "xuefen.ledger.errors:Code",
    "xuefen.orgs.errors:Code",
    "xuefen.planning.errors:Code",
    "xuefen.policy.errors:Code",
    "xuefen.reports.errors:Code",
    "xuefen.training.errors:Code",
    "xuefen.xapi.errors:Code",
]
# Every module raises coded errors now; a module that cannot yet goes here, with the reason.
NOT_YET: set[str] = set()


def _enum(spec):
    module, name = spec.split(":")
    return getattr(import_module(module), name)


@pytest.mark.parametrize("spec", ENUMS)
def test_every_code_carries_an_http_status(spec):
    enum = _enum(spec)
    assert issubclass(enum, ErrorCode)
    for code in enum:
        assert 400 <= code.status < 500, code
        assert code == code.value and str(code) == code.value  # the code people's programs read


def _bare_codes(path):
    """Calls of an …Error or PermissionDenied whose first argument is a string literal."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        first = node.args[0]
        if ((name.endswith("Error") and name[0].isupper()) or name == "PermissionDenied") and (
            isinstance(first, ast.Constant) and isinstance(first.value, str)
        ):
            yield f"{path.relative_to(ROOT)}:{node.lineno} {name}({first.value!r})"


def test_no_refusal_is_raised_with_a_bare_code_string():
    builtin = {"ValueError", "TypeError", "KeyError", "RuntimeError", "CommandError"}
    found = [
        hit
        for path in sorted(ROOT.rglob("*.py"))
        if "migrations" not in path.parts and str(path.relative_to(ROOT)) not in NOT_YET
        for hit in _bare_codes(path)
        if hit.split()[1].split("(")[0] not in builtin | {"ValidationError", "RowError"}
    ]
    assert found == []


def test_the_api_answers_with_the_status_the_code_carries():
    from xuefen.api.errors import ApiError
    from xuefen.api.errors import Code as ApiCode
    from xuefen.intake.errors import Code as IntakeCode
    from xuefen.intake.errors import IntakeError

    assert IntakeError(IntakeCode.IDEMPOTENCY_KEY_REUSED, "x").status == 409
    assert IntakeError(IntakeCode.ROWS_EMPTY, "x").status == 422
    assert ApiError(ApiCode.TOKEN_EXPIRED, "x").status == 401
    assert ApiError(ApiCode.TOO_MANY_ROWS, "x").status == 413
    assert PermissionDenied(IntakeCode.ROWS_EMPTY, "x").status == 403
    assert CodedError(IntakeCode.FORBIDDEN, "x").status == 403


def test_the_api_compares_no_code_strings():
    source = (ROOT / "api" / "v1" / "errors.py").read_text(encoding="utf-8")
    assert "exc.code ==" not in source and "exc.status" in source
