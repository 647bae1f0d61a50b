"""Bulk printing: a unit's archives or certificates as one PDF made by the background worker, its
progress page, and a job whose worker died taken up again with everyone printed once."""

import pytest
from django.tasks import TaskResultStatus
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests import factories as f
from tests.archive.pdfcells import pdf_text
from xuefen.archive import actions, printing
from xuefen.archive.errors import ArchiveError, Code
from xuefen.archive.models import PrintJob
from xuefen.audit.models import AuditEvent
from xuefen.core import workers
from xuefen.reports.models import Certificate


@pytest.fixture
def start(django_capture_on_commit_callbacks):
    def go(actor, unit, kind, period=None):
        with django_capture_on_commit_callbacks(execute=True):  # queued after commit
            return actions.start_print(actor, unit, kind, period)

    return go


def _names_in(job):
    text = pdf_text((printing.pdf_path(job)).read_bytes())
    return text


def test_a_units_archives_come_as_one_pdf_with_everyone_once(cast, moved, start):
    job = start(cast.alice, cast.unit_a, PrintJob.Kind.ARCHIVES)
    assert job.status == PrintJob.Status.QUEUED
    assert len(job.people) == 3  # 李明, 林娜 and 赵强, who moved in
    done = printing.process_print(job.pk, chunk=2)
    assert (done.status, done.done, done.skipped) == ("done", 3, 0)
    text = _names_in(done)
    assert text.count("培训档案") == 3
    for name in ("李明", "林娜", "赵强"):
        assert name in text
    assert not printing.lines_path(done).exists()  # the working file is gone


def test_the_archives_print_what_the_starter_may_see(cast, moved, start):
    job = printing.process_print(start(cast.alice, cast.unit_a, PrintJob.Kind.ARCHIVES).pk)
    cells = pdf_text(printing.pdf_path(job).read_bytes()).splitlines()
    # Unit A has not pulled 赵强's archive: his 2025 grade, fixed in unit B, is not printed (his
    # colleagues' 2025 grades, fixed in unit A, are).
    assert "第一中学" not in cells
    assert "90" not in cells
    assert "2026-03-01：由第一中学调入财政局机关" in cells


def test_a_units_certificates_are_issued_and_printed_together(cast, moved, start):
    job = start(cast.alice, cast.unit_a, PrintJob.Kind.CERTIFICATES, 2026)
    done = printing.process_print(job.pk)
    assert done.status == "done"
    assert Certificate.objects.filter(period=2026, person__unit=cast.unit_a).count() == 3
    text = _names_in(done)
    assert text.count("学时证明") >= 3 and "赵强" in text


