"""A worker killed mid-file: the batch resumes from its last committed chunk and every row lands
in the ledger exactly once. The worker is a real separate process, killed with SIGKILL."""

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from tests import factories as f
from tests.intake import helpers as h
from xuefen.intake.actions import resume_batch, resume_stalled, submit_batch
from xuefen.intake.models import Batch, BatchRow
from xuefen.intake.processing import process_batch
from xuefen.ledger.judging import Loader
from xuefen.ledger.models import Entry, Standing, Total
from xuefen.ledger.recompute import recompute
from xuefen.ledger.verify import verify

pytestmark = pytest.mark.usefixtures("append_only_flush")

CHUNK = 10
PEOPLE = 60


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "XUEFEN_TEST_DB_NAME"}
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        env["XUEFEN_SQLITE_PATH"] = str(name)
        env.pop("DATABASE_URL", None)
    else:
        url = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
        env["DATABASE_URL"] = f"{url}/{name}"
    env["XUEFEN_VAR_DIR"] = str(tmp_path)  # MEDIA_ROOT = tmp_path / "files", as in the test
    return env


def _worker(batch_id: int, tmp_path: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.intake.run_worker",
            str(batch_id),
            "--chunk",
            str(CHUNK),
            *extra,
        ],
        cwd=django_settings.BASE_DIR.parent,
        env=_env(tmp_path),
    )


def _wait_for(path: Path, proc: subprocess.Popen) -> None:
    """Until the worker has stalled inside its fourth chunk (not a timing assertion: it waits)."""
    while not path.exists():
        assert proc.poll() is None, "the worker ended before it stalled"
        time.sleep(0.05)


@pytest.fixture
def big_batch(cast, intake, tmp_path):
    people = [f.person(cast.unit_a, f"学员{i}") for i in range(PEOPLE)]
    rows = [h.row(p, day="2026-03-01") for p in people]
    rows += [h.row(p, day="2026-03-02", amount="2.5") for p in people]
    batch = submit_batch(intake.pat, intake.pa, upload=h.csv_upload(rows), source="upload")
    return batch, people


def test_killed_worker_resumes_and_each_row_lands_once(cast, intake, big_batch, tmp_path):
    batch, people = big_batch
    ready = tmp_path / "stalled"
    proc = _worker(batch.pk, tmp_path, "--stall-after", "3", "--ready", str(ready))
    try:
        _wait_for(ready, proc)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    batch.refresh_from_db()
    # three chunks committed; the fourth died with its transaction
    assert (batch.status, batch.processed_rows) == ("running", 3 * CHUNK)
    assert Entry.objects.count() == 3 * CHUNK == BatchRow.objects.count()

    Batch.objects.filter(pk=batch.pk).update(heartbeat_at=timezone.now() - dt.timedelta(hours=1))
    assert [b.pk for b in resume_stalled()] == [batch.pk]
    done = process_batch(batch.pk, chunk_rows=CHUNK)

    assert (done.status, done.processed_rows, done.posted_rows) == ("done", 120, 120)
    assert BatchRow.objects.filter(batch=batch).count() == 120
    assert Entry.objects.count() == 120
    for person in people:
        assert Entry.objects.filter(person=person).count() == 2
        total = Total.objects.get(person=person, period=2026, category="*").amount
        assert total == Decimal("8.5")
    assert Entry.objects.aggregate(s=Sum("amount"))["s"] == Decimal("8.5") * PEOPLE
    assert list(verify()) == []
    # Standings right at the end: everyone judged with both rows, those of the chunks committed
    # before the kill too, exactly as a full recompute judges them.
    loader = Loader.for_people([p.pk for p in people])
    for person in people:
        standing = Standing.objects.get(person=person, period=2026)
        assert loader.verdict(person.pk, 2026).same_as(standing)
        assert standing.earned == Decimal("8.5") or standing.status == "no_rules"
    assert recompute() == (0, 0)


def test_a_batch_with_a_live_worker_is_not_resumed(cast, intake, big_batch):
    batch, _people = big_batch
    Batch.objects.filter(pk=batch.pk).update(status="running", heartbeat_at=timezone.now())
    from xuefen.intake.errors import IntakeError

    with pytest.raises(IntakeError):
        resume_batch(intake.pat, Batch.objects.get(pk=batch.pk))
    assert process_batch(batch.pk) is None  # a second worker leaves it alone
    assert not Entry.objects.exists()


def test_the_real_db_worker_processes_a_queued_batch(cast, intake, tmp_path):
    from django.db import transaction

    with transaction.atomic():
        batch = submit_batch(
            intake.pat, intake.pa, upload=h.csv_upload([h.row(cast.person_a)]), source="upload"
        )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "db_worker",
            "--batch",
            "--no-startup-delay",
            "--queue-name",
            "*",
        ],
        cwd=django_settings.BASE_DIR.parent,
        env={**_env(tmp_path), "DJANGO_SETTINGS_MODULE": "xuefen.settings"},
        check=True,
        timeout=120,
    )
    batch.refresh_from_db()
    assert (batch.status, batch.posted_rows) == ("done", 1)
