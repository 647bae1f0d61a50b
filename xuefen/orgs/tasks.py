"""Background work of the orgs app (run by the background worker)."""

from django.tasks import task


@task()
def check_people_import_task(import_id: int) -> None:
    """Reads, validates and plans an uploaded people file (see actions.check_people_import)."""
    from xuefen.orgs.actions import check_people_import

    check_people_import(import_id)
