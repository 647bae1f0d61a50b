"""Background work of the ledger (run by `xuefen db_worker`)."""

from django.tasks import task


@task()
def settle_later(period: int, count: int) -> None:
    """Judges again every stale or missing standing of `period` (`count` of them were found by a
    page that could not wait for them all)."""
    from xuefen.ledger.standings import settle_everyone

    del count  # for the task list: how many the page saw
    settle_everyone(period)
