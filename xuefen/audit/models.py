from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xuefen.core.models import AppendOnlyModel


class AuditEvent(AppendOnlyModel):
    """One recorded change: who, when, what (before/after) and from which address.

    Append-only for the application: save() refuses to update, delete() refuses, and database
    triggers (see the migration) refuse UPDATE and DELETE from any code path.
    """

    class Action(models.TextChoices):
        CREATE = "create", _("Create")
        UPDATE = "update", _("Change")
        DELETE = "delete", _("Delete")
        LOGIN = "login", _("Log in")
        LOGIN_FAILED = "login_failed", _("Failed log-in")
        LOCKED = "locked", _("Account locked")
        PASSWORD = "password", _("Password changed")
        IMPORT = "import", _("Import")
        EXPORT = "export", _("Export")
        APPROVE = "approve", pgettext_lazy("audit action", "Approve")
        REJECT = "reject", pgettext_lazy("audit action", "Reject")
        RETURN = "return", _("Return")
        SUBMIT = "submit", _("Submit")
        POST = "post", _("Post credit")
        REVERSE = "reverse", _("Reverse credit")

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
    )
    actor_name = models.CharField(_("actor"), max_length=150, blank=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=50)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    # The org node the object belonged to, so the trail can be scoped like everything else.
    # Read by prefix only (a subtree's trail): one index for LIKE 'path%' (PostgreSQL's pattern
    # operator class), not a second plain one beside it that every record would also insert into.
    node_path = models.CharField(max_length=255, blank=True)
    person_id = models.BigIntegerField(null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(
                fields=["node_path"],
                name="audit_node_path_prefix",
                opclasses=["varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"
