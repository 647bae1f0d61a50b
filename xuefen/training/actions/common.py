"""What every training action shares: its actor's capability check and its audit record."""

from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from xuefen.accounts import scope
from xuefen.accounts.roles import Cap
from xuefen.audit.actions import record
from xuefen.core.actors import Actor
from xuefen.training.errors import Code, TrainingError
from xuefen.training.models import TrainingClass

if TYPE_CHECKING:
    pass


def forbidden() -> TrainingError:
    return TrainingError(Code.FORBIDDEN, _("You may not do this for this class."))


def require_manage(actor: Actor, klass: TrainingClass) -> None:
    """The actor runs the class's provider (training.manage on its node), or is the system."""
    if not scope.may(actor, Cap.TRAINING_MANAGE, klass.course.provider.node):
        raise forbidden()


def lock(klass: TrainingClass) -> TrainingClass:
    """The class row locked until the transaction ends (seats are counted under it)."""
    return (
        TrainingClass.objects.select_for_update(of=("self",))
        .select_related("course__provider__node", "course__provider__serves")
        .get(pk=klass.pk)
    )


def audit_class(actor: Actor, action: str, klass: TrainingClass, changes: dict[str, Any]) -> None:
    record(
        actor,
        action,
        klass,
        changes=changes,
        node_path=klass.course.provider.node.path,
        object_repr=str(klass),
    )


def audit_person(
    actor: Actor,
    action: str,
    obj: models.Model,
    klass: TrainingClass,
    person: Any,
    changes: dict[str, Any],
) -> None:
    """An event about a person on a class: filed under the person's unit (their unit's staff and
    the office read it), naming the class."""
    record(
        actor,
        action,
        obj,
        changes={"class": klass.code, **changes},
        node_path=person.unit.path,
        person_id=person.pk,
        object_repr=f"{klass.code} · {person.name}",
    )
