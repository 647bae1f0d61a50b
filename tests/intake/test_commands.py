import datetime as dt
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from tests.intake import helpers as h
from xuefen.intake.actions import submit_batch
from xuefen.intake.models import Batch


def test_intake_resume_queues_stalled_batches_only(cast, intake):
    stalled = submit_batch(
        intake.pat, intake.pa, upload=h.csv_upload([h.row(cast.person_a)]), source="upload"
    )
    live = submit_batch(
        intake.pat, intake.pa, upload=h.csv_upload([h.row(cast.lena_person)]), source="upload"
    )
    old = timezone.now() - dt.timedelta(hours=1)
    Batch.objects.filter(pk=stalled.pk).update(status="running", heartbeat_at=old, processed_rows=0)
    Batch.objects.filter(pk=live.pk).update(status="running", heartbeat_at=timezone.now())
    out = StringIO()
    call_command("intake", "resume", stdout=out)
    assert f"#{stalled.pk}" in out.getvalue() and f"#{live.pk}" not in out.getvalue()
    assert Batch.objects.get(pk=stalled.pk).status == "queued"
    assert Batch.objects.get(pk=live.pk).status == "running"
