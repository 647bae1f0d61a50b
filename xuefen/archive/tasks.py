"""Background work of the archive app (run by the background worker, `xuefen worker`)."""

from django.tasks import TaskContext, task


@task(takes_context=True)
def print_task(context: TaskContext, job_id: int) -> None:
    """Runs a bulk print job from its checkpoint (safe to run twice: see process_print). The job
    remembers this task, so that when the task is marked dead (its worker died) the retry takes
    the job up at once."""
    from xuefen.archive.printing import process_print

    process_print(job_id, task_id=str(context.task_result.id))
