"""Background work of closing (run by the background worker, `xuefen worker`)."""

from django.tasks import TaskContext, task


@task(takes_context=True)
def produce_notices_task(context: TaskContext, run_id: int) -> None:
    """Writes the results notices of a run from its checkpoint on (safe to run twice: see
    closing.runs.process_run). The run remembers this task, so that a task marked dead (its
    worker died) makes the run resumable at once."""
    from xuefen.closing.runs import process_run

    process_run(run_id, task_id=str(context.task_result.id))