def test_the_job_is_audited_and_its_download_too(client, cast, moved, start):
    job = printing.process_print(start(cast.alice, cast.unit_a, PrintJob.Kind.ARCHIVES).pk)
    assert AuditEvent.objects.filter(object_type="archive.printjob", object_id=str(job.pk)).exists()
    client.force_login(cast.alice)
    response = client.get(reverse("archive:job_pdf", args=[job.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(object_type="archive.archives", action="export").exists()


# --- refusals -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "period", "code"),
    [
        ("everything", None, Code.KIND_INVALID),
        (PrintJob.Kind.CERTIFICATES, None, Code.PERIOD_INVALID),
        (PrintJob.Kind.CERTIFICATES, 1800, Code.PERIOD_INVALID),
    ],
)
def test_bad_input_is_refused_and_nothing_is_queued(cast, moved, start, kind, period, code):
    with pytest.raises(ArchiveError) as refused:
        start(cast.alice, cast.unit_a, kind, period)
    assert refused.value.code == code
    assert not PrintJob.objects.exists()


def test_another_units_administrator_may_not_print_the_unit(cast, moved, start):
    with pytest.raises(ArchiveError) as refused:
        start(cast.bob, cast.unit_a, PrintJob.Kind.ARCHIVES)
    assert refused.value.code == Code.FORBIDDEN
    assert not PrintJob.objects.exists()


def test_the_auditor_prints_archives_but_issues_no_certificates(cast, moved, start):
    assert start(cast.dave, cast.unit_a, PrintJob.Kind.ARCHIVES).pk
    with pytest.raises(ArchiveError) as refused:
        start(cast.dave, cast.unit_a, PrintJob.Kind.CERTIFICATES, 2026)
    assert refused.value.code == Code.FORBIDDEN


def test_a_department_is_not_a_unit(cast, moved, start):
    with pytest.raises(ArchiveError) as refused:
        start(cast.carol, cast.dept, PrintJob.Kind.ARCHIVES)
    assert refused.value.code == Code.NOT_A_UNIT


def test_a_unit_without_people_has_nothing_to_print(cast, moved, start):
    empty = f.node("空单位", "unit", cast.region, code="E")
    with pytest.raises(ArchiveError) as refused:
        start(cast.carol, empty, PrintJob.Kind.ARCHIVES)
    assert refused.value.code == Code.NOBODY_TO_PRINT


# --- a worker that dies ---------------------------------------------------------------------------


def test_a_crash_mid_job_is_resumed_and_everyone_is_printed_once(cast, moved, start, monkeypatch):
    job = start(cast.alice, cast.unit_a, PrintJob.Kind.ARCHIVES)
    real = printing._part
    calls = []

    def dies_on_the_second_chunk(job, person):
        calls.append(person.pk)
        if len(calls) == 2:
            raise MemoryError("killed")
        return real(job, person)

    monkeypatch.setattr(printing, "_part", dies_on_the_second_chunk)
    with pytest.raises(MemoryError):
        printing.process_print(job.pk, chunk=1)
    job.refresh_from_db()
    assert (job.status, job.failure_code, job.done) == ("failed", Code.INTERRUPTED, 1)
    assert printing.is_stale(job)
    monkeypatch.setattr(printing, "_part", real)
    actions.resume_print(cast.alice, job)
    done = printing.process_print(job.pk, chunk=1)
    assert (done.status, done.done) == ("done", 3)
    text = _names_in(done)
    assert text.count("培训档案") == 3
    assert AuditEvent.objects.filter(action="submit", object_type="archive.printjob").exists()


def test_a_job_whose_worker_died_is_taken_up_by_the_retry_at_once(cast, moved, start):
    job = start(cast.alice, cast.unit_a, PrintJob.Kind.ARCHIVES)
    row = DBTaskResult.objects.order_by("-enqueued_at").first()
    row.claim("host-9-1")
    PrintJob.objects.filter(pk=job.pk).update(
        status="running", heartbeat_at=timezone.now(), task_id=str(row.pk), done=0
    )
    job.refresh_from_db()
    assert not printing.is_stale(job)
    assert printing.process_print(job.pk) is None  # a live holder keeps it
    retried = workers.recover_dead_worker("host-9-1", "signal 9")
    copy = DBTaskResult.objects.get(pk=retried[0])
    assert (copy.status, copy.args_kwargs["args"]) == (TaskResultStatus.READY, [job.pk])
    job.refresh_from_db()
    assert printing.is_stale(job)
    done = printing.process_print(job.pk, task_id=str(copy.pk))
    assert (done.status, done.done) == ("done", 3)


def test_a_running_job_is_not_resumed(cast, moved, start):
    job = start(cast.alice, cast.unit_a, PrintJob.Kind.ARCHIVES)
    with pytest.raises(ArchiveError) as refused:
        actions.resume_print(cast.alice, job)
    assert refused.value.code == Code.NOT_RESUMABLE


def test_a_job_that_keeps_stopping_fails_for_good(cast, moved, start):
    job = start(cast.alice, cast.unit_a, PrintJob.Kind.ARCHIVES)
    PrintJob.objects.filter(pk=job.pk).update(attempts=3)
    assert printing.process_print(job.pk) is None
    job.refresh_from_db()
    assert (job.status, job.failure_code) == ("failed", Code.KEEPS_STOPPING)


# --- the pages ------------------------------------------------------------------------------------


def test_starting_from_the_page_shows_the_progress_until_done(client, cast, moved):
    client.force_login(cast.alice)
    response = client.post(
        reverse("archive:prints"), {"unit": cast.unit_a.pk, "kind": "archives"}, follow=True
    )
    job = PrintJob.objects.get()
    page = response.content.decode()
    assert reverse("archive:job_progress", args=[job.pk]) in page  # htmx polls while open
    assert client.get(reverse("archive:job_pdf", args=[job.pk])).status_code == 404
    printing.process_print(job.pk)
    box = client.get(reverse("archive:job_progress", args=[job.pk])).content.decode()
    assert "hx-get" not in box
    assert reverse("archive:job_pdf", args=[job.pk]) in box


def test_the_page_refuses_a_unit_outside_scope(client, cast, moved):
    client.force_login(cast.bob)
    response = client.post(
        reverse("archive:prints"), {"unit": cast.unit_a.pk, "kind": "archives"}, follow=True
    )
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert not PrintJob.objects.exists()


def test_the_page_takes_garbage_without_harm(client, cast, moved):
    client.force_login(cast.alice)
    for data in ({"unit": "x", "kind": "archives"}, {"unit": cast.unit_a.pk, "kind": "?"},
                 {"unit": cast.unit_a.pk, "kind": "certificates", "period": "soon"}):  # fmt: skip
        response = client.post(reverse("archive:prints"), data, follow=True)
        assert response.status_code == 200
    assert not PrintJob.objects.exists()


def test_another_units_job_is_404(client, cast, moved, start):
    job = start(cast.alice, cast.unit_a, PrintJob.Kind.ARCHIVES)
    client.force_login(cast.bob)
    for name in ("archive:job", "archive:job_progress", "archive:job_pdf"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert client.post(reverse("archive:job_resume", args=[job.pk])).status_code == 404
