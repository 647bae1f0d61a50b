"""What happens to the tasks of a worker that died, and what /healthz reports."""

import datetime as dt

import pytest
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.intake import helpers as h
from xuefen.core import workers
from xuefen.core.models import WorkerHeartbeat
from xuefen.intake.actions import is_stale, submit_batch
from xuefen.intake.models import Batch
from xuefen.intake.processing import process_batch


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"


def _claimed_by(worker_id):
    row = DBTaskResult.objects.order_by("-enqueued_at").first()
    row.claim(worker_id)
    return row


@pytest.fixture
def running_batch(cast, monkeypatch, django_capture_on_commit_callbacks):
    """A batch whose task a worker claimed and started: running, its heartbeat fresh."""
    from tests import factories as f
    from xuefen.accounts.roles import Role

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2026, 11, 23))
    provider = h.provider(cast)
    h.course(provider)
    pat = f.user("pat", Role.PROVIDER, cast.unit_a)
    with django_capture_on_commit_callbacks(execute=True):  # the task is queued after commit
        batch = submit_batch(
            pat, provider, upload=h.csv_upload([h.row(cast.person_a)]), source="upload"
        )
    row = _claimed_by("host-1-1")
    Batch.objects.filter(pk=batch.pk).update(
        status="running", heartbeat_at=timezone.now(), task_id=str(row.pk)
    )
    return Batch.objects.get(pk=batch.pk), row


def test_the_dead_workers_task_is_marked_and_queued_again(running_batch):
    batch, row = running_batch
    retried = workers.recover_dead_worker("host-1-1", "signal 9")
    row.refresh_from_db()
    assert row.status == TaskResultStatus.FAILED
    assert row.exception_class_path == workers.WORKER_DIED
    assert "signal 9" in row.traceback and retried[0] in row.traceback
    copy = DBTaskResult.objects.get(pk=retried[0])
    assert (copy.status, copy.args_kwargs["args"]) == (TaskResultStatus.READY, [batch.pk])
    assert workers.recover_dead_worker("host-1-1", "signal 9") == []  # nothing twice


def test_another_workers_tasks_are_left_alone(running_batch):
    _batch, row = running_batch
    assert workers.recover_dead_worker("host-1-2", "signal 9") == []
    row.refresh_from_db()
    assert row.status == TaskResultStatus.RUNNING


def test_a_live_holder_keeps_the_batch_and_a_dead_one_gives_it_up_at_once(cast, running_batch):
    batch, _row = running_batch
    assert not is_stale(batch)
    assert process_batch(batch.pk) is None  # another worker leaves it alone
    workers.recover_dead_worker("host-1-1", "signal 9")
    batch.refresh_from_db()
    assert is_stale(batch)  # heartbeat fresh, holder dead: no two-minute wait
    done = process_batch(batch.pk)
    assert (done.status, done.posted_rows) == ("done", 1)


def test_workers_of_this_host_whose_process_is_gone_are_recovered(running_batch):
    _batch, row = running_batch
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        worker_id="host-1-1", host=workers.host(), pid=2**22 + 7, started_at=now, beat_at=now
    )
    assert len(workers.recover_dead_workers_of_this_host()) == 1
    row.refresh_from_db()
    assert row.status == TaskResultStatus.FAILED
    assert not WorkerHeartbeat.objects.exists()


def test_healthz_reports_the_heartbeat_and_the_queue(client, running_batch):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "worker_missing"
    workers.beat("host-1-1", timezone.now())
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["worker"]["seconds_since_heartbeat"] <= 1
    assert body["queue"] == {"ready": 0, "running": 1, "oldest_ready_seconds": None}
