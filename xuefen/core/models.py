from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


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


class WorkerHeartbeat(models.Model):
    """The last sign of life of a background worker process (`xuefen worker`), written every few
    seconds by a thread of the worker; /healthz reports the newest, and the supervisor finds the
    workers of this host that died."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.host}:{self.pid})"
