"""Evidence files that no claim names (an upload whose transaction rolled back) are swept away
after a grace period; files of claims, and fresh uploads, stay."""

import os
import time
from io import StringIO

from django.core.management import call_command

from tests.claims.conftest import file_claim
from xuefen.claims.files import storage_dir


def _orphan(name: str, age_seconds: float):
    path = storage_dir() / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"%PDF-1.4 left behind")
    then = time.time() - age_seconds
    os.utime(path, (then, then))
    return path


def test_sweep_removes_old_orphans_and_keeps_claimed_and_fresh_files(cast, rules):
    claim = file_claim(cast.lena, cast.lena_person)
    kept = storage_dir() / claim.evidence_files.get().stored_name
    os.utime(kept, (time.time() - 7200, time.time() - 7200))
    old = _orphan("a" * 32, 7200)
    fresh = _orphan("b" * 32, 10)
    out = StringIO()
    call_command("sweep_evidence", stdout=out)
    assert not old.exists()
    assert kept.exists() and fresh.exists()
    assert "1 orphaned evidence files removed" in out.getvalue()


def test_a_dry_run_removes_nothing(cast):
    old = _orphan("c" * 32, 7200)
    out = StringIO()
    call_command("sweep_evidence", "--dry-run", stdout=out)
    assert old.exists()
    assert "c" * 32 in out.getvalue()
