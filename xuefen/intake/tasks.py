"""Background work of the intake app (run by `xuefen db_worker`)."""

from django.tasks import task


@task()
def process_batch_task(batch_id: int) -> None:
    """Processes a batch from its last committed chunk (safe to run twice: see process_batch)."""
    from xuefen.intake.processing import process_batch

    process_batch(batch_id)
