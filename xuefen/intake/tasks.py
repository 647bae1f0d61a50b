"""Background work of the intake app (run by the background worker, `xuefen worker`)."""

from django.tasks import TaskContext, task


@task(takes_context=True)
def process_batch_task(context: TaskContext, batch_id: int) -> None:
    """Processes a batch from its last committed chunk (safe to run twice: see process_batch).
    The batch remembers this task, so that when the task is marked dead (its worker died) the
    retry takes the batch up at once."""
    from xuefen.intake.processing import process_batch

    process_batch(batch_id, task_id=str(context.task_result.id))
