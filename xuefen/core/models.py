from typing import Any

from django.db import models


class AppendOnlyModel(models.Model):
    """A row written once and never changed: save() refuses an update and delete() refuses.

    The application side of the rule; the database side is the trigger that a migration adds with
    `xuefen.core.db.append_only(table)`, which refuses UPDATE and DELETE from any code path.
    """

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise RuntimeError(f"{type(self).__name__} rows are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(f"{type(self).__name__} rows are append-only.")
